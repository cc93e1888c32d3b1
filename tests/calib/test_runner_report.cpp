// The calibration runner's reduction and YAML writer, on fake measurements: the table it writes
// must load with the same schema as the shipped ones and fit back to the parameters that made
// the measurements.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <stdexcept>

#include "calib/fit.h"
#include "calib/op_cost.h"
#include "report.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;

namespace {

// Samples around a time: the true value five times and two outliers either side.
std::vector<double> samples_around(double t) { return {t, 3 * t, t, 0.5 * t, t, t, 1.2 * t, t}; }

calib::ModelParams truth() {
  calib::ModelParams p;
  p.kernel_latency_s = 4e-6;
  p.read_efficiency = 0.91;
  p.copy_efficiency = 0.86;
  p.gemm_pipeline_efficiency = 0.78;
  p.gemm_epilogue_exposed = 0.5;
  p.decode_compute_efficiency = 0.7;
  return p;
}

}  // namespace

TEST_CASE("samples reduce to their median and spread") {
  // Sorted: 1 2 3 4 10 -> median 3; nearest-rank p10 at index round(0.4) = 0, p90 at round(3.6) = 4.
  const auto s = calibration::summarize({4, 1, 10, 3, 2});
  CHECK(s.median_s == 3);
  CHECK(s.p10_s == 1);
  CHECK(s.p90_s == 10);
  CHECK(s.samples == 5);
  CHECK(calibration::summarize({1, 2, 3, 4}).median_s == 2.5);
  CHECK_THROWS_AS(calibration::summarize({}), std::invalid_argument);
  CHECK_THROWS_AS(calibration::summarize({1e-6, 0}), std::invalid_argument);
  // Every fifth shape from the third is held out.
  CHECK_FALSE(calibration::held_out(0));
  CHECK(calibration::held_out(2));
  CHECK(calibration::held_out(7));
  CHECK_FALSE(calibration::held_out(8));
}

TEST_CASE("a link's latency and efficiency from transfers of growing size") {
  // t = 3 us + bytes / (0.8 x 200 GB/s). The 8-byte transfer gives the latency (3.00005 us);
  // larger ones give back 0.8 once the latency is taken out; 4 KiB (3.026 us < 2 x latency)
  // says nothing about bandwidth and is left out.
  std::vector<calibration::TransferResult> ts;
  for (double b : {8.0, 4096.0, 1048576.0, 268435456.0}) {
    ts.push_back({b, calibration::summarize({3e-6 + b / (0.8 * 200e9)})});
  }
  const auto l = calibration::link_from(ts, 200e9, "test");
  CHECK(l.latency_s == Approx(3e-6).epsilon(1e-4));
  REQUIRE(l.efficiency.points().size() == 2);
  CHECK(l.efficiency.at(1 << 20) == Approx(0.8).epsilon(1e-3));
  CHECK(l.efficiency.at(1 << 28) == Approx(0.8).epsilon(1e-3));
  CHECK_THROWS_AS(calibration::link_from({}, 200e9, "x"), std::invalid_argument);
}

TEST_CASE("the runner's table loads with the calibration schema and fits back to the truth") {
  const auto& gpu = *test::shipped_catalogs().hardware.gpus.find("h100");
  const calib::OpCost oracle(gpu, truth());
  auto kernel = [&](const model::Op& op) { return samples_around(oracle.breakdown(op).seconds - truth().launch_overhead_s); };
  calibration::Results r;
  r.info = {"h100", "NVIDIA H100 80GB HBM3", "2025-06-01", "fleetsim_calibrate test", 132,
            calibration::summarize({2.5e-6, 2.4e-6, 2.6e-6}), 0.375, gpu.nvlink_bw_per_direction(),
            gpu.pcie_bw_bytes_per_s / 2};
  for (double b : {1 << 20, 1 << 26, 1 << 30}) {
    auto read = model::make_attention_decode("r", 1, 1, 1, 1, 0, 0, b, core::DType::bf16);  // a pure read stream
    r.hbm.push_back({calib::StreamPattern::read, b, calibration::summarize(kernel(read))});
    r.hbm.push_back({calib::StreamPattern::copy, b, calibration::summarize(kernel(model::make_memcpy("c", b)))});
  }
  const int64_t shapes[][3] = {{64, 2112, 7168}, {128, 7168, 2048}, {4096, 7168, 16384}, {4096, 32768, 512},
                               {2048, 2048, 2048}, {8192, 8192, 8192}, {1, 4096, 7168}};
  size_t i = 0;
  for (auto dt : {core::DType::fp8, core::DType::bf16}) {
    for (const auto& s : shapes) {
      const auto op = model::make_gemm("g", s[0], s[1], s[2], dt);
      r.gemm.push_back({s[0], s[1], s[2], 1, dt, calibration::summarize(kernel(op)), calibration::held_out(i++)});
    }
  }
  for (int64_t heads : {4, 128}) {
    const auto op = model::make_attention_decode("d", 64, heads, 1, 4096, 576, 512, 1152, core::DType::bf16);
    r.attention.push_back({calib::AttentionKind::decode, 64, heads, 1, 4096, 576, 512, false,
                           calibration::summarize(kernel(op)), false, "reference kernel"});
  }
  for (double b : {8.0, 1048576.0, 268435456.0}) r.nvlink.push_back({b, calibration::summarize({2e-6 + b / 400e9})});

  const std::string yaml = calibration::to_yaml(r);
  const auto t = calib::calibration_table_schema().parse(core::ConfigDoc::load_string(yaml, "runner.yaml").root());
  CHECK(t.gpu == "h100");
  CHECK(t.provenance.kind == calib::Provenance::measured);
  CHECK(t.provenance.device == "NVIDIA H100 80GB HBM3");
  CHECK(t.compute.kernel.sm_count == 132);
  CHECK(*t.compute.kernel.launch_overhead_s == Approx(2.5e-6));
  CHECK(*t.compute.hbm.saturation == Approx(0.375));
  CHECK(t.compute.gemm.points.size() == 14);
  CHECK(t.compute.attention.points.size() == 2);
  // NVLink measured (2 us + bytes / 400 GB/s: 0.89 of the 450 GB/s per direction); PCIe and
  // scale-out not measured, so fleetsim's defaults, marked.
  CHECK(t.comm.nvlink.latency_s == Approx(2e-6).epsilon(1e-3));
  CHECK(t.comm.nvlink.efficiency.at(1 << 28) == Approx(400.0 / 450.0).epsilon(1e-3));
  CHECK(t.comm.pcie.latency_s == calib::default_comm().pcie.latency_s);
  CHECK_THAT(t.comm.scale_out.source, Catch::Matchers::ContainsSubstring("default"));

  // The medians are the true kernel times, so the fit finds the parameters again and predicts
  // the held-out GEMMs exactly.
  const auto fit = calib::fit_table(gpu, t.compute);
  CHECK(fit.params.gemm_pipeline_efficiency == Approx(truth().gemm_pipeline_efficiency).epsilon(1e-3));
  CHECK(fit.params.gemm_epilogue_exposed == Approx(truth().gemm_epilogue_exposed).epsilon(1e-2));
  CHECK(fit.params.read_efficiency == Approx(truth().read_efficiency).epsilon(1e-3));
  CHECK(fit.params.copy_efficiency == Approx(truth().copy_efficiency).epsilon(1e-3));
  CHECK(fit.params.kernel_latency_s == Approx(truth().kernel_latency_s).epsilon(1e-3));
  CHECK(fit.params.launch_overhead_s == Approx(2.5e-6));
  int held = 0;
  for (const auto& p : fit.points) {
    if (!p.hold_out) continue;
    ++held;
    CHECK(p.deviation() == Approx(0).margin(1e-3));
  }
  CHECK(held == 3);
}
