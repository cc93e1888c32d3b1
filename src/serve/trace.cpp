#include "serve/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace fleetsim::serve {

namespace {

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  s = s.substr(a, b - a);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

std::string canonical(std::string_view s) {
  std::string out;
  for (char c : trim(s)) {
    out.push_back(c == ' ' || c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// Splits one line at commas (quoted cells may hold commas; "" is a quote).
std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> cells;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  cells.push_back(trim(cur));
  return cells;
}

enum Column { arrival, input, output, cached, kColumns };

int column_of(const std::string& name) {
  static const std::map<std::string, int> names = {
      {"arrival_s", arrival},          {"timestamp", arrival},         {"input_tokens", input},
      {"request_tokens", input},       {"context_tokens", input},      {"contexttokens", input},
      {"output_tokens", output},       {"response_tokens", output},    {"generated_tokens", output},
      {"generatedtokens", output},     {"cached_tokens", cached}};
  auto it = names.find(canonical(name));
  return it == names.end() ? -1 : it->second;
}

const char* column_name(int c) {
  static const char* names[] = {"arrival_s", "input_tokens", "output_tokens", "cached_tokens"};
  return names[c];
}

}  // namespace

RequestTrace parse_trace(const std::string& path, const std::string& text, const std::string& field) {
  RequestTrace t;
  t.path = path;
  auto fail = [&](int line, int column, const std::string& msg) -> void {
    throw core::InputError(core::SourceLocation{path, line, column}, field, msg);
  };
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  int index[kColumns] = {-1, -1, -1, -1};
  size_t width = 0;
  bool header = false;
  std::vector<std::string> names;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    const auto cells = split(line);
    if (!header) {
      header = true;
      width = cells.size();
      names = cells;
      for (size_t i = 0; i < cells.size(); ++i) {
        const int c = column_of(cells[i]);
        if (c < 0) {
          t.ignored_columns.push_back(cells[i]);
          continue;
        }
        if (index[c] >= 0) {
          fail(line_no, static_cast<int>(i) + 1,
               fmt::format("columns '{}' and '{}' both give {}", names[static_cast<size_t>(index[c])], cells[i],
                           column_name(c)));
        }
        index[c] = static_cast<int>(i);
      }
      for (int c : {arrival, input, output}) {
        if (index[c] < 0) {
          fail(line_no, 0,
               fmt::format("the header has no '{}' column (found: {}); a trace needs arrival_s, input_tokens and "
                           "output_tokens, and may give cached_tokens",
                           column_name(c), fmt::join(cells, ", ")));
        }
      }
      t.has_cached = index[cached] >= 0;
      continue;
    }
    if (cells.size() != width) {
      fail(line_no, 0, fmt::format("{} cells, but the header has {}", cells.size(), width));
    }
    double v[kColumns] = {0, 0, 0, 0};
    for (int c = 0; c < kColumns; ++c) {
      if (index[c] < 0) continue;
      const std::string& cell = cells[static_cast<size_t>(index[c])];
      const int col = index[c] + 1;
      double x = 0;
      const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
      if (cell.empty() || ec != std::errc() || end != cell.data() + cell.size() || !std::isfinite(x)) {
        fail(line_no, col, fmt::format("{}: not a number: '{}'", names[static_cast<size_t>(index[c])], cell));
      }
      if (c != arrival && x != std::floor(x)) {
        fail(line_no, col, fmt::format("{}: token counts are whole numbers, got {}", column_name(c), cell));
      }
      v[c] = x;
    }
    if (v[arrival] < 0 || v[arrival] >= 86400) {
      fail(line_no, index[arrival] + 1,
           fmt::format("arrival_s {} is outside the day [0, 86400): a trace is one day, in seconds from its start",
                       v[arrival]));
    }
    if (v[input] < 1) fail(line_no, index[input] + 1, fmt::format("input_tokens must be >= 1, got {}", v[input]));
    if (v[output] < 0) fail(line_no, index[output] + 1, fmt::format("output_tokens must be >= 0, got {}", v[output]));
    if (v[cached] < 0 || v[cached] > v[input]) {
      fail(line_no, index[cached] + 1,
           fmt::format("cached_tokens {} must lie between 0 and the prompt's {} tokens", v[cached], v[input]));
    }
    t.rows.push_back({v[arrival], v[input], v[output], v[cached]});
  }
  if (!header) fail(0, 0, "the trace is empty: it needs a header row and at least one request");
  if (t.rows.empty()) fail(line_no, 0, "the trace has a header but no requests");
  std::stable_sort(t.rows.begin(), t.rows.end(),
                   [](const TraceRequest& a, const TraceRequest& b) { return a.arrival_s < b.arrival_s; });
  return t;
}

std::shared_ptr<const RequestTrace> load_trace(const std::string& path, const core::SourceLocation& where,
                                               const std::string& field) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto mtime = fs::last_write_time(path, ec);
  if (ec || !fs::is_regular_file(path, ec)) {
    throw core::InputError(where, field, fmt::format("cannot read the request trace '{}'", path));
  }
  const auto size = fs::file_size(path, ec);
  // Kept by path, modification time and size: a file rewritten within one clock tick of its
  // filesystem still shows as new when its size changed.
  using Stamp = std::pair<fs::file_time_type, std::uintmax_t>;
  static std::mutex mu;
  static std::map<std::string, std::pair<Stamp, std::shared_ptr<const RequestTrace>>> cache;
  const Stamp stamp{mtime, ec ? 0 : size};
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(path); it != cache.end() && it->second.first == stamp) return it->second.second;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) throw core::InputError(where, field, fmt::format("cannot read the request trace '{}'", path));
  std::ostringstream text;
  text << f.rdbuf();
  auto t = std::make_shared<const RequestTrace>(parse_trace(path, text.str(), field));
  std::lock_guard lock(mu);
  cache[path] = {stamp, t};
  return t;
}

std::shared_ptr<const RequestTrace> load_trace(const scenario::TrafficSpec& traffic) {
  return load_trace(scenario::trace_path(traffic), core::location_of(traffic.provenance, "trace"),
                    "serving.traffic.trace");
}

std::string trace_csv(const std::vector<TraceRequest>& rows) {
  std::string out = "arrival_s,input_tokens,output_tokens,cached_tokens\n";
  out.reserve(out.size() + rows.size() * 32);
  for (const auto& r : rows) {
    fmt::format_to(std::back_inserter(out), "{:.6f},{:.0f},{:.0f},{:.0f}\n", r.arrival_s, r.input, r.output, r.cached);
  }
  return out;
}

}  // namespace fleetsim::serve
