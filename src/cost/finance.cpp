#include "cost/finance.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace fleetsim::cost {

double capital_recovery_factor(double rate, double years) {
  FLEETSIM_CHECK(rate >= 0 && years > 0, "CRF needs rate >= 0 and years > 0");
  // Below this rate the closed form loses digits to cancellation; the limit 1/n is exact to 1e-9.
  constexpr double kTinyRate = 1e-12;
  if (rate < kTinyRate) return 1.0 / years;
  const double g = std::pow(1.0 + rate, years);
  return rate * g / (g - 1.0);
}

double annualized_capital(double price, double residual_fraction, double rate, double years) {
  const double residual_now = residual_fraction * price * std::pow(1.0 + rate, -years);
  return (price - residual_now) * capital_recovery_factor(rate, years);
}

double depreciation_in_year(double price, double residual_fraction, double life_years, double held_years, int k) {
  FLEETSIM_CHECK(life_years > 0, "depreciation needs a positive life");
  const double share = std::clamp(std::min(held_years, life_years) - k, 0.0, 1.0);
  return price * (1.0 - residual_fraction) / life_years * share;
}

double net_present_value(const std::map<int, double>& flows_by_year, double rate, int base_year) {
  double npv = 0;
  for (const auto& [year, flow] : flows_by_year) npv += flow / std::pow(1.0 + rate, year - base_year);
  return npv;
}

}  // namespace fleetsim::cost
