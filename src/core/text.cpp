#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace fleetsim::core {

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t levenshtein(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest_match(std::string_view word, std::span<const std::string> candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  const std::string lw = to_lower(word);
  for (const auto& c : candidates) {
    size_t d = levenshtein(lw, to_lower(c));
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // A typo: at most a third of the word, and at least one edit allowed.
  size_t limit = std::max<size_t>(1, (word.size() + 2) / 3);
  return best_d <= limit ? best : std::string();
}

std::vector<std::string> closest_matches(std::string_view word, std::span<const std::string> candidates) {
  const std::string best = closest_match(word, candidates);
  if (best.empty()) return {};
  const size_t d = levenshtein(to_lower(word), to_lower(best));
  std::vector<std::string> out;
  for (const auto& c : candidates) {
    if (levenshtein(to_lower(word), to_lower(c)) == d) out.push_back(c);
  }
  return out;
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  const auto m = closest_matches(word, candidates);
  return m.empty() ? std::string() : " (did you mean " + join_quoted(std::span<const std::string>(m)) + "?)";
}

namespace {
template <class T>
std::string join_quoted_impl(std::span<const T> items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += "'";
    out += items[i];
    out += "'";
  }
  return out;
}
}  // namespace

std::string join_quoted(std::span<const std::string_view> items) { return join_quoted_impl(items); }
std::string join_quoted(std::span<const std::string> items) { return join_quoted_impl(items); }

std::string join(std::span<const std::string> items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

}  // namespace fleetsim::core
