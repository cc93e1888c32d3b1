// TCO, cash flows and the loaded cost per GPU-hour: a fleet worked by hand, identities that
// hold for any fleet, and monotonicity.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <cmath>

#include "cost/finance.h"
#include "tiny_fleet.h"

using namespace fleetsim;
using Catch::Approx;

TEST_CASE("one server owned four years, worked by hand") {
  // One server: $100,000, 5 kW at full load (busy draw 100%, utilization 100%), PUE 1.5,
  // $0.10/kWh, colocation $150/kW-month, 4 years, 8% cost of capital, no residual.
  //   energy     = 5 kW x 1.5 x 8,760 h x $0.10 = $6,570 a year
  //   colocation = 5 kW x $150 x 12             = $9,000 a year
  //   TCO        = 100,000 + 4 x 15,570         = $162,280
  //   loaded     = (100,000 x CRF(8%, 4) + 15,570) / (8 GPUs x 8,760 h)
  //              = (30,192.08 + 15,570) / 70,080 = $0.652998 per GPU-hour
  //   NPV (2024) = -100,000 - 15,570 x (1 + 1/1.08 + 1/1.08^2 + 1/1.08^3) = -$155,695.40
  const auto a = test::tiny_tco();
  const auto& r = a.result;
  CHECK(r.capex_usd == Approx(100000));
  CHECK(r.usd[cost::index_of(cost::Category::energy)] == Approx(4 * 6570.0));
  CHECK(r.usd[cost::index_of(cost::Category::colocation)] == Approx(4 * 9000.0));
  CHECK(r.opex_usd == Approx(62280));
  CHECK(r.tco_usd == Approx(162280));
  CHECK(r.usd_per_gpu_hour == Approx(0.6529977233));
  CHECK(r.npv_usd == Approx(-155695.4000914));
  REQUIRE(r.years.size() == 4);
  CHECK(r.years[0].year == 2024);
  CHECK(r.years[0].cash_flow_usd == Approx(-115570));
  CHECK(r.years[3].cash_flow_usd == Approx(-15570));
  CHECK(r.years[2].depreciation_usd == Approx(25000));
  CHECK(r.it_power_max_w == 5000);
}

TEST_CASE("half utilization: idle hours draw idle power, the same costs spread over fewer hours") {
  // Utilization 50%, idle draw 0: average 2.5 kW, energy $3,285 a year; colocation still bills
  // the 5 kW reserved. Loaded = (30,192.08 + 3,285 + 9,000) / (8 x 8,760 x 0.5) = $1.212245.
  const auto r = test::tiny_tco({"fleet.finance.utilization=50%"}).result;
  CHECK(r.it_power_avg_w == Approx(2500));
  CHECK(r.usd_per_gpu_hour == Approx(1.2122454465));
}

TEST_CASE("cash flows and depreciation add up to the totals") {
  for (const auto& sets : std::vector<std::vector<std::string>>{
           {}, {"fleet.finance.residual=20%"}, {"fleet.finance.horizon=2.5 y"}, {"fleet.finance.useful_life=6 y"},
           {"fleet.finance.useful_life=3 y", "fleet.finance.residual=10%"}}) {
    for (const char* name : {"tiny", "deepseek-fleet"}) {
      const auto s = std::string(name) == "tiny" ? test::tiny_fleet(sets) : test::shipped_scenario(name, sets);
      const auto r = cost::analyse_fleet(s).result;
      INFO(name << " " << (sets.empty() ? "" : sets[0]));
      double capex = 0, opex = 0, dep = 0, residual = 0, cash = 0;
      std::map<int, double> flows;
      for (const auto& y : r.years) {
        capex += y.capex_usd;
        opex += y.opex_usd;
        dep += y.depreciation_usd;
        residual += y.residual_usd;
        cash += y.cash_flow_usd;
        flows[y.year] = y.cash_flow_usd;
      }
      CHECK(capex == Approx(r.capex_usd));
      CHECK(opex == Approx(r.opex_usd));
      CHECK(residual == Approx(r.residual_usd));
      CHECK(cash == Approx(-r.tco_usd));
      // What is not depreciated within the horizon comes back as residual value.
      CHECK(dep + opex == Approx(r.tco_usd));
      CHECK(dep == Approx(r.capex_usd - r.residual_usd));
      // The NPV at a zero rate is the plain sum of the cash flows.
      CHECK(cost::net_present_value(flows, 0.0, r.valuation_year) == Approx(cash));
      double by_purchase = 0;
      for (const auto& p : r.purchases) by_purchase += p.tco_usd;
      CHECK(by_purchase == Approx(r.tco_usd));
    }
  }
  const auto zero = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet", {"fleet.finance.cost_of_capital=0"}));
  CHECK(zero.result.npv_usd == Approx(-zero.result.tco_usd));
}

TEST_CASE("residual value and a horizon shorter than the useful life") {
  // 20% residual after 4 years: $20,000 comes back in the last year.
  auto r = test::tiny_tco({"fleet.finance.residual=20%"}).result;
  CHECK(r.residual_usd == Approx(20000));
  CHECK(r.years.back().residual_usd == Approx(20000));
  CHECK(r.tco_usd == Approx(142280));
  // Held 4 years of a 5-year life: 1/5 of the price is still on the books.
  r = test::tiny_tco({"fleet.finance.useful_life=5 y"}).result;
  CHECK(r.residual_usd == Approx(20000));
  // Held 2.5 years: opex for 2.5 years, depreciation for 2.5 of 4, the rest comes back.
  r = test::tiny_tco({"fleet.finance.horizon=2.5 y"}).result;
  REQUIRE(r.years.size() == 3);
  CHECK(r.opex_usd == Approx(2.5 * 15570));
  CHECK(r.residual_usd == Approx(100000 * 1.5 / 4));
}

TEST_CASE("an owned facility is capital: IT capacity x build cost, depreciated over its life") {
  // 5 kW x $11.7/W = $58,500 of building, 15-year life: 4 years depreciate 4/15 of it.
  const auto r = test::tiny_tco({"fleet.facility.mode=owned", "fleet.facility.build_cost=$11.7M/MW"}).result;
  CHECK(r.usd[cost::index_of(cost::Category::facility)] == Approx(58500));
  CHECK(r.usd[cost::index_of(cost::Category::colocation)] == 0);
  CHECK(r.residual_usd == Approx(58500 * 11.0 / 15));
  CHECK(r.tco_usd == Approx(100000 + 58500 * 4.0 / 15 + 4 * 6570));
  // Loaded: the building is annualized over its own life.
  const double annual = cost::annualized_capital(100000, 0, 0.08, 4) + cost::annualized_capital(58500, 0, 0.08, 15) + 6570;
  CHECK(r.usd_per_gpu_hour == Approx(annual / 70080));
}

TEST_CASE("staff, software and transit are shared by GPU count; maintenance follows hardware capex") {
  const auto r = test::tiny_tco({"fleet.finance.staff=$40k/year", "fleet.finance.maintenance=3%",
                                 "fleet.finance.transit=$1k/year"})
                     .result;
  CHECK(r.usd[cost::index_of(cost::Category::staff)] == Approx(160000));
  CHECK(r.usd[cost::index_of(cost::Category::maintenance)] == Approx(4 * 3000));
  CHECK(r.usd[cost::index_of(cost::Category::transit)] == Approx(4000));
  // In a fleet of 60,000 GPUs the H20s (30,000) carry half of the staff.
  const auto d = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet", {"fleet.finance.staff=$10M/year"}));
  for (const auto& p : d.result.purchases) {
    if (p.name == "H20 (2024)") CHECK(p.usd[cost::index_of(cost::Category::staff)] == Approx(4 * 5e6));
  }
}

TEST_CASE("the loaded cost per GPU-hour falls as utilization rises and rises with the cost of capital") {
  double prev = 1e300;
  for (const char* u : {"10%", "30%", "50%", "70%", "90%", "100%"}) {
    const double rate =
        cost::analyse_fleet(test::shipped_scenario("deepseek-fleet", {std::string("fleet.finance.utilization=") + u}))
            .result.usd_per_gpu_hour;
    CHECK(rate < prev);
    prev = rate;
  }
  prev = 0;
  for (const char* r : {"0%", "4%", "8%", "12%", "20%"}) {
    const auto res =
        cost::analyse_fleet(test::shipped_scenario("deepseek-fleet", {std::string("fleet.finance.cost_of_capital=") + r}))
            .result;
    CHECK(res.usd_per_gpu_hour > prev);
    prev = res.usd_per_gpu_hour;
  }
}

TEST_CASE("break-even utilization: where owning costs what renting does") {
  const auto r = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet")).result;
  for (const auto& p : r.purchases) {
    if (!p.breakeven_utilization) continue;
    INFO(p.name);
    const double u = *p.breakeven_utilization;
    CHECK(u > 0);
    CHECK(u <= 1);
    const auto at = cost::analyse_fleet(
        test::shipped_scenario("deepseek-fleet", {fmt::format("fleet.finance.utilization={}", u)}));
    for (const auto& q : at.result.purchases) {
      if (q.name == p.name) CHECK(q.usd_per_gpu_hour == Approx(p.rental_usd_per_hour).epsilon(1e-9));
    }
  }
}

TEST_CASE("sensitivity: every input at its base value gives the base TCO; swings sorted") {
  const auto a = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet"));
  for (const auto& x : a.input_list) {
    if (!x.set) continue;
    INFO(x.key);
    auto moved = a.inputs;
    x.set(moved, x.value);
    CHECK(cost::evaluate_tco(moved).tco_usd == Approx(a.result.tco_usd).epsilon(1e-12));
  }
  REQUIRE(a.sensitivity.size() >= 10);
  for (size_t i = 1; i < a.sensitivity.size(); ++i) {
    const auto& p = a.sensitivity[i - 1];
    const auto& q = a.sensitivity[i];
    CHECK(std::fabs(p.high_tco_usd - p.low_tco_usd) >= std::fabs(q.high_tco_usd - q.low_tco_usd));
  }
  // A dearer input never makes the fleet cheaper.
  for (const auto& s : a.sensitivity) {
    if (s.key.ends_with(".price") || s.key == "fleet.facility.pue") CHECK(s.high_tco_usd >= s.low_tco_usd);
  }
}

TEST_CASE("every input a range may name moves the cost model") {
  std::string ranges;
  for (const auto& ri : scenario::range_inputs()) {
    const double v = ri.dim == core::Dim::seconds ? 3 * core::kSecondsPerYear : ri.dim == core::Dim::count ? 1.2 : 0.5;
    const std::string text = ri.dim == core::Dim::count ? "1.2" : core::quantity_text(v, ri.dim);
    ranges += fmt::format("{{input: {}, low: \"{}\", high: \"{}\", source: test}},", ri.key, text, text);
  }
  const auto a = test::tiny_tco({"fleet.ranges=[" + ranges + "]"});
  for (const auto& ri : scenario::range_inputs()) {
    bool found = false;
    for (const auto& x : a.input_list) found = found || (x.key == "fleet." + ri.key && x.low && x.set);
    CHECK(found);
  }
}

TEST_CASE("the same scenario gives byte-identical JSON") {
  const auto a = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet"));
  const auto b = cost::analyse_fleet(test::shipped_scenario("deepseek-fleet"));
  CHECK(cost::tco_json(a).dump() == cost::tco_json(b).dump());
  // The CSV is rendered from this section (report/csv.h; tests/report).
}
