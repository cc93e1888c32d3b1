// The shipped calibration tables against the measurements they come from, and the fit against
// points it did not see. Tolerances: 10% (the spread of DeepGEMM's own figures between its Feb
// and Mar releases is up to 27% on short-K shapes, 5% on the others).
#include <catch2/catch_test_macros.hpp>
#include <cstdio>
#include <string>

#include "calib/fit.h"
#include "calib/op_cost.h"
#include "support/catalogs.h"
#include "support/published.h"

using namespace fleetsim;

namespace {

const calib::CalibrationSet& tables() {
  static const auto set = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
  return set;
}
const hw::GpuSpec& gpu(const std::string& id) { return *test::shipped_catalogs().hardware.gpus.find(id); }

double tflops(double flops, double s) { return flops / s / 1e12; }
bool is_gemm(const std::string& label) { return label.rfind("gemm", 0) == 0; }

}  // namespace

TEST_CASE("H800: the fit reproduces DeepGEMM's published TFLOPS on its 21 shapes") {
  const auto& t = tables().for_gpu(gpu("h800"));
  const auto fit = calib::fit_table(gpu("h800"), t.compute);
  int n = 0;
  for (const auto& p : fit.points) {
    if (!is_gemm(p.label)) continue;
    ++n;
    test::expect_published("H800 DeepGEMM " + p.label.substr(5) + " TFLOPS", tflops(p.flops, p.measured_s),
                           tflops(p.flops, p.predicted_s), 0.10, "DeepGEMM README 2025-03-25");
  }
  CHECK(n == 21);
}

TEST_CASE("H800: each DeepGEMM shape predicted by a fit to the other 20 (leave-one-out)") {
  // The one shape the fixed latency t0 dominates (64x2112x7168: 9.4 us, of which ~3.5 us are
  // t0) is the only point that pins t0; without it the fit lowers t0 and the shape is
  // over-predicted by ~23%. Every other shape is predicted within 10%.
  const auto& t = tables().for_gpu(gpu("h800"));
  for (const auto& p : calib::leave_one_out(gpu("h800"), t.compute)) {
    if (!is_gemm(p.label)) continue;
    const bool latency_point = p.label == "gemm fp8 64x2112x7168";
    test::expect_published("H800 DeepGEMM held out: " + p.label.substr(5) + " TFLOPS", tflops(p.flops, p.measured_s),
                           tflops(p.flops, p.predicted_s), latency_point ? 0.25 : 0.10,
                           "DeepGEMM README, fit without this shape");
  }
}

TEST_CASE("H800: grouped GEMMs predicted by a fit to the 11 normal GEMMs only") {
  auto table = tables().for_gpu(gpu("h800")).compute;
  for (auto& p : table.gemm.points) p.achieved.hold_out = p.groups > 1 || p.layout != "normal";
  const auto fit = calib::fit_table(gpu("h800"), table);
  int n = 0;
  for (const auto& p : fit.points) {
    if (!p.hold_out) continue;
    ++n;
    test::expect_published("H800 DeepGEMM grouped, held out: " + p.label.substr(5) + " TFLOPS",
                           tflops(p.flops, p.measured_s), tflops(p.flops, p.predicted_s), 0.10,
                           "DeepGEMM README, fit on normal GEMMs only");
  }
  CHECK(n == 10);
}

TEST_CASE("H800: FlashMLA decode and sparse prefill") {
  const calib::OpCost cost(gpu("h800"), tables().for_gpu(gpu("h800")));
  const auto mem = model::make_attention_decode("d", 128, 16, 1, 8192, 576, 512, 1152, core::DType::bf16);
  test::expect_published("H800 FlashMLA decode, memory-bound (GB/s)", 3000, mem.bytes / cost.seconds(mem) / 1e9, 0.10,
                         "FlashMLA README 2025-02-24");
  const auto cmp = model::make_attention_decode("d", 128, 128, 2, 8192, 576, 512, 1152, core::DType::bf16);
  test::expect_published("H800 FlashMLA decode, compute-bound (TFLOPS)", 660, tflops(cmp.flops, cost.seconds(cmp)), 0.10,
                         "FlashMLA README 2025-04-22");
  // The deep-dive: the new kernel reaches ~80% of the throttled 865 TFLOPS.
  test::expect_published("H800 FlashMLA decode, share of throttled peak", 0.80,
                         tflops(cmp.flops, cost.seconds(cmp)) / 865.0, 0.10, "FlashMLA deep-dive 2025-04-22");
  const auto pre = model::make_attention_prefill("p", 2, 128, 2048, 2048, 576, 512, false, core::DType::bf16);
  test::expect_published("H800 FlashMLA sparse prefill (TFLOPS)", 640, tflops(pre.flops, cost.seconds(pre)), 0.10,
                         "FlashMLA README 2025-09-29");
}

TEST_CASE("H20: published attention throughput") {
  const calib::OpCost cost(gpu("h20"), tables().for_gpu(gpu("h20")));
  const auto dec = model::make_attention_decode("d", 128, 128, 2, 8192, 576, 512, 1152, core::DType::bf16);
  test::expect_published("H20 FlashMLA decode (TFLOPS; 125-130 reported)", 127.5, tflops(dec.flops, cost.seconds(dec)),
                         0.10, "FlashMLA issue #30");
  const auto pre = model::make_attention_prefill("p", 4, 32, 4096, 4096, 128, 128, false, core::DType::bf16);
  test::expect_published("H20 FA3 prefill (TFLOPS; 126-129 reported)", 127.5, tflops(pre.flops, cost.seconds(pre)), 0.10,
                         "flash-attention issue #1310");
  // Another shape of the same kernel, not fitted: a causal 8K prefill, still near the plateau.
  const auto causal = model::make_attention_prefill("p", 1, 64, 8192, 8192, 128, 128, true, core::DType::bf16);
  test::expect_published("H20 FA3 causal 8K prefill (TFLOPS; 126-129 non-causal)", 127.5,
                         tflops(causal.flops, cost.seconds(causal)), 0.10, "flash-attention issue #1310");
}

TEST_CASE("A100: the default efficiencies against Fire-Flyer 2's GEMM measurements") {
  // Fire-Flyer 2 Table II: FP16 GEMM 263 TFLOP/s and TF32 131 on DGX-A100 (SXM4), FP16 220 on
  // PCIe A100. The shape is not given; a large square GEMM is assumed. The defaults were not
  // set from these figures.
  const auto big16 = model::make_gemm("g", 8192, 8192, 8192, core::DType::fp16);
  const auto big32 = model::make_gemm("g", 8192, 8192, 8192, core::DType::tf32, core::DType::fp32);
  const calib::OpCost sxm(gpu("a100"), tables().for_gpu(gpu("a100")));
  test::expect_published("A100 SXM4 FP16 GEMM (TFLOPS)", 263, tflops(big16.flops, sxm.seconds(big16)), 0.10,
                         "Fire-Flyer 2 (arXiv 2408.14158) Table II");
  test::expect_published("A100 SXM4 TF32 GEMM (TFLOPS)", 131, tflops(big32.flops, sxm.seconds(big32)), 0.10,
                         "Fire-Flyer 2 (arXiv 2408.14158) Table II");
  // Not reproduced within 10%: the 250 W PCIe card throttles, the defaults assume it does not
  // (calibration/data/a100-pcie-40gb.yaml). The test bounds the known gap.
  const calib::OpCost pcie(gpu("a100-pcie-40gb"), tables().for_gpu(gpu("a100-pcie-40gb")));
  test::expect_published("A100 PCIe FP16 GEMM (TFLOPS), default: no power cap", 220,
                         tflops(big16.flops, pcie.seconds(big16)), 0.20, "Fire-Flyer 2 (arXiv 2408.14158) Table II");
}
