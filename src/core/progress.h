// Progress of long work, reported to whoever listens. The core never prints: the CLI supplies
// a terminal bar (or quiet lines when not on a TTY); library users and tests pass nothing.
#pragma once

#include <cstdint>
#include <string_view>

namespace fleetsim::core {

class Progress {
 public:
  virtual ~Progress() = default;
  // A new phase of `total` units of work ("training step", 1000).
  virtual void begin(std::string_view phase, int64_t total) = 0;
  // `done` units of the current phase are finished (monotone, <= total). Thread-safe.
  virtual void update(int64_t done) = 0;
  virtual void end() = 0;
};

// Listens to nothing.
class NoProgress final : public Progress {
 public:
  void begin(std::string_view, int64_t) override {}
  void update(int64_t) override {}
  void end() override {}
};

}  // namespace fleetsim::core
