#include "report/table.h"

#include <algorithm>

namespace fleetsim::report {

namespace {
// Display width of UTF-8 text (code points; fleetsim prints no wide characters).
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}
}  // namespace

// A section row is one cell marked by a leading \x01.
void Table::section(const std::string& title) {
  std::string cell(1, '\x01');
  cell += title;
  rows_.push_back({std::move(cell)});
}

std::string Table::render() const {
  std::vector<size_t> w;
  auto measure = [&](const std::vector<std::string>& cells) {
    if (!cells.empty() && !cells[0].empty() && cells[0][0] == '\x01') return;
    if (w.size() < cells.size()) w.resize(cells.size(), 0);
    for (size_t i = 0; i < cells.size(); ++i) w[i] = std::max(w[i], width(cells[i]));
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      const size_t pad = w[i] - width(cells[i]);
      if (i == 0) {
        out += cells[i];
        out.append(pad, ' ');
      } else {
        out.append(2 + pad, ' ');
        out += cells[i];
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out;
  if (!header_.empty()) {
    out += line(header_);
    size_t total = 0;
    for (size_t x : w) total += x;
    out.append(total + 2 * (w.empty() ? 0 : w.size() - 1), '-');
    out += '\n';
  }
  for (const auto& r : rows_) {
    if (!r.empty() && !r[0].empty() && r[0][0] == '\x01') {
      out += '\n';
      out.append(r[0], 1);
      out += '\n';
    } else {
      out += line(r);
    }
  }
  return out;
}

}  // namespace fleetsim::report
