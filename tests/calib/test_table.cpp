#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "calib/table.h"
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
  CHECK(h800.comm.nvlink.efficiency.at(1e6) == Approx(0.68));
  CHECK(h800.comm.scale_out.latency_s == Approx(2.8e-6));
  auto a100 = set.for_gpu(*hw.gpus.find("a100"));
  CHECK(a100.provenance.kind == calib::Provenance::default_values);
  for (const auto& [id, t] : set.tables()) {
    INFO(id);
    CHECK(hw.gpus.find(id) != nullptr);
    CHECK_FALSE(t.provenance.source.empty());
  }
}
