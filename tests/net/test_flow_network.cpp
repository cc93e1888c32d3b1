// Transfers in simulated time: latency, then max-min shares re-solved as flows start and end.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <vector>

#include "cluster.h"
#include "net/collective.h"
#include "net/flow_network.h"

using namespace fleetsim;
using Catch::Approx;
using topo::FabricKind;

namespace {
constexpr double kNvlink = 200e9;  // H800 per direction
double seconds(sim::Time t) { return sim::to_seconds(t); }
// Simulated time is in whole nanoseconds: a latency and a completion each round up by < 1 ns.
Approx at(double s) { return Approx(s).epsilon(0).margin(2e-9); }
}  // namespace

TEST_CASE("one transfer alone: latency, then the line rate times the calibrated efficiency") {
  const auto t = test::cluster("hgx-h800", 1);
  sim::Engine e;
  net::FlowNetwork n(e, t, test::calibrated("h800"));
  sim::Time end = -1;
  n.transfer({0, 0}, {0, 1}, 1e9, [&] { end = e.now(); });
  e.run();
  // 3.33 us (NVLink latency) + 1e9 B / (200 GB/s x 0.68) = 3.33 us + 7.353 ms.
  CHECK(seconds(end) == at(3.33e-6 + 1e9 / (kNvlink * 0.68)));
  CHECK(n.active() == 0);
  CHECK(n.transfers_done() == 1);
}

TEST_CASE("two transfers share a link, and the survivor speeds up when one ends") {
  // Ideal links. GPU 0 sends 1 GB to GPU 1 and 3 GB to GPU 2: both leave through GPU 0's 200 GB/s
  // NVLink port, 100 GB/s each. The 1 GB ends at 10 ms, when the other has 2 GB left, which it
  // then moves alone at 200 GB/s: 10 ms more, 20 ms in all.
  const auto t = test::cluster("hgx-h800", 1);
  sim::Engine e;
  net::FlowNetwork n(e, t, net::CommCosts::ideal());
  sim::Time small = -1, large = -1;
  n.transfer({0, 0}, {0, 1}, 1e9, [&] { small = e.now(); });
  n.transfer({0, 0}, {0, 2}, 3e9, [&] { large = e.now(); });
  e.run();
  CHECK(seconds(small) == at(0.010));
  CHECK(seconds(large) == at(0.020));
}

TEST_CASE("a weight is a share: weight 3 against weight 1 gets three quarters") {
  const auto t = test::cluster("hgx-h800", 1);
  sim::Engine e;
  net::FlowNetwork n(e, t, net::CommCosts::ideal());
  sim::Time heavy = -1, light = -1;
  net::TransferOptions w3;
  w3.weight = 3;
  // 150 GB/s and 50 GB/s: 1.5 GB at 150 GB/s ends at 10 ms; then the light one has 1.5 - 0.5 = 1 GB
  // left at 200 GB/s: 5 ms more.
  n.transfer({0, 0}, {0, 1}, 1.5e9, [&] { heavy = e.now(); }, w3);
  n.transfer({0, 0}, {0, 2}, 1.5e9, [&] { light = e.now(); });
  e.run();
  CHECK(seconds(heavy) == at(0.010));
  CHECK(seconds(light) == at(0.015));
}

TEST_CASE("a transfer that starts later slows the running one from then on") {
  // Ideal. A: 2 GB from GPU 0 to 1 at t = 0, alone at 200 GB/s. B: 1 GB from GPU 0 to 2 at 5 ms:
  // A has moved 1 GB; both then share 100 GB/s each: B ends at 15 ms, A (1 GB left) too.
  const auto t = test::cluster("hgx-h800", 1);
  sim::Engine e;
  net::FlowNetwork n(e, t, net::CommCosts::ideal());
  sim::Time a = -1, b = -1;
  n.transfer({0, 0}, {0, 1}, 2e9, [&] { a = e.now(); });
  e.at(5 * sim::kMillisecond, [&] { n.transfer({0, 0}, {0, 2}, 1e9, [&] { b = e.now(); }); });
  e.run();
  CHECK(seconds(a) == at(0.015));
  CHECK(seconds(b) == at(0.015));
}

TEST_CASE("zero bytes and self-transfers end after their latency; chains run in order") {
  const auto t = test::cluster("hgx-h800", 2);
  sim::Engine e;
  net::FlowNetwork n(e, t, test::calibrated("h800"));
  std::vector<double> ends;
  n.transfer({0, 3}, {0, 3}, 1e9, [&] { ends.push_back(seconds(e.now())); });
  n.transfer({0, 0}, {1, 0}, 0, [&] { ends.push_back(seconds(e.now())); });
  e.run();
  REQUIRE(ends.size() == 2);
  CHECK(ends[0] == 0);
  CHECK(ends[1] == Approx(2.8e-6));  // the scale-out latency, one leaf
  // A pipeline of three stages, each sending on when it has received.
  sim::Engine e2;
  net::FlowNetwork n2(e2, t, net::CommCosts::ideal());
  sim::Time end = -1;
  n2.transfer({0, 0}, {0, 1}, 2e9, [&] {
    n2.transfer({0, 1}, {1, 1}, 0.5e9, [&] { end = e2.now(); });
  });
  e2.run();
  // 2 GB over NVLink at 200 GB/s (10 ms), then 0.5 GB over the 50 GB/s NIC (10 ms).
  CHECK(seconds(end) == at(0.020));
}

TEST_CASE("bytes are conserved on every link, and runs are deterministic") {
  const auto t = test::cluster("hgx-h800", 4, FabricKind::rail_fat_tree);
  auto run = [&](std::vector<sim::Time>& ends) {
    sim::Engine e;
    net::FlowNetwork n(e, t, test::calibrated("h800"));
    double expected = 0;
    for (int s = 0; s < 32; ++s) {
      const topo::GpuRef src{s / 8, s % 8}, dst{(s * 5 + 3) % 32 / 8, (s * 5 + 3) % 8};
      const double bytes = 1e6 * (1 + s % 7);
      expected += bytes * t.route(src, dst).hops;  // every shortest path has as many hops
      n.transfer(src, dst, bytes, [&ends, &e] { ends.push_back(e.now()); });
    }
    e.run();
    double carried = 0;
    for (topo::LinkId l = 0; l < t.link_count(); ++l) carried += n.link_bytes(l);
    CHECK(carried == Approx(expected).epsilon(1e-12));
  };
  std::vector<sim::Time> first, second;
  run(first);
  run(second);
  CHECK(first == second);
}

TEST_CASE("concurrent collectives contend: a DP reduce-scatter and an EP all-to-all share the NICs") {
  // 4 nodes on rails. DP: GPU 0 of every node (a rail); EP: all 32 GPUs. Alone, each takes its
  // time; together, the all-to-all's traffic on NIC 0 slows the reduce-scatter, and the sum of
  // the two alone bounds them together.
  const auto t = test::cluster("hgx-h800", 4, FabricKind::rail_fat_tree);
  const auto costs = test::calibrated("h800");
  net::CollectiveSpec dp{net::CollectiveOp::reduce_scatter, net::Group::rail(0, 0, 4), 512e6};
  net::CollectiveSpec ep{net::CollectiveOp::all_to_all, net::Group::nodes(0, 4, 8), 256e6};
  const auto dp_plan = net::plan_collective(dp, t), ep_plan = net::plan_collective(ep, t);
  const double dp_alone = net::simulate_collective(dp_plan, t, costs);
  const double ep_alone = net::simulate_collective(ep_plan, t, costs);
  sim::Engine e;
  net::FlowNetwork n(e, t, costs);
  sim::Time dp_end = -1, ep_end = -1;
  net::start_collective(n, dp_plan, [&] { dp_end = e.now(); });
  net::start_collective(n, ep_plan, [&] { ep_end = e.now(); });
  e.run();
  CHECK(seconds(dp_end) > dp_alone * 1.05);
  CHECK(seconds(ep_end) >= ep_alone * 0.999);
  CHECK(std::max(seconds(dp_end), seconds(ep_end)) <= (dp_alone + ep_alone) * 1.001);
}

TEST_CASE("the observer sees every transfer with its times and route") {
  struct Log : net::FlowObserver {
    std::vector<net::TransferRecord> records;
    void on_transfer_done(const net::TransferRecord& r) override { records.push_back(r); }
  } log;
  const auto t = test::cluster("hgx-h800", 2);
  sim::Engine e;
  net::FlowNetwork n(e, t, test::calibrated("h800"));
  n.set_observer(&log);
  n.transfer({0, 2}, {1, 2}, 8e6, nullptr);
  e.run();
  REQUIRE(log.records.size() == 1);
  const auto& r = log.records[0];
  CHECK(r.first_byte == sim::ceil_ns(2.8e-6));
  CHECK(r.end > r.first_byte);
  CHECK(r.route.hops == 4);
  CHECK(r.bytes == 8e6);
}
