// The Pareto front of candidates that minimise two objectives (cost and time): a candidate is on
// the front when no other is at least as good in both and better in one.
#pragma once

#include <cstddef>
#include <vector>

namespace fleetsim::plan {

struct Objectives {
  double cost = 0;
  double time = 0;
};

// Indices of the candidates on the front, sorted by time (then cost). Ties in both objectives
// keep the first candidate only, so the front is deterministic. O(n log n).
std::vector<size_t> pareto_front(const std::vector<Objectives>& candidates);

}  // namespace fleetsim::plan
