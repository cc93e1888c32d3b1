#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cmath>
#include <filesystem>

#include "calib/fit.h"
#include "calib/table.h"
#include "core/atomic_file.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;

TEST_CASE("efficiency curves interpolate in log(bytes) and clamp at the ends") {
  calib::EfficiencyCurve c({{1 << 20, 0.8}, {1 << 10, 0.2}});
  CHECK(c.at(1) == 0.2);
  CHECK(c.at(1 << 10) == 0.2);
  CHECK(c.at(1 << 15) == Approx(0.5));  // halfway in log between 2^10 and 2^20
  CHECK(c.at(1 << 30) == 0.8);
  calib::EfficiencyCurve flat({{1 << 20, 0.9}});
  CHECK(flat.at(64) == 0.9);
}

TEST_CASE("shipped calibration tables load; GPUs without one get marked defaults") {
  auto set = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
  REQUIRE(set.has("h800"));
  const auto& hw = test::shipped_catalogs().hardware;
  auto h800 = set.for_gpu(*hw.gpus.find("h800"));
  CHECK(h800.provenance.kind == calib::Provenance::derived);
  CHECK(h800.comm.nvlink.efficiency.at(1 << 20) == Approx(0.68));
  CHECK(h800.comm.nvlink.efficiency.at(64 << 20) == Approx(0.68));
  // One-token messages (DeepEP's low-latency kernels) run below the large-message fraction, and
  // the curve is log-linear between its points.
  CHECK(h800.comm.nvlink.efficiency.at(7392) == Approx(0.46));
  CHECK(h800.comm.scale_out.efficiency.at(14336) == Approx(0.78));
  const double mid = std::sqrt(14336.0 * (1 << 20));
  CHECK(h800.comm.scale_out.efficiency.at(mid) == Approx((0.78 + 0.87) / 2));
  CHECK(h800.comm.scale_out.latency_s == Approx(2.8e-6));
  auto a100 = set.for_gpu(*hw.gpus.find("a100"));
  CHECK(a100.provenance.kind == calib::Provenance::default_values);
  for (const auto& [id, t] : set.tables()) {
    INFO(id);
    CHECK(hw.gpus.find(id) != nullptr);
    CHECK_FALSE(t.provenance.source.empty());
  }
}

namespace {
calib::CalibrationTable parse(const std::string& yaml) {
  return calib::calibration_table_schema().parse(core::ConfigDoc::load_string(yaml, "t.yaml").root());
}
std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "";
}
const std::string kHead = "gpu: x\nprovenance: {kind: measured, source: s, date: d}\n";
}  // namespace

TEST_CASE("every shipped GPU has a table, marked by how it was obtained") {
  auto set = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
  const auto& hw = test::shipped_catalogs().hardware;
  for (const char* id : {"h800", "h100", "h20"}) {
    INFO(id);
    CHECK(set.for_gpu(*hw.gpus.find(id)).provenance.kind == calib::Provenance::derived);
  }
  for (const char* id : {"h200", "a100", "a800", "b200", "a100-pcie-40gb"}) {
    INFO(id);
    REQUIRE(set.has(id));
    CHECK(set.for_gpu(*hw.gpus.find(id)).provenance.kind == calib::Provenance::default_values);
  }
  // The H100 takes the H800's compute part (same silicon) and, having no comm section, the
  // communication defaults.
  const auto h100 = set.for_gpu(*hw.gpus.find("h100"));
  CHECK(h100.compute.same_as == "h800");
  CHECK(h100.compute.gemm.points.size() == 21);
  CHECK(h100.compute.kernel.sustained_clock_hz == Approx(1.6e9));
  CHECK(h100.comm.nvlink.latency_s == Approx(calib::default_comm().nvlink.latency_s));
  CHECK(h100.comm.nvlink.efficiency.at(1e6) == Approx(0.8));
}

TEST_CASE("a compute section: parameters given, points in each unit") {
  const auto t = parse(kHead + R"(compute:
  source: bench
  kernel: {latency: 3 us, sustained_clock: 1.5 GHz}
  gemm:
    pipeline_efficiency: 80%
    points:
      - {m: 64, n: 128, k: 256, dtype: fp8, time: 10 us, hold_out: true}
      - {groups: 4, m: 8, n: 16, k: 32, layout: masked, flop_rate: 10 TFLOP/s}
  hbm:
    points: [{pattern: read, bytes: 1 GiB, byte_rate: 3 TB/s, includes_launch: true}]
  attention:
    points: [{kind: decode, batch: 2, heads: 16, kv_len: 100, d_qk: 576, d_v: 512, byte_rate: 1 TB/s}]
)");
  CHECK(t.compute.kernel.latency_s == Approx(3e-6));
  CHECK(t.compute.gemm.pipeline_efficiency == Approx(0.8));
  CHECK_FALSE(t.compute.gemm.epilogue_exposed.has_value());
  REQUIRE(t.compute.gemm.points.size() == 2);
  CHECK(t.compute.gemm.points[0].achieved.hold_out);
  const auto pts = calib::fit_points(t.compute);
  REQUIRE(pts.size() == 4);
  // Points in file order: hbm, gemm, attention. 1 GiB at 3 TB/s; 10 us; 2x4x8x16x32 FLOP at 10 TFLOP/s.
  CHECK(pts[0].seconds == Approx(1073741824.0 / 3e12));
  CHECK(pts[0].includes_launch);
  CHECK(pts[1].seconds == Approx(10e-6));
  CHECK(pts[2].seconds == Approx(2.0 * 4 * 8 * 16 * 32 / 10e12));
  // Decode cache defaults to d_qk elements per token: 2 x 100 x 1152 B + queries and outputs.
  CHECK(pts[3].op.bytes == Approx(2 * (100 * 1152.0 + 16 * 1088 * 2)));
  const auto p = calib::given_params(t.compute);
  CHECK(p.sustained_clock_hz == Approx(1.5e9));
  CHECK(p.gemm_pipeline_efficiency == Approx(0.8));
  CHECK(p.read_efficiency == calib::ModelParams{}.read_efficiency);
}

TEST_CASE("bad compute sections are rejected with file, line and field") {
  CHECK_THAT(error_of(kHead + "compute:\n  source: s\n  gemm:\n    points:\n      - {m: 1, n: 1, k: 1, time: 1 us, flop_rate: 1 TFLOP/s}\n"),
             Catch::Matchers::ContainsSubstring("exactly one of time, flop_rate or byte_rate"));
  CHECK_THAT(error_of(kHead + "compute:\n  source: s\n  gemm:\n    points:\n      - {m: 1, n: 1, k: 1}\n"),
             Catch::Matchers::ContainsSubstring("exactly one"));
  CHECK_THAT(error_of(kHead + "compute:\n  source: s\n  gemm:\n    points:\n      - {m: 1, n: 1, kk: 1, time: 1 us}\n"),
             Catch::Matchers::ContainsSubstring("did you mean 'k'"));
  CHECK_THAT(error_of(kHead + "compute:\n  source: s\n  gemm: {pipeline_efficiency: 1.2}\n"),
             Catch::Matchers::ContainsSubstring("t.yaml:5"));
  CHECK_THAT(error_of(kHead + "compute:\n  source: s\n  gemm: {points: [{m: 1, n: 1, k: 1, time: 1 GB/s}]}\n"),
             Catch::Matchers::ContainsSubstring("compute.gemm.points[0].time"));
  CHECK_THAT(error_of(kHead + "compute:\n  source: s\n  same_as: h800\n  gemm: {pipeline_efficiency: 0.5}\n"),
             Catch::Matchers::ContainsSubstring("cannot be given with same_as"));
}

TEST_CASE("same_as must name a table with its own compute part") {
  const auto dir = std::filesystem::temp_directory_path() / "fleetsim_calib_same_as";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  core::write_file_atomically(dir / "a.yaml", "gpu: a\nprovenance: {kind: derived, source: s, date: d}\n"
                                              "compute: {source: s, same_as: nope}\n");
  try {
    calib::CalibrationSet::load(dir);
    FAIL("expected an error");
  } catch (const core::InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Matchers::ContainsSubstring("a.yaml:3"));
    CHECK_THAT(std::string(e.what()), Catch::Matchers::ContainsSubstring("'nope' has no table"));
  }
  std::filesystem::remove_all(dir);
}
