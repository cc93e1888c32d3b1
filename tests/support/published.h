// Comparing fleetsim against a published figure: prints the comparison (expected next to
// actual, the deviation and the tolerance, and where the figure comes from) and checks it.
#pragma once

#include <catch2/catch_test_macros.hpp>
#include <cmath>
#include <cstdio>
#include <string>

namespace fleetsim::test {

// |actual - expected| <= rel_tol * |expected|
inline void expect_published(const std::string& what, double expected, double actual, double rel_tol,
                             const std::string& source) {
  const double dev = expected != 0 ? (actual - expected) / std::fabs(expected) : actual;
  std::printf("[published] %-58s expected %14.6g  actual %14.6g  dev %+7.2f%%  tol %5.1f%%  (%s)\n", what.c_str(),
              expected, actual, 100.0 * dev, 100.0 * rel_tol, source.c_str());
  INFO(what << ": expected " << expected << ", actual " << actual << " (" << source << ")");
  CHECK(std::fabs(actual - expected) <= rel_tol * std::fabs(expected));
}

// An exact figure.
inline void expect_published_exact(const std::string& what, double expected, double actual,
                                   const std::string& source) {
  std::printf("[published] %-58s expected %14.6g  actual %14.6g  exact  (%s)\n", what.c_str(), expected, actual,
              source.c_str());
  INFO(what << ": expected " << expected << ", actual " << actual << " (" << source << ")");
  CHECK(actual == expected);
}

}  // namespace fleetsim::test
