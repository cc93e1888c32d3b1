// Fitting: the fit recovers parameters that generated the points (an oracle), keeps what the
// points do not constrain at its default, respects physical ranges, and reports held-out points.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <algorithm>

#include "calib/fit.h"
#include "calib/op_cost.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;

namespace {

const hw::GpuSpec& gpu() { return *test::shipped_catalogs().hardware.gpus.find("h800"); }

calib::ModelParams truth() {
  calib::ModelParams p;
  p.kernel_latency_s = 4.2e-6;
  p.read_efficiency = 0.87;
  p.copy_efficiency = 0.81;
  p.gemm_pipeline_efficiency = 0.71;
  p.gemm_epilogue_exposed = 0.4;
  p.decode_compute_efficiency = 0.66;
  p.prefill_compute_efficiency = 0.62;
  p.sustained_clock_hz = 1.7e9;
  return p;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// Points measured on a GPU that follows `truth` exactly (as the runner writes them).
std::vector<calib::FitPoint> synthetic_points() {
  const calib::OpCost oracle(gpu(), truth());
  std::vector<model::Op> ops = {
      model::make_gemm("g", 64, 2112, 7168, core::DType::fp8),    model::make_gemm("g", 64, 7168, 16384, core::DType::fp8),
      model::make_gemm("g", 4096, 7168, 16384, core::DType::fp8), model::make_gemm("g", 4096, 32768, 512, core::DType::fp8),
      model::make_gemm("g", 4096, 4096, 7168, core::DType::bf16), model::make_gemm("g", 8, 4096, 1024, core::DType::bf16),
      model::make_attention_decode("d", 128, 16, 1, 8192, 576, 512, 1152, core::DType::bf16),
      model::make_attention_decode("d", 128, 128, 2, 8192, 576, 512, 1152, core::DType::bf16),
      model::make_attention_prefill("p", 2, 128, 2048, 2048, 192, 128, true, core::DType::bf16),
      model::make_memcpy("c", 1 << 20),                           model::make_memcpy("c", 1 << 30)};
  std::vector<calib::FitPoint> pts;
  for (const auto& op : ops) {
    calib::FitPoint p;
    p.op = op;
    p.seconds = oracle.seconds(op);
    p.includes_launch = true;
    p.label = op.name;
    pts.push_back(p);
  }
  return pts;
}

}  // namespace

TEST_CASE("the fit recovers the parameters that generated its points") {
  calib::ModelParams start;  // the defaults
  start.sustained_clock_hz = truth().sustained_clock_hz;  // fixed parameters are given, not fitted
  auto pts = synthetic_points();
  pts[4].hold_out = true;  // a held-out GEMM is predicted, not used
  const auto r = calib::fit_model(gpu(), start, {}, pts);
  const auto& p = r.params;
  CHECK(p.kernel_latency_s == Approx(truth().kernel_latency_s).epsilon(1e-4));
  CHECK(p.read_efficiency == Approx(truth().read_efficiency).epsilon(1e-4));
  CHECK(p.copy_efficiency == Approx(truth().copy_efficiency).epsilon(1e-4));
  CHECK(p.gemm_pipeline_efficiency == Approx(truth().gemm_pipeline_efficiency).epsilon(1e-4));
  CHECK(p.gemm_epilogue_exposed == Approx(truth().gemm_epilogue_exposed).epsilon(1e-3));
  CHECK(p.decode_compute_efficiency == Approx(truth().decode_compute_efficiency).epsilon(1e-4));
  CHECK(p.prefill_compute_efficiency == Approx(truth().prefill_compute_efficiency).epsilon(1e-4));
  CHECK(r.fitted.size() == calib::fittable_parameters().size());
  CHECK(r.rms_log_error < 1e-6);
  REQUIRE(r.points.size() == pts.size());
  CHECK(r.points[4].hold_out);
  CHECK(r.points[4].deviation() == Approx(0).margin(1e-5));
}

TEST_CASE("given parameters stay fixed; unconstrained ones keep their defaults") {
  auto pts = synthetic_points();
  // GEMMs only: nothing constrains the attention or copy efficiencies.
  pts.erase(pts.begin() + 6, pts.end());
  calib::ModelParams start;
  start.sustained_clock_hz = truth().sustained_clock_hz;
  start.read_efficiency = truth().read_efficiency;
  const auto r = calib::fit_model(gpu(), start, {"read_efficiency"}, pts);
  CHECK_FALSE(has(r.fitted, "read_efficiency"));
  CHECK_FALSE(has(r.fitted, "copy_efficiency"));
  CHECK_FALSE(has(r.fitted, "decode_compute_efficiency"));
  CHECK(has(r.fitted, "gemm_pipeline_efficiency"));
  CHECK(r.params.read_efficiency == truth().read_efficiency);
  CHECK(r.params.copy_efficiency == calib::ModelParams{}.copy_efficiency);
  CHECK(r.params.decode_compute_efficiency == calib::ModelParams{}.decode_compute_efficiency);
  CHECK(r.params.gemm_pipeline_efficiency == Approx(truth().gemm_pipeline_efficiency).epsilon(1e-4));
}

TEST_CASE("a measurement faster than physics pins the efficiency at 1, not above") {
  // A copy reported at 110% of HBM bandwidth: the fit stops at copy_efficiency = 1 and the
  // predicted rate stays ~9% under the reported one, visibly.
  calib::FitPoint p;
  p.op = model::make_memcpy("c", 1e10);
  p.seconds = p.op.bytes / (1.1 * gpu().hbm_bw_bytes_per_s);
  p.label = "too fast";
  calib::ModelParams start;
  const auto r = calib::fit_model(gpu(), start, {"kernel_latency"}, {p});
  CHECK(r.params.copy_efficiency == 1.0);
  CHECK(r.points[0].deviation() < -0.09);
}

TEST_CASE("no points: the start comes back unchanged") {
  const auto r = calib::fit_model(gpu(), truth(), {}, {});
  CHECK(r.fitted.empty());
  CHECK(r.params.gemm_pipeline_efficiency == truth().gemm_pipeline_efficiency);
}
