// The engine's order (time, priority, insertion), cancellation, run_until, and the fatal check
// on time going backwards.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <functional>
#include <queue>
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

namespace {
// The oracle: std::priority_queue of (time, priority, sequence), the order the engine documents.
struct OracleKey {
  sim::Time t;
  int prio;
  uint64_t seq;
  bool operator<(const OracleKey& o) const {  // "less" for a max-heap: later keys are smaller
    if (t != o.t) return t > o.t;
    if (prio != o.prio) return prio > o.prio;
    return seq > o.seq;
  }
};
}  // namespace

TEST_CASE("a hold model with many ties and a large queue runs in the oracle's order") {
  // Each event, when it runs, schedules 0..2 more at delays of 0..2^k ns (0 included: events at
  // the current time, possibly at a lower priority than the one running), with ~64K pending at
  // the peak. std::priority_queue runs the same model in lockstep: each event the engine runs
  // must be the oracle's top at that moment.
  for (int spread_bits : {0, 3, 10, 40}) {
    core::Rng rng(100 + static_cast<uint64_t>(spread_bits));
    Engine e;
    std::priority_queue<OracleKey> oracle;
    uint64_t seq = 0, budget = 200'000;
    uint64_t ran = 0, mismatches = 0;
    std::function<void(uint64_t)> schedule_one;
    auto schedule = [&](sim::Time when, int prio) {
      const uint64_t id = seq++;
      oracle.push({when, prio, id});
      e.at(when, [&, id] { schedule_one(id); }, prio);
    };
    schedule_one = [&](uint64_t id) {
      ++ran;
      if (oracle.empty() || oracle.top().seq != id || oracle.top().t != e.now()) ++mismatches;
      if (!oracle.empty()) oracle.pop();
      const int children = budget == 0 ? 0 : static_cast<int>(rng.below(3));
      for (int c = 0; c < children && budget > 0; ++c, --budget) {
        const uint64_t span = spread_bits == 0 ? 1 : (uint64_t{1} << spread_bits);
        const sim::Time d = rng.below(4) == 0 ? 0 : static_cast<sim::Time>(rng.below(span));
        schedule(e.now() + d, static_cast<int>(rng.below(5)) - 2);
      }
    };
    for (int i = 0; i < 65'536; ++i) {
      schedule(static_cast<sim::Time>(rng.below(1024)), static_cast<int>(rng.below(3)) - 1);
    }
    CHECK(e.queued() == 65'536);
    e.run();
    CHECK(mismatches == 0);
    CHECK(ran == seq);
    CHECK(oracle.empty());
    CHECK(e.queued() == 0);
  }
}

TEST_CASE("run_until that looks past now() keeps the order of events scheduled after it") {
  // run_until(25) finds the next event at 1000 and stops at 25; events then scheduled between
  // 25 and 1000 (before the queue's look-ahead) still run first, in (time, priority, sequence).
  Engine e;
  std::string order;
  e.at(1000, [&] { order += "z"; });
  e.at(1 << 20, [&] { order += "Z"; });
  e.run_until(25);
  CHECK(e.now() == 25);
  e.at(500, [&] { order += "c"; });
  e.at(30, [&] { order += "b"; }, sim::kLate);
  e.at(30, [&] { order += "a"; }, sim::kEarly);
  e.at(1000, [&] { order += "y"; }, sim::kEarly);
  auto x = e.at(600, [&] { order += "X"; });
  e.cancel(x);
  e.run_until(700);
  CHECK(order == "abc");
  e.at(800, [&] {
    order += "d";
    e.at(800, [&] { order += "e"; });  // at the current time, from inside an action
  });
  e.run();
  CHECK(order == "abcdeyzZ");
  CHECK(e.queued() == 0);
}
