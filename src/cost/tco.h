// Cash flows, depreciation, TCO and the fully loaded cost per GPU-hour of a fleet.
//
// Each purchase p (a tranche, a storage cluster) is bought in year y_p and owned for H years
// (the horizon), so the fleet's years run from the first purchase to the last one's horizon.
//   capex_p      = sum of its BOM lines (quantity x unit price)  [+ owned: IT_max x build $/W]
//   IT_max       = sum quantity x unit power (servers at max power, network gear, storage)
//   IT_avg(u)    = servers: u x busy x P_max + (1 - u) x idle; everything else its rated power
//   energy       = IT_avg x PUE x 8,760 h x $/kWh                        a year
//   colocation   = IT_max (kW) x $/kW-month x 12                         a year
//   maintenance  = m x hardware capex;  staff, software, transit: the fleet's yearly figures
//                  shared by GPU count                                   a year
// Year k of a purchase (k = 0 .. ceil(H) - 1) spends opex x min(1, H - k) and depreciates each
// capex part straight-line to its residual over its life (hardware: useful life; building:
// facility life); at the horizon's end what is left on the books comes back as residual value.
//   TCO = capex + opex - residual = sum over years of (depreciation + opex)
//   cash flow of a year = residual - capex - opex;  NPV at the cost of capital, valued in y0.
// Loaded cost per GPU-hour at utilization u (lease versus buy):
//   rate_p = (sum_c annualized_capital(capex_c, R_c, r, L_c) + opex_p(u) + allocated storage)
//            / (GPUs_p x 8,760 x u)
// Worked number (docs/cost.md): one $100,000 server of 8 GPUs, 5 kW, PUE 1.5, $0.10/kWh,
// $150/kW-month, 4 years, 8%, u = 1, busy draw 1: energy 5 x 1.5 x 8,760 x 0.10 = $6,570 a
// year; colocation 5 x 150 x 12 = $9,000; TCO = 100,000 + 4 x 15,570 = $162,280; rate =
// (30,192.08 + 15,570) / 70,080 GPU-hours = $0.6530 per GPU-hour.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "cost/inputs.h"

namespace fleetsim::cost {

struct YearRow {
  int year = 0;
  std::array<double, kCategories> usd{};  // capex by category when bought, opex as spent
  double capex_usd = 0;
  double opex_usd = 0;
  double depreciation_usd = 0;
  double residual_usd = 0;   // book value recovered at the end of a horizon
  double cash_flow_usd = 0;  // residual - capex - opex
};

struct PurchaseCost {
  std::string name;
  std::string gpu;
  int64_t gpus = 0;
  int year = 0;
  std::array<double, kCategories> usd{};  // over its horizon
  double capex_usd = 0;
  double opex_usd = 0;
  double residual_usd = 0;
  double tco_usd = 0;
  double it_power_max_w = 0;
  double it_power_avg_w = 0;
  double annual_cost_usd = 0;        // annualized capital + a year of opex, with allocated storage
  double gpu_hours_per_year = 0;     // used: GPUs x 8,760 x utilization
  double usd_per_gpu_hour = 0;       // loaded; 0 for storage
  double rental_usd_per_hour = 0;    // 0 = unknown
  std::string carried_by;            // storage: the tranche whose GPU-hours carry its cost, or "all"
  std::optional<double> breakeven_utilization;  // where owning costs what renting does; none if never
};

struct TcoResult {
  double capex_usd = 0;
  double opex_usd = 0;
  double residual_usd = 0;
  double tco_usd = 0;
  double npv_usd = 0;              // of the cash flows (negative: a cost)
  double horizon_years = 0;
  int valuation_year = 0;
  std::array<double, kCategories> usd{};  // by category over the horizons
  std::vector<YearRow> years;             // consecutive, first purchase to last horizon
  std::vector<PurchaseCost> purchases;
  int64_t gpus = 0;
  double gpu_hours_capacity = 0;          // all GPUs over their horizons at 100%
  double gpu_hours_used = 0;              // at the utilization
  double usd_per_gpu_hour = 0;            // loaded, fleet: annual costs / used GPU-hours a year
  double usd_per_gpu_hour_undiscounted = 0;  // TCO / used GPU-hours over the horizons
  double rental_usd_same_hours = 0;       // renting the used GPU-hours of the purchases whose GPUs have a
                                          // rental price (the others add nothing)
  double it_power_max_w = 0;
  double it_power_avg_w = 0;
};

TcoResult evaluate_tco(const CostInputs& in);

// The loaded cost per GPU-hour of the fleet's GPUs of one kind (GPU-hour weighted over the
// tranches that hold it); nullopt if the fleet has none.
std::optional<double> loaded_usd_per_gpu_hour(const TcoResult& r, const std::string& gpu);

}  // namespace fleetsim::cost
