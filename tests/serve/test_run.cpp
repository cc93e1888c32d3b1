// fleetsim run with a serving section: the result document carries `serving`, and the fleet's
// TCO prices the simulated day beside the published one.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "plan/run.h"
#include "scenario/scenario.h"
#include "support/catalogs.h"

using namespace fleetsim;

TEST_CASE("run_scenario writes the serving section and hands the simulated day to the TCO") {
  const auto s = scenario::load_scenario(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/deepseek.yaml",
                                         test::shipped_catalogs());
  const auto c = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
  plan::RunOptions o;
  o.summary_only = true;  // the closed form: no event simulation, no sensitivity
  const auto doc = plan::run_scenario(s, c, o);
  REQUIRE(doc.contains("serving"));
  const auto& sv = doc["serving"];
  CHECK(sv["nodes"]["average"].get<double>() > 0);
  CHECK(sv["latency_from"] == "closed form (unloaded)");
  bool simulated = false;
  for (const auto& w : doc["tco"]["workloads"]) {
    // The training run is simulated too; this checks the serving day.
    if (w["origin"] == "simulated" && w["kind"] == "serving") {
      simulated = true;
      CHECK(w["name"].get<std::string>().ends_with("serving, one simulated day"));
      CHECK(w["gpu_hours"].get<double>() == Catch::Approx(sv["gpu_hours_per_day"].get<double>()));
    }
  }
  CHECK(simulated);
}
