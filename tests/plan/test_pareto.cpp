#include <catch2/catch_test_macros.hpp>

#include <set>

#include "core/rng.h"
#include "plan/pareto.h"

using namespace fleetsim;

TEST_CASE("the front of a hand-made set") {
  // (cost, time): A(10, 5) B(8, 6) C(9, 7) dominated by B; D(6, 9); E(8, 6) ties B; F(12, 4).
  std::vector<plan::Objectives> c = {{10, 5}, {8, 6}, {9, 7}, {6, 9}, {8, 6}, {12, 4}};
  CHECK(plan::pareto_front(c) == std::vector<size_t>{5, 0, 1, 3});
  CHECK(plan::pareto_front({}).empty());
}

TEST_CASE("the front against brute force on random sets") {
  core::Rng rng(11);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<plan::Objectives> c(1 + rng.below(40));
    // Coarse values so that ties happen.
    for (auto& o : c) o = {static_cast<double>(rng.below(12)), static_cast<double>(rng.below(12))};
    std::set<size_t> expected;
    for (size_t i = 0; i < c.size(); ++i) {
      bool dominated = false, duplicate_before = false;
      for (size_t j = 0; j < c.size(); ++j) {
        if (j == i) continue;
        const bool no_worse = c[j].cost <= c[i].cost && c[j].time <= c[i].time;
        const bool better = c[j].cost < c[i].cost || c[j].time < c[i].time;
        dominated = dominated || (no_worse && better);
        duplicate_before = duplicate_before || (j < i && c[j].cost == c[i].cost && c[j].time == c[i].time);
      }
      if (!dominated && !duplicate_before) expected.insert(i);
    }
    const auto front = plan::pareto_front(c);
    CHECK(std::set<size_t>(front.begin(), front.end()) == expected);
    for (size_t k = 1; k < front.size(); ++k) {
      CHECK(c[front[k - 1]].time < c[front[k]].time);  // faster first, strictly cheaper after
      CHECK(c[front[k - 1]].cost > c[front[k]].cost);
    }
  }
}
