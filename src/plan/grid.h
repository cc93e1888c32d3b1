// A sweep's grid: the cartesian product of override axes ("training.cluster.nodes=64,128,256").
// Points are numbered 0..size()-1 with the last axis varying fastest, so a grid always lists its
// points in the same order, and a shard K/N is every point whose number is K-1 modulo N.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::plan {

struct Axis {
  std::string path;                 // a dotted field path, as --set takes it
  std::vector<std::string> values;  // YAML text of each value
};

// "path=v1,v2,...": values are split at commas outside brackets, braces and quotes, so
// "x=[1,2],[3,4]" has two values. Throws core::InputError naming the text.
Axis parse_axis(std::string_view text);

class Grid {
 public:
  explicit Grid(std::vector<Axis> axes);

  uint64_t size() const { return size_; }
  const std::vector<Axis>& axes() const { return axes_; }
  // The value index of each axis at point i.
  std::vector<size_t> coordinates(uint64_t i) const;
  // "path=value" overrides of point i, one per axis.
  std::vector<std::string> overrides(uint64_t i) const;
  // A stable fingerprint of the axes and values (16 hex digits), to refuse resuming another grid.
  std::string fingerprint() const;

 private:
  std::vector<Axis> axes_;
  uint64_t size_ = 1;
};

// One slice of a grid for batch schedulers: points i with i % count == index (0-based).
struct Shard {
  uint64_t index = 0;
  uint64_t count = 1;
  bool contains(uint64_t i) const { return i % count == index; }
  std::string text() const;  // "K/N", 1-based
};
// "K/N" with 1 <= K <= N. Throws core::InputError.
Shard parse_shard(std::string_view text);

}  // namespace fleetsim::plan
