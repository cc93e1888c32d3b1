#include "plan/grid.h"

#include <fmt/format.h>

#include <charconv>

#include "core/error.h"
#include "core/text.h"

namespace fleetsim::plan {

Axis parse_axis(std::string_view text) {
  const std::string origin = fmt::format("--grid {}", text);
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) throw core::InputError({origin, 0, 0}, "", "expected path=v1,v2,...");
  Axis axis;
  axis.path = std::string(core::trim(text.substr(0, eq)));
  std::string_view rest = text.substr(eq + 1);
  int depth = 0;
  char quote = 0;
  std::string cur;
  auto flush = [&] {
    std::string v(core::trim(cur));
    if (v.empty()) throw core::InputError({origin, 0, 0}, axis.path, "an empty value in the list");
    axis.values.push_back(std::move(v));
    cur.clear();
  };
  for (char c : rest) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      flush();
      continue;
    }
    cur += c;
  }
  if (quote || depth != 0) throw core::InputError({origin, 0, 0}, axis.path, "unbalanced quotes or brackets");
  flush();
  return axis;
}

Grid::Grid(std::vector<Axis> axes) : axes_(std::move(axes)) {
  for (const auto& a : axes_) {
    FLEETSIM_CHECK(!a.values.empty(), "an axis needs values");
    if (size_ > UINT64_MAX / a.values.size()) throw core::InputError("the grid has more than 2^64 points");
    size_ *= a.values.size();
  }
  for (size_t i = 0; i < axes_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (axes_[i].path == axes_[j].path) {
        throw core::InputError(fmt::format("--grid {} is given twice", axes_[i].path));
      }
    }
  }
}

std::vector<size_t> Grid::coordinates(uint64_t i) const {
  FLEETSIM_CHECK(i < size_, "point outside the grid");
  std::vector<size_t> c(axes_.size());
  for (size_t a = axes_.size(); a-- > 0;) {
    c[a] = static_cast<size_t>(i % axes_[a].values.size());
    i /= axes_[a].values.size();
  }
  return c;
}

std::vector<std::string> Grid::overrides(uint64_t i) const {
  const auto c = coordinates(i);
  std::vector<std::string> out;
  for (size_t a = 0; a < axes_.size(); ++a) out.push_back(axes_[a].path + "=" + axes_[a].values[c[a]]);
  return out;
}

std::string Grid::fingerprint() const {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff;
    h *= 0x100000001b3ULL;
  };
  for (const auto& a : axes_) {
    mix(a.path);
    for (const auto& v : a.values) mix(v);
  }
  return fmt::format("{:016x}", h);
}

std::string Shard::text() const { return fmt::format("{}/{}", index + 1, count); }

Shard parse_shard(std::string_view text) {
  auto slash = text.find('/');
  uint64_t k = 0, n = 0;
  bool ok = slash != std::string_view::npos;
  if (ok) {
    auto a = std::from_chars(text.data(), text.data() + slash, k);
    auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), n);
    ok = a.ec == std::errc() && a.ptr == text.data() + slash && b.ec == std::errc() &&
         b.ptr == text.data() + text.size() && n >= 1 && k >= 1 && k <= n;
  }
  if (!ok) throw core::InputError(fmt::format("--shard {}: expected K/N with 1 <= K <= N", text));
  return {k - 1, n};
}

}  // namespace fleetsim::plan
