// Progress on the terminal: a bar with a rate and time left when stderr is a terminal, and a
// quiet line every 10% (and at the end) when it is not (logs, CI). Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "core/progress.h"

namespace fleetsim::cli {

class ProgressBar final : public core::Progress {
 public:
  // quiet: print nothing at all (--quiet, --json to stdout is unaffected since this writes stderr).
  explicit ProgressBar(bool quiet = false);
  ~ProgressBar() override;

  void begin(std::string_view phase, int64_t total) override;
  void update(int64_t done) override;
  void end() override;

 private:
  void draw(int64_t done, bool final);

  std::mutex mutex_;
  bool quiet_;
  bool tty_;
  std::string phase_;
  int64_t total_ = 0;
  int64_t done_ = 0;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool open_ = false;
};

}  // namespace fleetsim::cli
