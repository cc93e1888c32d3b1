// The engine's order (time, priority, insertion), cancellation, run_until, and the fatal check
// on time going backwards.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "sim/engine.h"

using namespace fleetsim;
using sim::Engine;

TEST_CASE("events run by time, then priority, then insertion order") {
  Engine e;
  std::string order;
  e.at(20, [&] { order += "d"; });
  e.at(10, [&] { order += "b"; }, sim::kNormal);
  e.at(10, [&] { order += "c"; }, sim::kLate);
  e.at(10, [&] { order += "a"; }, sim::kEarly);
  e.at(10, [&] { order += "B"; }, sim::kNormal);  // same time and priority as "b": after it
  e.run();
  CHECK(order == "abBcd");
  CHECK(e.now() == 20);
  CHECK(e.executed() == 5);
}

TEST_CASE("actions schedule more actions, including at the current time") {
  Engine e;
  std::vector<sim::Time> seen;
  std::function<void()> tick = [&] {
    seen.push_back(e.now());
    if (seen.size() < 5) e.after(seen.size() % 2 ? 0 : 7, tick);
  };
  e.at(3, tick);
  e.run();
  // 3, then +0, +7, +0, +7.
  CHECK(seen == std::vector<sim::Time>{3, 3, 10, 10, 17});
}

TEST_CASE("cancelled events do not run; stale ids are ignored") {
  Engine e;
  int ran = 0;
  auto a = e.at(5, [&] { ran += 1; });
  auto b = e.at(6, [&] { ran += 10; });
  CHECK(e.cancel(a));
  CHECK_FALSE(e.cancel(a));  // already cancelled
  CHECK_FALSE(e.is_pending(a));
  CHECK(e.is_pending(b));
  // The cancelled slot is not reused while its heap entry is pending: a new event keeps its own.
  auto c = e.at(7, [&] { ran += 100; });
  e.run();
  CHECK(ran == 110);
  CHECK_FALSE(e.cancel(b));  // already ran
  CHECK_FALSE(e.cancel(c));
}

TEST_CASE("run_until stops at a time and moves the clock there") {
  Engine e;
  int ran = 0;
  for (sim::Time t : {10, 20, 30}) e.at(t, [&] { ++ran; });
  auto skipped = e.at(15, [&] { ran += 100; });
  e.cancel(skipped);
  e.run_until(25);
  CHECK(ran == 2);
  CHECK(e.now() == 25);
  e.run();
  CHECK(ran == 3);
}

TEST_CASE("time going backwards is a fatal internal error that says why") {
  Engine e;
  e.at(100, [] {});
  e.run();
  CHECK_THROWS_AS(e.at(99, [] {}), core::InternalError);
  CHECK_THROWS_WITH(e.at(50, [] {}), Catch::Matchers::ContainsSubstring("time went backwards") &&
                                         Catch::Matchers::ContainsSubstring("50 ns") &&
                                         Catch::Matchers::ContainsSubstring("100 ns"));
  CHECK_THROWS_AS(e.after(-1, [] {}), core::InternalError);
}

TEST_CASE("random schedules run in (time, priority, sequence) order: the heap against a sort") {
  core::Rng rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    Engine e;
    struct Key {
      sim::Time t;
      int prio;
      int seq;
    };
    std::vector<Key> expected, actual;
    for (int i = 0; i < 500; ++i) {
      Key k{static_cast<sim::Time>(rng.below(100)), static_cast<int>(rng.below(3)) - 1, i};
      expected.push_back(k);
      e.at(k.t, [&actual, k] { actual.push_back(k); }, k.prio);
    }
    std::stable_sort(expected.begin(), expected.end(), [](const Key& a, const Key& b) {
      return a.t < b.t || (a.t == b.t && a.prio < b.prio);
    });
    e.run();
    REQUIRE(actual.size() == expected.size());
    for (size_t i = 0; i < actual.size(); ++i) CHECK(actual[i].seq == expected[i].seq);
  }
}

TEST_CASE("large captures fall back to the heap and still run once") {
  Engine e;
  std::vector<int> big(1000, 1);
  int sum = 0;
  struct Big {
    char pad[200];
    int* out;
    void operator()() const { *out += 1; }
  };
  Big b{};
  b.out = &sum;
  e.at(1, b);
  e.at(2, [big, &sum] { sum += static_cast<int>(big.size()); });
  e.run();
  CHECK(sum == 1001);
}
