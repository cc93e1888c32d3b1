// Simulated time: an integer count of nanoseconds since the start of a run (int64: 292 years).
// Integers make event order exact and runs reproducible; models compute in double seconds and
// convert at the boundary.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "core/error.h"

namespace fleetsim::sim {

using Time = int64_t;  // nanoseconds

inline constexpr Time kNanosecond = 1;
inline constexpr Time kMicrosecond = 1000;
inline constexpr Time kMillisecond = 1000 * kMicrosecond;
inline constexpr Time kSecond = 1000 * kMillisecond;
inline constexpr Time kNever = std::numeric_limits<Time>::max();

inline double to_seconds(Time t) { return static_cast<double>(t) * 1e-9; }

// The first nanosecond at or after `seconds` (a duration is never rounded down to zero work).
inline Time ceil_ns(double seconds) {
  FLEETSIM_CHECK(seconds >= 0 && seconds < 9.2e9, "a duration must be between 0 and 292 years");
  return static_cast<Time>(std::ceil(seconds * 1e9 - 1e-6));
}

}  // namespace fleetsim::sim
