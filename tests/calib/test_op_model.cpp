// The op cost model: numbers worked by hand, physical invariants, the SM-share slowdown.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <cmath>

#include "calib/op_cost.h"
#include "core/rng.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;

namespace {

// A round-number GPU: 1000 TFLOP/s BF16 on 100 SMs at 2 GHz, 2 TB/s of HBM.
hw::GpuSpec round_gpu() {
  hw::GpuSpec g;
  g.id = "round";
  g.bf16_flops_per_s = 1000e12;
  g.fp8_flops_per_s = 2000e12;
  g.tf32_flops_per_s = 500e12;
  g.fp32_flops_per_s = 50e12;
  g.hbm_bw_bytes_per_s = 2e12;
  g.sm_count = 100;
  g.boost_clock_hz = 2e9;
  return g;
}

calib::ModelParams round_params() {
  calib::ModelParams p;
  p.kernel_latency_s = 2e-6;
  p.launch_overhead_s = 1e-6;
  p.gemm_pipeline_efficiency = 0.8;
  p.gemm_epilogue_exposed = 0.5;
  p.read_efficiency = 0.9;
  p.copy_efficiency = 0.8;
  p.decode_compute_efficiency = 0.75;
  p.prefill_compute_efficiency = 0.7;
  p.gemm_overlap = 2;
  p.attention_overlap = 4;
  return p;
}

const calib::OpCost& h800() {
  static const calib::OpCost c = [] {
    const auto& gpu = *test::shipped_catalogs().hardware.gpus.find("h800");
    auto set = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
    return calib::OpCost(gpu, set.for_gpu(gpu));
  }();
  return c;
}

}  // namespace

TEST_CASE("a GEMM priced by hand") {
  const calib::OpCost cost(round_gpu(), round_params());
  // m = n = 1024, k = 4096, BF16 in and out. BM = 128 -> 8 row tiles; 128-wide columns give 64
  // tiles < 100 SMs, so BN spreads them: floor(100/8) = 12 columns -> ceil(1024/12) = 86 -> 88
  // (a multiple of 8) -> 12 x 8 = 96 tiles, one wave.
  // Main loop: 2 x 128 x 88 x 4096 / (1000e12/100 x 0.8) = 92,274,688 / 8e12 = 11.534336 us.
  // Epilogue: 0.5 x 128 x 88 x 2 B / (2e12/100) = 0.5632 us. T_c = 12.097536 us.
  // Bytes: (1024x4096 + 4096x1024) x 2 + 1024x1024 x 2 = 18,874,368; T_m = / (2e12 x 0.9) = 10.48576 us.
  // t = 1 + 2 + sqrt(12.097536^2 + 10.48576^2) us.
  const auto op = model::make_gemm("g", 1024, 1024, 4096, core::DType::bf16);
  const auto b = cost.breakdown(op);
  CHECK(b.tiles == 96);
  CHECK(b.waves == 1);
  CHECK(b.compute_s == Approx(12.097536e-6));
  CHECK(b.memory_s == Approx(10.48576e-6));
  CHECK(b.seconds == Approx(3e-6 + std::hypot(12.097536e-6, 10.48576e-6)));
  CHECK(b.bound == calib::Bound::compute);
  // Roofline: max(2 x 1024 x 1024 x 4096 / 1e15, 18,874,368 / 2e12) = max(8.59, 9.44) us.
  CHECK(b.roofline_s == Approx(18874368.0 / 2e12));
  CHECK(b.efficiency == Approx(b.roofline_s / b.seconds));
}

TEST_CASE("an MLA decode priced by hand") {
  const calib::OpCost cost(round_gpu(), round_params());
  // 4 requests, 16 heads, 1 query, 1000 cached latents of 576 (1152 B). 16 rows pad to one
  // 64-row MMA tile; ceil(1000/64) = 16 key blocks -> 64 blocks, one wave. A block:
  // 2 x 64 x 64 x (576 + 512) / (10e12 x 0.75) = 1.1883861 us. Bytes: 4 x (1000 x 1152 +
  // 16 x 1088 x 2) = 4,747,264 -> T_m = / 1.8e12 = 2.6373689 us. p = 4:
  // t = 1 + 2 + 2.6373689 x (1 + (1.1883861/2.6373689)^4)^(1/4) us.
  const auto op = model::make_attention_decode("d", 4, 16, 1, 1000, 576, 512, 1152, core::DType::bf16);
  const auto b = cost.breakdown(op);
  CHECK(b.tiles == 64);
  CHECK(b.compute_s == Approx(8912896.0 / 7.5e12));
  CHECK(b.memory_s == Approx(4747264.0 / 1.8e12));
  const double r = b.compute_s / b.memory_s;
  CHECK(b.seconds == Approx(3e-6 + b.memory_s * std::pow(1 + std::pow(r, 4), 0.25)));
  // 2.66 us of streaming is less than the 3 us of fixed costs: latency-bound.
  CHECK(b.bound == calib::Bound::latency);
}

TEST_CASE("copies run at the copy efficiency; an empty op costs nothing") {
  const calib::OpCost cost(round_gpu(), round_params());
  // 1 GB at 2e12 x 0.8 B/s = 625 us, plus 3 us of launch and latency.
  CHECK(cost.seconds(model::make_memcpy("c", 1e9)) == Approx(628e-6));
  CHECK(cost.seconds(model::make_memcpy("c", 0)) == 0);
}

TEST_CASE("a format the GPU lacks runs in the next wider one") {
  auto gpu = round_gpu();
  gpu.fp8_flops_per_s = 0;  // an A100
  const calib::Machine m(gpu, round_params());
  CHECK(m.peak_flops_per_s(core::DType::fp8) == 1000e12);
  CHECK(m.peak_flops_per_s(core::DType::fp4) == 1000e12);
  CHECK(m.peak_flops_per_s(core::DType::tf32) == 500e12);
}

TEST_CASE("the sustained clock scales the tensor rate: H800 at 1.6 of 1.83 GHz") {
  const auto& m = h800().machine();
  CHECK(m.clock_ratio() == Approx(1.6 / 1.83));
  CHECK(m.sm_count() == 132);
}

TEST_CASE("predictions respect the roofline and grow with the work") {
  // Random shapes on the shipped H800 calibration: efficiency in (0, 1], time >= roofline, and
  // more work (any dimension doubled) never takes less time.
  const auto& cost = h800();
  core::Rng rng(2025);
  auto dim = [&rng](int64_t lo, int64_t hi) {
    return static_cast<int64_t>(std::exp(rng.uniform(std::log(static_cast<double>(lo)), std::log(static_cast<double>(hi)))));
  };
  for (int i = 0; i < 400; ++i) {
    const int64_t m = dim(1, 16384), n = dim(16, 32768), k = dim(128, 32768), g = dim(1, 16);
    const auto dt = rng.uniform() < 0.5 ? core::DType::bf16 : core::DType::fp8;
    const auto base = model::make_grouped_gemm("g", g, m, n, k, dt);
    const auto b = cost.breakdown(base);
    INFO("gemm " << g << "x" << m << "x" << n << "x" << k);
    CHECK(b.efficiency > 0);
    CHECK(b.efficiency <= 1.0);
    CHECK(b.seconds >= b.roofline_s);
    for (const auto& bigger : {model::make_grouped_gemm("g", g, m + 1, n, k, dt), model::make_grouped_gemm("g", g, 2 * m, n, k, dt),
                               model::make_grouped_gemm("g", g, m, n + 8, k, dt), model::make_grouped_gemm("g", g, m, 2 * n, k, dt),
                               model::make_grouped_gemm("g", g, m, n, 2 * k, dt), model::make_grouped_gemm("g", g + 1, m, n, k, dt)}) {
      CHECK(cost.seconds(bigger) >= b.seconds);
    }
    const int64_t batch = dim(1, 256), heads = dim(1, 128), q = dim(1, 4), kv = dim(16, 65536);
    const auto dec = model::make_attention_decode("d", batch, heads, q, kv, 576, 512, 1152, core::DType::bf16);
    const auto bd = cost.breakdown(dec);
    CHECK(bd.efficiency <= 1.0);
    CHECK(bd.seconds >= bd.roofline_s);
    CHECK(cost.seconds(model::make_attention_decode("d", batch + 1, heads, q, kv, 576, 512, 1152, core::DType::bf16)) >= bd.seconds);
    CHECK(cost.seconds(model::make_attention_decode("d", batch, heads, q, kv + 1, 576, 512, 1152, core::DType::bf16)) >= bd.seconds);
    const int64_t ql = dim(1, 16384), extra = dim(1, 16384);
    for (bool causal : {true, false}) {
      const auto pre = model::make_attention_prefill("p", batch, heads, ql, ql + extra, 192, 128, causal, core::DType::bf16);
      const auto bp = cost.breakdown(pre);
      CHECK(bp.efficiency <= 1.0);
      CHECK(bp.seconds >= bp.roofline_s);
      CHECK(cost.seconds(model::make_attention_prefill("p", batch, heads, ql + 1, ql + 1 + extra, 192, 128, causal,
                                                       core::DType::bf16)) >= bp.seconds);
      CHECK(cost.seconds(model::make_attention_prefill("p", batch, heads, ql, ql + extra + 1, 192, 128, causal,
                                                       core::DType::bf16)) >= bp.seconds);
    }
    const double bytes = std::exp(rng.uniform(0, std::log(1e10)));
    CHECK(cost.seconds(model::make_elementwise("e", 2 * bytes)) >= cost.seconds(model::make_elementwise("e", bytes)));
  }
}

TEST_CASE("BF16 GEMMs from the FP8 fit: twice the compute time, the same fixed costs") {
  // Compute-bound: the main loop doubles at half the peak, the epilogue (BF16 output either
  // way) does not, so BF16 takes a little under twice as long. Memory-bound (m = 64): A and B
  // double in bytes, C does not.
  const auto& cost = h800();
  const auto big8 = cost.breakdown(model::make_gemm("g", 4096, 7168, 16384, core::DType::fp8));
  const auto big16 = cost.breakdown(model::make_gemm("g", 4096, 7168, 16384, core::DType::bf16));
  CHECK(big16.seconds / big8.seconds > 1.9);
  CHECK(big16.seconds / big8.seconds < 2.0);
  const auto small8 = model::make_gemm("g", 64, 7168, 16384, core::DType::fp8);
  const auto small16 = model::make_gemm("g", 64, 7168, 16384, core::DType::bf16);
  CHECK(cost.breakdown(small16).memory_s / cost.breakdown(small8).memory_s == Approx(small16.bytes / small8.bytes));
  CHECK(cost.seconds(small16) > cost.seconds(small8));
}

TEST_CASE("compute on fewer SMs: compute-bound work slows by its waves, memory-bound work does not") {
  const auto& cost = h800();
  // 8192^3 BF16: 64 x 64 = 4096 tiles take ceil(4096/132) = 32 waves on 132 SMs and
  // ceil(4096/112) = 37 on the 112 DeepSeek leaves to compute: the compute term grows by 37/32.
  const auto big = model::make_gemm("g", 8192, 8192, 8192, core::DType::bf16);
  CHECK(cost.breakdown(big, {112}).compute_s / cost.breakdown(big).compute_s == Approx(37.0 / 32.0));
  const double slow = calib::sm_share_slowdown(cost, big, 20);
  CHECK(slow > 1.14);
  CHECK(slow <= 37.0 / 32.0);
  // A decode attention over a long cache is memory-bound, and 112 SMs still saturate HBM
  // (saturation share 0.5): its compute term grows by its waves (16384 blocks: 125 -> 147) but
  // stays well under the memory term, which the soft roofline passes only a little of.
  const auto dec = model::make_attention_decode("d", 64, 16, 1, 16384, 576, 512, 1152, core::DType::bf16);
  CHECK(calib::sm_share_slowdown(cost, dec, 20) < 1.03);
  // Below saturation, bandwidth falls with the SMs: a copy on 33 of 132 SMs (half of the 66
  // that saturate) takes about twice as long.
  const auto copy = model::make_memcpy("c", 4e9);
  CHECK(cost.seconds(copy, {33}) / cost.seconds(copy) == Approx(2.0).epsilon(0.01));
  // Communication streaming through HBM takes its bandwidth from the op.
  CHECK(cost.seconds(copy, {0, 0.5 * cost.gpu().hbm_bw_bytes_per_s}) > 1.9 * cost.seconds(copy));
  // Never faster on fewer SMs.
  for (int sms = 1; sms <= 132; sms += 7) {
    CHECK(cost.seconds(big, {sms}) >= cost.seconds(big));
    CHECK(cost.seconds(dec, {sms}) >= cost.seconds(dec));
  }
}
