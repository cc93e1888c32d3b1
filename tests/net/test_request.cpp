// net::run_collective without the command line: a request built in code, the shipped catalogs
// and calibration tables, and the result's figures; and the name tables it is parsed with.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <filesystem>

#include "core/error.h"
#include "net/request.h"

using namespace fleetsim;

namespace {

const std::filesystem::path kSource = FLEETSIM_SOURCE_DIR;

const hw::HardwareCatalog& hardware() {
  static const auto c = hw::HardwareCatalog::load(kSource / "hardware");
  return c;
}
const calib::CalibrationSet& calibration() {
  static const auto c = calib::CalibrationSet::load(kSource / "calibration" / "data");
  return c;
}

// GPU h800 on `nodes` nodes, `op` of `bytes` per GPU (none for 0).
net::CollectiveRequest request(net::CollectiveOp op, int nodes, double bytes) {
  net::CollectiveRequest r;
  r.gpu = "h800";
  r.nodes = nodes;
  r.op = op;
  if (bytes > 0) r.bytes = bytes;
  return r;
}

}  // namespace

TEST_CASE("run_collective: a ring all-reduce in one H800 node reaches the achieved NVLink rate") {
  const auto r = request(net::CollectiveOp::all_reduce, 1, 1024.0 * 1024 * 1024);
  const auto out = net::run_collective(r, hardware(), calibration());
  CHECK(out.node == "hgx-h800");
  CHECK(out.gpus == 8);
  CHECK(out.spec.group.size() == 8);
  // busbw: 200 GB/s x 0.68 of calibration/data/h800.yaml, less the ring's 14 latencies.
  CHECK(out.busbw_bytes_per_s > 135.0e9);
  CHECK(out.busbw_bytes_per_s < 136.0e9);
  // algbw x 2(n-1)/n = busbw: 7/4 for n = 8.
  CHECK(std::abs(out.busbw_bytes_per_s / out.algbw_bytes_per_s - 1.75) < 1e-12);
  REQUIRE(out.event);
  CHECK(out.event->events > 0);
  CHECK(out.transfers.empty());  // not asked for
  CHECK(out.calibration_gpu == "h800");
}

TEST_CASE("run_collective: the analytic engine names the bottleneck; transfers recorded on request") {
  auto r = request(net::CollectiveOp::all_to_all, 2, 64.0 * 1024 * 1024);
  r.engine = net::CollectiveEngine::analytic;
  const auto a = net::run_collective(r, hardware(), calibration());
  REQUIRE(a.analytic);
  CHECK(a.analytic->bottleneck == "nic");
  CHECK(a.time_s == a.analytic->time_s);

  r.engine = net::CollectiveEngine::event;
  r.record_transfers = true;
  const auto e = net::run_collective(r, hardware(), calibration());
  CHECK(e.transfers.size() == e.plan.flows.size());
}

TEST_CASE("run_collective: requests that cannot run are input errors") {
  auto r = request(net::CollectiveOp::all_reduce, 2, 0);
  CHECK_THROWS_WITH(net::run_collective(r, hardware(), calibration()), Catch::Matchers::ContainsSubstring("needs --bytes"));
  r.op = net::CollectiveOp::moe_dispatch;
  r.ranks = 32;
  CHECK_THROWS_WITH(net::run_collective(r, hardware(), calibration()),
                    Catch::Matchers::ContainsSubstring("larger than the cluster's 16 GPUs"));
  r.ranks = 0;
  r.gpu = "h900";
  CHECK_THROWS_AS(net::run_collective(r, hardware(), calibration()), core::InputError);
}

TEST_CASE("name tables: parse, name_of, choices and the did-you-mean") {
  CHECK(net::kCollectiveOps.parse("--op", "p2p") == net::CollectiveOp::p2p);
  CHECK(net::collective_op_name(net::CollectiveOp::moe_combine) == "moe_combine");
  CHECK(topo::kFabricKinds.choices() == "'rail-fat-tree', 'multiplane-fat-tree' or 'fat-tree-3'");
  CHECK_THROWS_WITH(topo::kFabricKinds.parse("--fabric", "multiplane"),
                    "--fabric 'multiplane' is not one of 'rail-fat-tree', 'multiplane-fat-tree' or 'fat-tree-3' "
                    "(did you mean 'multiplane-fat-tree'?)");
  CHECK(net::kAlgorithms.options().size() == 2);
  static_assert(net::kAlgorithms.name_of(net::Algorithm::tree) == "tree");
}
