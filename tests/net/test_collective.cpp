// Collectives expanded into flows: the shapes of rings and trees, the NCCL laws in the ideal
// model, MoE traffic against its expected values, and bad specs.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cmath>
#include <map>
#include <set>

#include "cluster.h"
#include "core/error.h"
#include "net/analytic.h"
#include "net/collective.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;
using net::CollectiveOp;
using topo::FabricKind;

namespace {
double busbw(const net::CollectivePlan& p, double t) { return p.algbw_bytes / t * p.busbw_factor; }
// Simulated time is in whole nanoseconds: a completion rounds up by < 1 ns.
Approx at(double s) { return Approx(s).epsilon(0).margin(1e-9); }
}  // namespace

TEST_CASE("rings across nodes: one channel per GPU of a node, each GPU leaving its node once, rail to rail") {
  const auto t = test::cluster("hgx-h800", 4);
  const auto plan = net::plan_collective({CollectiveOp::all_reduce, net::Group::nodes(0, 4, 8), 1e9}, t);
  CHECK(plan.channels == 8);
  CHECK(plan.flows.size() == 8 * 32);
  CHECK(plan.steps == 2 * 31);
  std::map<topo::GpuRef, int> exits, sends, receives;
  for (const auto& f : plan.flows) {
    ++sends[f.src];
    ++receives[f.dst];
    CHECK(f.bytes == Approx(2.0 * 31 / 32 * 1e9 / 8));
    if (f.src.node != f.dst.node) {
      ++exits[f.src];
      CHECK(f.src.local == f.dst.local);  // rail-aligned: no PXN, no spine
    }
  }
  CHECK(exits.size() == 32);
  for (const auto& [gpu, n] : exits) CHECK(n == 1);
  for (const auto& [gpu, n] : sends) CHECK(n == 8);     // one flow per channel
  for (const auto& [gpu, n] : receives) CHECK(n == 8);
}

TEST_CASE("the ring law in the ideal model: busbw equals the per-direction port bandwidth, 2(n-1)/n exact") {
  // Inside a node every ring flow has a GPU port to itself: t = 2(n-1)/n S / R, busbw = R.
  const auto t = test::cluster("hgx-h800", 1);
  for (int n = 2; n <= 8; ++n) {
    std::vector<topo::GpuRef> gpus;
    for (int i = 0; i < n; ++i) gpus.push_back({0, i});
    const double s = 1 << 30;
    const auto plan = net::plan_collective({CollectiveOp::all_reduce, net::Group(gpus), s}, t);
    const double time = net::simulate_collective(plan, t, net::CommCosts::ideal());
    INFO("n = " << n);
    CHECK(time == at(2.0 * (n - 1) / n * s / 200e9));
    CHECK(busbw(plan, time) == Approx(200e9).epsilon(1e-6));
    // All-gather and reduce-scatter move half as much in half the steps: half the time.
    for (auto op : {CollectiveOp::all_gather, CollectiveOp::reduce_scatter}) {
      const auto half = net::plan_collective({op, net::Group(gpus), s}, t);
      CHECK(net::simulate_collective(half, t, net::CommCosts::ideal()) == at(time / 2));
    }
  }
  // Across 4 nodes, C = 8 channels: each GPU sends 7 channels over NVLink and 1 through its NIC,
  // so t = X max(7 / 200 GB/s, 1 / 50 GB/s) with X = 2(n-1)/n S/8: NVLink binds (35 ms/TB vs
  // 20), busbw = 8 x 200/7 = 228.6 GB/s.
  const auto four = test::cluster("hgx-h800", 4);
  const auto plan = net::plan_collective({CollectiveOp::all_reduce, net::Group::nodes(0, 4, 8), 1 << 30}, four);
  CHECK(busbw(plan, net::simulate_collective(plan, four, net::CommCosts::ideal())) ==
        Approx(8 * 200e9 / 7).epsilon(1e-6));
}

TEST_CASE("with latency, ring busbw rises with the message size towards the bottleneck bandwidth") {
  const auto t = test::cluster("hgx-h800", 1);
  const auto costs = test::calibrated("h800");
  const double bottleneck = 200e9 * 0.68;
  double previous = 0;
  for (double s = 1 << 16; s <= 4.0 * (1 << 30); s *= 8) {
    const auto plan = net::plan_collective({CollectiveOp::all_reduce, net::Group::nodes(0, 1, 8), s}, t);
    const double bw = busbw(plan, net::simulate_collective(plan, t, costs));
    CHECK(bw > previous);
    CHECK(bw < bottleneck);
    previous = bw;
  }
  CHECK(previous > 0.99 * bottleneck);  // 2 GiB: 14 latencies of 3.33 us against 27.6 ms
}

TEST_CASE("tree all-reduce: fewer latency steps than the ring on many nodes, about the ring's bandwidth") {
  const auto t = test::cluster("hgx-h800", 32, FabricKind::rail_fat_tree);
  const auto costs = test::calibrated("h800");
  const auto group = net::Group::nodes(0, 32, 8);
  auto time = [&](net::Algorithm a, double s) {
    net::CollectiveSpec spec{CollectiveOp::all_reduce, group, s};
    spec.algorithm = a;
    return net::simulate_collective(net::plan_collective(spec, t), t, costs);
  };
  const auto tree = net::plan_collective({CollectiveOp::all_reduce, group, 1e6, net::Algorithm::tree}, t);
  CHECK(tree.steps == 2 * (5 + 7));  // floor(log2 32) + 8 - 1, up and down
  // 64 KB: the ring pays 2 x 255 latencies, the tree 24.
  CHECK(time(net::Algorithm::tree, 65536) < time(net::Algorithm::ring, 65536) / 10);
  // 1 GiB: the same bytes through every NVLink port (7/4 S); the ring's 510 latencies add 1.7 ms.
  const double ring = time(net::Algorithm::ring, 1 << 30), tree_1g = time(net::Algorithm::tree, 1 << 30);
  CHECK(tree_1g < ring);
  CHECK(tree_1g + 510 * 3.33e-6 == Approx(ring).epsilon(0.02));
  // Every member sends and receives in every channel of the tree.
  std::set<topo::GpuRef> active;
  for (const auto& f : tree.flows) active.insert(f.src);
  CHECK(active.size() == 256);
}

TEST_CASE("MoE traffic: sampled token counts agree with the expected probabilities") {
  net::MoeSpec moe;  // DeepSeek-V3's: 4096 tokens, hidden 7168, top-8 of 256 experts, 4 nodes at most
  const auto group = net::Group::nodes(0, 8, 8);
  const auto p = net::moe_probabilities(moe, group);
  // A node's 32 experts among the 128 of 4 chosen nodes: P = 1/2 (1 - C(96,8)/C(128,8)).
  CHECK(p.node == Approx(0.5 * (1 - 0.0927473)).epsilon(1e-5));
  const auto sampled = net::moe_traffic(moe, group);
  double node_sum = 0, rank_sum = 0;
  for (double v : sampled.to_node) node_sum += v;
  for (double v : sampled.to_rank) rank_sum += v;
  // 64 x 4096 tokens: the sampled means within 1% of the expectation.
  CHECK(node_sum / (64 * 8 * 4096.0) == Approx(p.node).epsilon(0.01));
  CHECK(rank_sum / (64 * 64 * 4096.0) == Approx(p.rank).epsilon(0.01));
  // Node-limited: no token reaches more than 4 nodes, so at most 4 x 4096 (token, node) pairs.
  for (int r = 0; r < 64; ++r) {
    double pairs = 0;
    for (int n = 0; n < 8; ++n) pairs += sampled.node_tokens(r, n);
    CHECK(pairs <= 4 * 4096);
    CHECK(pairs >= 4096);
  }
  // The same seed gives the same tokens; another seed other tokens.
  CHECK(net::moe_traffic(moe, group).to_rank == sampled.to_rank);
  moe.seed = 2;
  CHECK(net::moe_traffic(moe, group).to_rank != sampled.to_rank);
}

TEST_CASE("DeepEP forwarding: each token crosses the fabric once per node, in its own plane") {
  const auto t = test::cluster("hgx-h800", 4);
  net::CollectiveSpec spec{CollectiveOp::moe_dispatch, net::Group::nodes(0, 4, 8), 0};
  spec.moe.routing = net::MoeRouting::expected;
  const auto plan = net::plan_collective(spec, t);
  size_t fabric = 0, nvlink = 0;
  for (const auto& f : plan.flows) {
    if (f.src.node != f.dst.node) {
      ++fabric;
      CHECK(f.src.local == f.dst.local);
      CHECK(t.route(f.src, f.dst).nvlink_segments == 0);  // no PXN: the plane is its own
    } else {
      ++nvlink;
    }
  }
  CHECK(fabric == 32 * 3);  // every GPU to the 3 other nodes
  CHECK(nvlink == 32 * 7);  // every forwarder to the 7 other GPUs of its node
  // Combine mirrors dispatch with BF16 tokens: twice the bytes of FP8 less its scales.
  spec.op = CollectiveOp::moe_combine;
  const auto combine = net::plan_collective(spec, t);
  REQUIRE(combine.flows.size() == plan.flows.size());
  CHECK(combine.flows[0].src == plan.flows[0].dst);
  CHECK(combine.flows[0].bytes / plan.flows[0].bytes == Approx(14336.0 / 7392));
  CHECK(net::bytes_per_token(net::TokenFormat::fp8_scaled, 7168) == 7392);
}

TEST_CASE("DeepEP low-latency kernels: a one-token message per (token, expert), straight to its GPU") {
  const auto t = test::cluster("hgx-h800", 4);
  net::CollectiveSpec spec{CollectiveOp::moe_dispatch, net::Group::nodes(0, 4, 8), 0};
  spec.moe.tokens_per_gpu = 128;
  spec.moe.low_latency = true;
  spec.moe.nvlink_forwarding = false;
  // Sampled: every pick is a copy, so each rank sends exactly tokens x top-k copies (its own
  // included), whatever the node limit.
  const auto sampled = net::moe_traffic(spec.moe, spec.group);
  for (int r = 0; r < 32; ++r) {
    double copies = 0;
    for (int d = 0; d < 32; ++d) copies += sampled.rank_tokens(r, d);
    CHECK(copies == 128 * 8);
  }
  // Expected: top-k / ranks copies to every rank.
  spec.moe.routing = net::MoeRouting::expected;
  const auto plan = net::plan_collective(spec, t);
  CHECK(plan.flows.size() == 32 * 31);  // every GPU to every other, no forwarding
  for (const auto& f : plan.flows) {
    CHECK(f.bytes == Approx(128 * 8.0 / 32 * 7392));
    CHECK(f.message_bytes == 7392);  // priced at the one-token point of the efficiency curves
  }
  // DeepEP's bandwidth counts the copies sent, own GPU included.
  CHECK(plan.algbw_bytes == Approx(128 * 8 * 7392.0));
  // A copy per expert (not per GPU) in one-token messages, which H800's curve runs at 0.76
  // instead of 0.87: slower than the normal kernels' direct mode.
  const auto costs = net::CommCosts(test::shipped_calibration().for_gpu(t.spec().gpu).comm);
  const double ll = net::AnalyticModel(t, costs).estimate(spec).time_s;
  spec.moe.low_latency = false;
  const double direct = net::AnalyticModel(t, costs).estimate(spec).time_s;
  CHECK(ll > direct);
}

TEST_CASE("collective specs that cannot run are input errors") {
  const auto t = test::cluster("hgx-h800", 2);
  using Catch::Matchers::ContainsSubstring;
  CHECK_THROWS_WITH(net::plan_collective({CollectiveOp::p2p, net::Group::nodes(0, 1, 3), 1e6}, t),
                    ContainsSubstring("p2p needs a group of two GPUs"));
  CHECK_THROWS_WITH(net::plan_collective({CollectiveOp::all_reduce, net::Group::nodes(0, 3, 8), 1e6}, t),
                    ContainsSubstring("not in the cluster"));
  CHECK_THROWS_AS(net::plan_collective({CollectiveOp::all_reduce, net::Group::nodes(0, 1, 8), -1}, t),
                  core::InputError);
  net::CollectiveSpec moe{CollectiveOp::moe_dispatch, net::Group({{0, 0}, {1, 0}, {0, 1}, {1, 1}}), 0};
  CHECK_THROWS_WITH(net::plan_collective(moe, t), ContainsSubstring("node by node"));
  moe.group = net::Group::nodes(0, 2, 8);
  moe.moe.experts = 100;  // not a multiple of 16
  CHECK_THROWS_WITH(net::plan_collective(moe, t), ContainsSubstring("do not divide"));
  moe.moe.experts = 16;
  moe.moe.max_nodes = 1;
  moe.moe.topk = 9;  // one node holds 8 experts
  CHECK_THROWS_WITH(net::plan_collective(moe, t), ContainsSubstring("top-9"));
  // The analytic fidelity needs the same GPUs on every node.
  net::AnalyticModel model(t, test::calibrated("h800"));
  CHECK_THROWS_WITH(model.estimate({CollectiveOp::all_reduce, net::Group({{0, 0}, {0, 1}, {1, 0}}), 1e6}),
                    ContainsSubstring("same GPUs on every node"));
}
