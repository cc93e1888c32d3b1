#include "plan/pareto.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace fleetsim::plan {

std::vector<size_t> pareto_front(const std::vector<Objectives>& c) {
  std::vector<size_t> order(c.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // By time, then cost, then index: the sweep below keeps a candidate when it is cheaper than
  // every faster-or-as-fast one kept before it.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (c[a].time != c[b].time) return c[a].time < c[b].time;
    if (c[a].cost != c[b].cost) return c[a].cost < c[b].cost;
    return a < b;
  });
  std::vector<size_t> front;
  double best_cost = std::numeric_limits<double>::infinity();
  for (size_t i : order) {
    if (c[i].cost < best_cost) {
      front.push_back(i);
      best_cost = c[i].cost;
    }
  }
  return front;
}

}  // namespace fleetsim::plan
