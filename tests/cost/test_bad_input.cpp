// Bad fleet input is rejected with file, line and field, whether the scenario loader or the
// cost model finds it: `fleetsim tco` never prices a fleet it cannot read.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "support/bad_input.h"
#include "tiny_fleet.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("malformed fleets are rejected at the tco level with file, line and field") {
  const test::BadInput cases[] = {
      {"negative_price.yaml", 6, "fleet.facility.power_price", "must be >= 0"},
      {"zero_useful_life.yaml", 7, "fleet.finance.useful_life", "must be > 0"},
      {"utilization_above_one.yaml", 7, "fleet.finance.utilization", "must be in (0, 1]"},
      {"unknown_currency.yaml", 5, "fleet.tranches[0].node_price", "unknown currency 'CNY'"},
      {"range_low_above_high.yaml", 9, "fleet.ranges[0].low", "low is above high"},
      {"range_unknown_input.yaml", 9, "fleet.ranges[0].input", "did you mean 'facility.pue'"},
      {"range_bad_unit.yaml", 9, "fleet.ranges[0].low", "has no currency"},
      {"storage_unknown_tranche.yaml", 14, "fleet.storage[0].tranche", "unknown tranche 'H20 2023' (did you mean 'H20 2024'?)"},
      {"workload_no_source.yaml", 9, "fleet.workloads[0].source", "missing field 'source'"},
      {"workload_gpu_not_owned.yaml", 11, "fleet.workloads[0].gpu", "'h800', which the fleet does not own"},
      {"fabric_too_small.yaml", 5, "fleet.tranches[0]", "at most 2048 endpoints"},
  };
  for (const auto& c : cases) {
    test::expect_rejected(c, [](const std::string& path) {
      cost::analyse_fleet(scenario::load_scenario(path, test::shipped_catalogs()));
    });
  }
}

TEST_CASE("a scenario without a fleet has no TCO") {
  const std::string path = std::string(FLEETSIM_TEST_DATA) + "/scenarios/minimal.yaml";
  const auto s = scenario::load_scenario(path, test::shipped_catalogs());
  CHECK_THROWS_WITH(cost::analyse_fleet(s), ContainsSubstring("no fleet section"));
}
