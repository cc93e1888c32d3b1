// Running independent work items on N threads with results that do not depend on N: each item
// writes only its own slot, and items take no shared random state (see Rng::split).
#pragma once

#include <cstddef>
#include <functional>

namespace fleetsim::core {

// Calls fn(i) for i in [0, n) on `threads` threads (0: the hardware's count; 1: inline, in order).
// Items are handed out dynamically. The first exception thrown by any item is rethrown here
// after all threads stop taking new items.
void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& fn);

unsigned hardware_threads();

}  // namespace fleetsim::core
