// Running a grid of what-ifs: every point evaluated on N threads, rows written to disk in grid
// order as soon as their predecessors are written, so
//  - the file is byte-identical whatever the thread count;
//  - a killed sweep leaves only whole rows (a torn last line is dropped on --resume), and
//    --resume continues after the last row without redoing or losing any;
//  - a shard K/N writes its own JSONL file, and merge_shards joins them, checking that every
//    point of the grid appears exactly once.
// An infeasible point (the evaluator throws core::InputError: out of memory, a deadline missed)
// is a row with ok=false and the reason, not an error of the sweep.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/schema.h"
#include "plan/grid.h"

namespace fleetsim::plan {

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // The result fields of a point, in column order.
  virtual std::vector<std::string> columns() const = 0;
  // Evaluates point `index`; returns a flat JSON object with (some of) columns(). Called from
  // several threads at once: must be thread-safe and depend only on its arguments.
  virtual core::Json evaluate(uint64_t index, const std::vector<std::string>& overrides) const = 0;
};

struct SweepOptions {
  std::filesystem::path output;  // .jsonl, or .csv (unsharded sweeps only)
  unsigned threads = 1;          // 0: all hardware threads
  Shard shard;
  bool resume = false;           // continue an existing output; without it an existing file is an error
  core::Progress* progress = nullptr;
  // Stop after writing this many rows, as if killed (tests of --resume).
  uint64_t stop_after = std::numeric_limits<uint64_t>::max();
};

struct SweepSummary {
  uint64_t points = 0;     // in this shard
  uint64_t resumed = 0;    // rows found already written
  uint64_t evaluated = 0;  // rows written now
  uint64_t failed = 0;     // infeasible rows written now
};

SweepSummary run_sweep(const Grid& grid, const Evaluator& evaluator, const SweepOptions& options);

// Joins shard outputs (JSONL) into `output` (.jsonl or .csv, written atomically). Every input must
// come from the same grid; every point must appear exactly once. Returns the number of rows.
uint64_t merge_shards(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output);

}  // namespace fleetsim::plan
