// The arithmetic of money over time, against values worked by hand.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <map>

#include "cost/finance.h"

using namespace fleetsim;
using Catch::Approx;

TEST_CASE("capital recovery factor: r (1+r)^n / ((1+r)^n - 1)") {
  // 8%, 4 years: 1.08^4 = 1.36048896; 0.08 x 1.36048896 / 0.36048896 = 0.3019208.
  CHECK(cost::capital_recovery_factor(0.08, 4) == Approx(0.30192080445).epsilon(1e-10));
  // 5%, 10 years: 1.05^10 = 1.62889463; 0.05 x 1.62889463 / 0.62889463 = 0.1295046.
  CHECK(cost::capital_recovery_factor(0.05, 10) == Approx(0.129504574965).epsilon(1e-10));
  // At no interest the payment is the price spread evenly.
  CHECK(cost::capital_recovery_factor(0.0, 4) == 0.25);
  // Continuous in the rate near zero.
  CHECK(cost::capital_recovery_factor(1e-9, 4) == Approx(0.25).epsilon(1e-6));
  // The annuity repays the loan: the present value of n payments of CRF is 1.
  double pv = 0;
  for (int k = 1; k <= 7; ++k) pv += cost::capital_recovery_factor(0.11, 7) / std::pow(1.11, k);
  CHECK(pv == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("annualized capital nets the residual value out") {
  // $100,000 at 8% over 4 years: 30,192.08 a year; with 20% left after 4 years the payment
  // falls by 20,000 / 1.08^4 x CRF = 14,700.60 x 0.3019208 = 4,438.42: 25,753.66.
  CHECK(cost::annualized_capital(100000, 0.0, 0.08, 4) == Approx(30192.08045));
  CHECK(cost::annualized_capital(100000, 0.2, 0.08, 4) == Approx(25753.66436));
}

TEST_CASE("straight-line depreciation adds up to price less residual") {
  // 100,000 over 4 years to 20%: 20,000 a year.
  CHECK(cost::depreciation_in_year(100000, 0.2, 4, 4, 0) == Approx(20000));
  double sum = 0;
  for (int k = 0; k < 6; ++k) sum += cost::depreciation_in_year(100000, 0.2, 4, 6, k);
  CHECK(sum == Approx(80000));  // held past its life: nothing more after year 4
  // Held 2.5 years of a 5-year life: 20,000 + 20,000 + 10,000.
  sum = 0;
  for (int k = 0; k < 3; ++k) sum += cost::depreciation_in_year(100000, 0.0, 5, 2.5, k);
  CHECK(sum == Approx(50000));
  // A 4.5-year life: the last half year gets half a year's share.
  CHECK(cost::depreciation_in_year(90000, 0.0, 4.5, 5, 4) == Approx(10000));
}

TEST_CASE("net present value") {
  // At a zero rate the NPV is the plain sum.
  const std::map<int, double> flows = {{2021, -100}, {2022, -50}, {2023, 30}, {2024, -10}};
  CHECK(cost::net_present_value(flows, 0.0, 2022) == Approx(-130));
  // -100 x 1.1 (a year before the base) - 50 + 30 / 1.1 - 10 / 1.21 = -110 - 50 + 27.2727 - 8.2645 = -140.9917.
  CHECK(cost::net_present_value(flows, 0.1, 2022) == Approx(-140.991735));
}
