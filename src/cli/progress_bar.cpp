#include "cli/progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <fmt/format.h>

namespace fleetsim::cli {

ProgressBar::ProgressBar(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}

ProgressBar::~ProgressBar() {
  if (open_) end();
}

void ProgressBar::begin(std::string_view phase, int64_t total) {
  std::lock_guard lock(mutex_);
  phase_ = phase;
  total_ = total;
  done_ = 0;
  last_decile_ = -1;
  start_ = last_draw_ = std::chrono::steady_clock::now();
  open_ = true;
  draw(0, false);
}

void ProgressBar::update(int64_t done) {
  std::lock_guard lock(mutex_);
  if (!open_ || done <= done_) return;
  done_ = done;
  draw(done, false);
}

void ProgressBar::end() {
  std::lock_guard lock(mutex_);
  if (!open_) return;
  draw(total_, true);
  open_ = false;
}

void ProgressBar::draw(int64_t done, bool final) {
  if (quiet_ || total_ <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  if (tty_) {
    // Redraw at most 10 times a second.
    if (!final && done > 0 && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::string eta = "";
    if (done > 0 && !final) eta = fmt::format(", {:.0f} s left", elapsed * (1.0 - frac) / frac);
    std::fprintf(stderr, "\r%-28s [%s] %5.1f%% %lld/%lld (%.1f s%s)   %s", phase_.c_str(), bar.c_str(), 100 * frac,
                 static_cast<long long>(done), static_cast<long long>(total_), elapsed, eta.c_str(),
                 final ? "\n" : "");
  } else {
    const int decile = static_cast<int>(frac * 10);
    if (decile == last_decile_) return;  // the end was already reported by the last update
    last_decile_ = decile;
    if (final || decile > 0) {
      std::fprintf(stderr, "%s: %lld/%lld (%.0f%%) after %.1f s\n", phase_.c_str(), static_cast<long long>(done),
                   static_cast<long long>(total_), 100 * frac, elapsed);
    }
  }
  std::fflush(stderr);
}

}  // namespace fleetsim::cli
