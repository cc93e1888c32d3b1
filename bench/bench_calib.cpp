// Op-cost evaluations per second: the training and serving searches price every op of every
// candidate configuration, so OpCost::seconds is on their hot path. Prints rates per op kind, the
// cost of building an OpCost (the fit), and the ratio to a bare roofline (max of two divisions).
//
//   build/bench/bench_calib [calibration/data]     (run from the source tree)
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "calib/op_cost.h"
#include "core/rng.h"

using namespace fleetsim;
using Clock = std::chrono::steady_clock;

namespace {

hw::GpuSpec h800() {
  hw::GpuSpec g;  // hardware/gpus.yaml
  g.id = "h800";
  g.bf16_flops_per_s = 989e12;
  g.fp8_flops_per_s = 1979e12;
  g.tf32_flops_per_s = 495e12;
  g.fp32_flops_per_s = 67e12;
  g.hbm_bw_bytes_per_s = 3.35e12;
  g.sm_count = 132;
  g.boost_clock_hz = 1.83e9;
  return g;
}

std::vector<model::Op> ops_of(model::OpKind kind, int n, core::Rng& rng) {
  auto dim = [&rng](double lo, double hi) { return static_cast<int64_t>(lo + (hi - lo) * rng.uniform()); };
  std::vector<model::Op> ops;
  for (int i = 0; i < n; ++i) {
    switch (kind) {
      case model::OpKind::gemm: ops.push_back(model::make_gemm("g", dim(1, 16384), dim(128, 32768), dim(512, 16384), core::DType::fp8)); break;
      case model::OpKind::grouped_gemm:
        ops.push_back(model::make_grouped_gemm_rows("e", dim(2, 32), dim(64, 65536), 4096, 7168, core::DType::fp8));
        break;
      case model::OpKind::attention_prefill:
        ops.push_back(model::make_attention_prefill("p", dim(1, 8), 128, 4096, 4096 + dim(0, 4096), 192, 128, true, core::DType::bf16));
        break;
      case model::OpKind::attention_decode:
        ops.push_back(model::make_attention_decode("d", dim(1, 256), 128, 2, dim(256, 32768), 576, 512, 1152, core::DType::bf16));
        break;
      case model::OpKind::elementwise:
      case model::OpKind::memcpy: ops.push_back(model::make_elementwise("n", dim(1e4, 1e9), dim(1e4, 1e8))); break;
    }
  }
  return ops;
}

template <class F>
double rate(const std::vector<model::Op>& ops, F&& price, double& sink) {
  constexpr int kRounds = 50;
  const auto t0 = Clock::now();
  for (int r = 0; r < kRounds; ++r) {
    for (const auto& op : ops) sink += price(op);
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return kRounds * static_cast<double>(ops.size()) / s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "calibration/data";
  const auto gpu = h800();
  const auto set = calib::CalibrationSet::load(dir);
  const auto table = set.for_gpu(gpu);
  if (!set.has("h800")) std::printf("(no %s/h800.yaml: default parameters)\n", dir.c_str());

  constexpr int kBuilds = 20;
  auto t0 = Clock::now();
  for (int i = 0; i < kBuilds; ++i) calib::OpCost c(gpu, table);
  const double build_s = std::chrono::duration<double>(Clock::now() - t0).count() / kBuilds;
  const calib::OpCost cost(gpu, table);
  std::printf("OpCost construction (fit of %zu points): %.2f ms\n", cost.fit().points.size(), 1e3 * build_s);

  core::Rng rng(7);
  double sink = 0;
  std::vector<model::Op> all;
  std::printf("%-20s %16s %16s %8s\n", "op kind", "evaluations/s", "roofline/s", "ratio");
  for (auto kind : {model::OpKind::gemm, model::OpKind::grouped_gemm, model::OpKind::attention_prefill,
                    model::OpKind::attention_decode, model::OpKind::elementwise}) {
    const auto ops = ops_of(kind, 20000, rng);
    all.insert(all.end(), ops.begin(), ops.end());
    const double r = rate(ops, [&](const model::Op& op) { return cost.seconds(op); }, sink);
    const double bare = rate(
        ops, [&](const model::Op& op) { return std::max(op.flops / 989e12, op.bytes / 3.35e12); }, sink);
    std::printf("%-20s %16.3g %16.3g %8.1f\n", std::string(model::op_kind_name(kind)).c_str(), r, bare, bare / r);
  }
  const double mixed = rate(all, [&](const model::Op& op) { return cost.seconds(op); }, sink);
  const double share = rate(all, [&](const model::Op& op) { return cost.seconds(op, calib::Share{112}); }, sink);
  const double full = rate(all, [&](const model::Op& op) { return cost.breakdown(op).efficiency; }, sink);
  std::printf("mixed seconds():        %.3g evaluations/s (%.0f ns each)\n", mixed, 1e9 / mixed);
  std::printf("mixed on 112 SMs:       %.3g evaluations/s\n", share);
  std::printf("mixed breakdown():      %.3g evaluations/s\n", full);
  std::printf("(checksum %.6g)\n", sink);
  return 0;
}
