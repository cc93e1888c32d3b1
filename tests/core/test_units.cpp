#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "core/units.h"

using namespace fleetsim::core;
using Catch::Approx;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("quantities parse into SI base units") {
  CHECK(parse_quantity("3.35 TB/s", Dim::bytes_per_s) == Approx(3.35e12));
  CHECK(parse_quantity("400 Gb/s", Dim::bytes_per_s) == Approx(50e9));  // bits: / 8
  CHECK(parse_quantity("400Gbps", Dim::bytes_per_s) == Approx(50e9));
  CHECK(parse_quantity("80 GiB", Dim::bytes) == 80.0 * 1073741824.0);
  CHECK(parse_quantity("80 GB", Dim::bytes) == 80e9);
  CHECK(parse_quantity("70.272 KB", Dim::bytes) == Approx(70272));
  CHECK(parse_quantity("989 TFLOP/s", Dim::flop_per_s) == Approx(989e12));
  CHECK(parse_quantity("989 TFLOPS", Dim::flop_per_s) == Approx(989e12));
  CHECK(parse_quantity("250 GFLOP", Dim::flop) == Approx(250e9));
  CHECK(parse_quantity("700 W", Dim::watts) == 700);
  CHECK(parse_quantity("10.2 kW", Dim::watts) == Approx(10200));
  CHECK(parse_quantity("1.83 GHz", Dim::hertz) == Approx(1.83e9));
  CHECK(parse_quantity("3.7 us", Dim::seconds) == Approx(3.7e-6));
  CHECK(parse_quantity("150 ns", Dim::seconds) == Approx(150e-9));
  CHECK(parse_quantity("2 h", Dim::seconds) == 7200);
  CHECK(parse_quantity("4 years", Dim::seconds) == Approx(4 * 8760 * 3600.0));
}

TEST_CASE("counts and fractions take magnitudes and percentages") {
  CHECK(parse_quantity("14.8T", Dim::count) == Approx(14.8e12));
  CHECK(parse_quantity("608B", Dim::count) == Approx(608e9));  // a count: B is billion
  CHECK(parse_quantity("469B", Dim::count) == Approx(469e9));
  CHECK(parse_quantity("2K", Dim::count) == 2000);
  CHECK(parse_quantity("15,360", Dim::count) == 15360);
  CHECK(parse_quantity("1e12", Dim::count) == 1e12);
  CHECK(parse_quantity("56.3%", Dim::fraction) == Approx(0.563));
  CHECK(parse_quantity("0.39", Dim::fraction) == Approx(0.39));
}

TEST_CASE("money in USD with rates") {
  CHECK(parse_quantity("$33,800", Dim::usd) == 33800);
  CHECK(parse_quantity("1.6B USD", Dim::usd) == Approx(1.6e9));
  CHECK(parse_quantity("$270K", Dim::usd) == 270000);
  CHECK(parse_quantity("$2/GPU-hour", Dim::usd_per_hour) == 2);
  CHECK(parse_quantity("2 USD/h", Dim::usd_per_hour) == 2);
  CHECK(parse_quantity("$0.088/kWh", Dim::usd_per_kwh) == Approx(0.088));
  CHECK(parse_quantity("$88/MWh", Dim::usd_per_kwh) == Approx(0.088));
  CHECK(parse_quantity("$184.06/kW-month", Dim::usd_per_kw_month) == Approx(184.06));
  CHECK(parse_quantity("$11.7M/MW", Dim::usd_per_watt) == Approx(11.7));  // 11.7 $/W
  CHECK(parse_quantity("$2.19/Mtok", Dim::usd_per_mtok) == Approx(2.19));
  CHECK(parse_quantity("$150k/year", Dim::usd_per_year) == 150000);
}

TEST_CASE("bad units are rejected with a reason") {
  auto message = [](std::string_view text, Dim dim) {
    try {
      parse_quantity(text, dim);
    } catch (const UnitError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK_THAT(message("3.35", Dim::bytes_per_s), ContainsSubstring("has no unit"));
  CHECK_THAT(message("80 GB", Dim::bytes_per_s), ContainsSubstring("is a size"));
  CHECK_THAT(message("400 gb/s", Dim::bytes_per_s), ContainsSubstring("ambiguous"));
  CHECK_THAT(message("3.35 TBps/s", Dim::bytes_per_s), ContainsSubstring("unknown unit"));
  CHECK_THAT(message("700 w", Dim::watts), ContainsSubstring("did you mean 'W'"));
  CHECK_THAT(message("110000 CNY", Dim::usd), ContainsSubstring("unknown currency 'CNY'"));
  CHECK_THAT(message("33800", Dim::usd), ContainsSubstring("no currency"));
  CHECK_THAT(message("$2", Dim::usd_per_hour), ContainsSubstring("no '/unit'"));
  CHECK_THAT(message("$2/kWh", Dim::usd_per_hour), ContainsSubstring("energy price"));
  CHECK_THAT(message("1,5 GB", Dim::bytes), ContainsSubstring("thousands"));
  CHECK_THAT(message("fast", Dim::bytes_per_s), ContainsSubstring("does not start with a number"));
  CHECK_THAT(message("12 apples", Dim::count), ContainsSubstring("unknown suffix"));
  CHECK_THAT(message("39 percent", Dim::fraction), ContainsSubstring("percentage"));
  CHECK_THAT(message("", Dim::watts), ContainsSubstring("empty"));
}

TEST_CASE("formatting picks a readable prefix") {
  CHECK(format_quantity(3.35e12, Dim::bytes_per_s) == "3.35 TB/s");
  CHECK(format_quantity(989e12, Dim::flop_per_s) == "989 TFLOP/s");
  CHECK(format_quantity(70272, Dim::bytes) == "70.27 KB");
  CHECK(format_quantity(5.576e6, Dim::usd) == "$5.576M");
  CHECK(format_quantity(2.0, Dim::usd_per_hour) == "$2/h");
  CHECK(format_quantity(0.39, Dim::fraction) == "39%");
  CHECK(format_quantity(1.5e-6, Dim::seconds) == "1.5 us");
  CHECK(format_bytes_binary(80.0 * 1073741824.0) == "80 GiB");
  CHECK(format_quantity(4096, Dim::count) == "4,096");
  CHECK(format_quantity(278, Dim::count) == "278");
  CHECK(format_quantity(226.75, Dim::count) == "226.8");
  CHECK(format_quantity(2.788e6, Dim::count) == "2.788M");
}
