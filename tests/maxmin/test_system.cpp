// Hand-worked max-min allocations: each expected value is derived in the comment beside it.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <vector>

#include "maxmin/system.h"

using namespace fleetsim::maxmin;
using Catch::Approx;

TEST_CASE("the worked number of the header: one link bottlenecks a flow, the others share the rest") {
  // A = 10, B = 2; x on A and B, y and z on A. A alone would saturate at level 10/3, B (x
  // alone) at 2: B first, x = 2; A then has 10 - 2 = 8 for y and z: 4 each.
  System s;
  const LinkId a = s.add_link(10), b = s.add_link(2);
  const Use xa[] = {{a, 1}, {b, 1}}, ya[] = {{a, 1}};
  const FlowId x = s.add_flow(xa), y = s.add_flow(ya), z = s.add_flow(ya);
  s.solve();
  CHECK(s.rate(x) == Approx(2));
  CHECK(s.rate(y) == Approx(4));
  CHECK(s.rate(z) == Approx(4));
  CHECK(s.load(a) == Approx(10));
  CHECK(s.load(b) == Approx(2));
}

TEST_CASE("a flow with twice the weight gets twice the share") {
  // Link 9, weights 1 and 2: level L with L + 2L = 9, so L = 3: rates 3 and 6.
  System s;
  const LinkId l = s.add_link(9);
  const Use u[] = {{l, 1}};
  const FlowId one = s.add_flow(u, 1.0), two = s.add_flow(u, 2.0);
  s.solve();
  CHECK(s.rate(one) == Approx(3));
  CHECK(s.rate(two) == Approx(6));
}

TEST_CASE("a bounded flow frees capacity for the others") {
  // Link 10 and three flows; one is bounded at 2. Fair share would be 10/3 > 2, so the bound
  // binds first; the other two split 10 - 2 = 8: 4 each.
  System s;
  const LinkId l = s.add_link(10);
  const Use u[] = {{l, 1}};
  const FlowId bounded = s.add_flow(u, 1.0, 2.0), p = s.add_flow(u), q = s.add_flow(u);
  s.solve();
  CHECK(s.rate(bounded) == Approx(2));
  CHECK(s.rate(p) == Approx(4));
  CHECK(s.rate(q) == Approx(4));
  // A bound above the fair share does not bind: 10/3 each.
  s.remove_flow(bounded);
  const FlowId loose = s.add_flow(u, 1.0, 5.0);
  s.solve();
  CHECK(s.rate(loose) == Approx(10.0 / 3));
  CHECK(s.rate(p) == Approx(10.0 / 3));
}

TEST_CASE("a coefficient is how much of the link a unit of rate takes") {
  // Link 12; flow a takes 2 per unit of rate (a protocol at 50% efficiency), b takes 1.
  // Equal weights, equal rates L: 2L + L = 12, L = 4; a uses 8 of the link, b 4.
  System s;
  const LinkId l = s.add_link(12);
  const Use ua[] = {{l, 2}}, ub[] = {{l, 1}};
  const FlowId a = s.add_flow(ua), b = s.add_flow(ub);
  s.solve();
  CHECK(s.rate(a) == Approx(4));
  CHECK(s.rate(b) == Approx(4));
  CHECK(s.load(l) == Approx(12));
}

TEST_CASE("removing a flow and changing a capacity re-solve what they touch") {
  System s;
  const LinkId a = s.add_link(10), b = s.add_link(2), c = s.add_link(6);
  const Use xa[] = {{a, 1}, {b, 1}}, ya[] = {{a, 1}}, wc[] = {{c, 1}};
  const FlowId x = s.add_flow(xa), y = s.add_flow(ya), z = s.add_flow(ya), w = s.add_flow(wc);
  s.solve();
  CHECK(s.last_solved().size() == 4);
  // Without x, y and z split A: 5 each. w is on another component and is not re-solved.
  s.remove_flow(x);
  s.solve();
  CHECK(s.rate(y) == Approx(5));
  CHECK(s.rate(z) == Approx(5));
  CHECK(s.rate(w) == Approx(6));
  const auto solved = s.last_solved();
  CHECK(std::find(solved.begin(), solved.end(), w) == solved.end());
  CHECK(solved.size() == 2);
  // Halving A: 2.5 each.
  s.set_capacity(a, 5);
  s.solve();
  CHECK(s.rate(y) == Approx(2.5));
  CHECK(s.last_solved().size() == 2);
  // Nothing changed: nothing is re-solved.
  s.solve();
  CHECK(s.last_solved().empty());
}

TEST_CASE("flows without links take their bound; zero capacity gives zero rate") {
  System s;
  const FlowId free_flow = s.add_flow({});
  const FlowId capped = s.add_flow({}, 1.0, 7.0);
  const LinkId dead = s.add_link(0);
  const Use u[] = {{dead, 1}};
  const FlowId stuck = s.add_flow(u);
  s.solve();
  CHECK(s.rate(free_flow) == kUnbounded);
  CHECK(s.rate(capped) == 7.0);
  CHECK(s.rate(stuck) == 0.0);
}

TEST_CASE("a chain of bottlenecks: parking-lot topology") {
  // Links L1..L3 of capacity 1; a long flow over all three, one short flow on each link.
  // Every link has two flows: all saturate at level 1/2, so every flow gets 1/2.
  // Then L3 doubles to 2: L1 and L2 still fix the long flow at 1/2, and L3's short flow takes
  // the 2 - 1/2 = 3/2 left.
  System s;
  std::vector<LinkId> l = {s.add_link(1), s.add_link(1), s.add_link(1)};
  const Use lu[] = {{l[0], 1}, {l[1], 1}, {l[2], 1}};
  const FlowId longf = s.add_flow(lu);
  std::vector<FlowId> shorts;
  for (LinkId id : l) {
    const Use su[] = {{id, 1}};
    shorts.push_back(s.add_flow(su));
  }
  s.solve();
  CHECK(s.rate(longf) == Approx(0.5));
  for (FlowId f : shorts) CHECK(s.rate(f) == Approx(0.5));
  s.set_capacity(l[2], 2);
  s.solve();
  CHECK(s.rate(longf) == Approx(0.5));
  CHECK(s.rate(shorts[2]) == Approx(1.5));
}

TEST_CASE("ids of removed flows are reused and memory stays bounded") {
  System s;
  const LinkId l = s.add_link(1);
  const Use u[] = {{l, 1}};
  for (int round = 0; round < 100; ++round) {
    std::vector<FlowId> ids;
    for (int i = 0; i < 100; ++i) ids.push_back(s.add_flow(u));
    s.solve();
    CHECK(s.rate(ids.front()) == Approx(0.01));
    for (FlowId id : ids) s.remove_flow(id);
  }
  CHECK(s.flow_count() == 0);
  s.solve();
  // 100 rounds of 100 flows reuse the same 100 slots.
  CHECK(s.memory_bytes() < 64 * 1024);
}
