// Time value of money and depreciation: the pure arithmetic of a TCO, with no fleet in sight.
//
// Capital recovery factor (the annuity that repays 1 USD over n years at rate r):
//   CRF(r, n) = r (1 + r)^n / ((1 + r)^n - 1),   CRF(0, n) = 1 / n.
// Annualized capital of a price P with residual share R after n years:
//   A = (P - R P (1 + r)^-n) CRF(r, n)
// Straight-line depreciation to the residual: P (1 - R) / n a year; year k (0-based) of an asset
// held h years gets that times the part of the year it is both held and within its life,
//   clamp(min(h, n) - k, 0, 1).
// Net present value of yearly flows F_y taken at year y0:  NPV = sum_y F_y / (1 + r)^(y - y0).
// Worked number: CRF(8%, 4) = 0.08 x 1.36049 / 0.36049 = 0.301921; a $100,000 server with no
// residual costs $30,192 a year; at 0% it is $25,000.
#pragma once

#include <map>

namespace fleetsim::cost {

// rate >= 0 (a yearly fraction), years > 0.
double capital_recovery_factor(double rate, double years);

// The level yearly payment that buys `price` and leaves `residual_fraction` of it after `years`.
double annualized_capital(double price, double residual_fraction, double rate, double years);

// Straight-line depreciation in year index `k` (0 = the purchase year) of an asset of `price`,
// depreciated over `life_years` to `residual_fraction`, held for `held_years`.
double depreciation_in_year(double price, double residual_fraction, double life_years, double held_years, int k);

// Sum over years of flow / (1 + rate)^(year - base_year).
double net_present_value(const std::map<int, double>& flows_by_year, double rate, int base_year);

}  // namespace fleetsim::cost
