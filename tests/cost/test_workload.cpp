// Workloads priced on the fleet: DeepSeek-V3's published GPU-hours against the fleet behind them.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "tiny_fleet.h"

using namespace fleetsim;
using Catch::Approx;

namespace {
const cost::WorkloadCost& find(const std::vector<cost::WorkloadCost>& ws, const std::string& prefix) {
  for (const auto& w : ws) {
    if (w.usage.name.starts_with(prefix)) return w;
  }
  FAIL("no workload " << prefix);
  return ws.front();
}
}  // namespace

TEST_CASE("DeepSeek-V3's run: rented, loaded, and its share of the fleet") {
  const auto a = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet"));
  const auto& v3 = find(a.workloads, "DeepSeek-V3 training");
  CHECK(v3.usage.origin == cost::UsageOrigin::published);
  CHECK(v3.usage.gpu_hours == 2.788e6);
  // 2,788K GPU-hours x $2 = $5.576M (V3 report Table 1).
  CHECK(*v3.rental_usd == Approx(5.576e6).epsilon(1e-12));
  // The loaded cost uses the H800 tranche's loaded rate.
  double h800_rate = 0;
  for (const auto& p : a.result.purchases) {
    if (p.gpu == "h800") h800_rate = p.usd_per_gpu_hour;
  }
  CHECK(v3.loaded_usd_per_gpu_hour == Approx(h800_rate));
  CHECK(v3.loaded_usd == Approx(2.788e6 * h800_rate));
  // 10,000 H800 x 8,760 h x 4 years = 350.4M GPU-hours: 2.788M is 0.7957%; of the whole
  // fleet's 60,000 GPUs, 0.1326%; of one year of the H800s, 3.183%.
  CHECK(v3.share_of_gpu_capacity == Approx(2.788e6 / 350.4e6));
  CHECK(v3.share_of_fleet_capacity == Approx(2.788e6 / (60000 * 8760.0 * 4)));
  CHECK(v3.share_of_gpu_year == Approx(2.788e6 / 87.6e6));
  CHECK(*v3.fleet_tco_over_rental == Approx(a.result.tco_usd / 5.576e6));
  CHECK(*v3.usd_per_million_tokens == Approx(v3.loaded_usd / 14.8e12 * 1e6));
}

TEST_CASE("serving a day: cost per million tokens") {
  const auto a = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet"));
  const auto& day = find(a.workloads, "DeepSeek-V3/R1 serving");
  // 226.75 nodes x 8 x 24 h = 43,536 GPU-hours; x $2 = $87,072 (open-infra-index day 6).
  CHECK(*day.rental_usd == Approx(87072));
  CHECK(*day.usd_per_million_tokens == Approx(day.loaded_usd / 776e9 * 1e6));
  CHECK(*day.usd_per_million_output_tokens == Approx(day.loaded_usd / 168e9 * 1e6));
  CHECK_FALSE(day.fleet_tco_over_rental.has_value());  // only training runs are set against the fleet
}

TEST_CASE("simulated workloads are priced the same way, labelled as such") {
  cost::WorkloadUsage sim;
  sim.name = "a simulated run";
  sim.gpu = "h100";
  sim.gpu_hours = 70080;  // a year of the tiny fleet's 8 GPUs
  sim.origin = cost::UsageOrigin::simulated;
  sim.source = "train engine";
  const auto a = cost::analyse_fleet(test::tiny_fleet(), {sim});
  REQUIRE(a.workloads.size() == 1);
  const auto& w = a.workloads[0];
  CHECK(w.usage.origin == cost::UsageOrigin::simulated);
  CHECK(w.share_of_gpu_year == Approx(1.0));
  CHECK(w.share_of_gpu_capacity == Approx(0.25));
  CHECK(w.loaded_usd == Approx(70080 * a.result.usd_per_gpu_hour));
  // No rental given: the GPU's catalog rental (H100, $2.99).
  CHECK(*w.rental_usd_per_hour == Approx(2.99));
}
