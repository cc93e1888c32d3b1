// Physical quantities as people write them ("3.35 TB/s", "700 W", "80 GiB", "400 Gb/s",
// "$2/GPU-hour"), parsed strictly into SI base units, and formatted back for humans.
//
// In code every quantity is a double in SI base units (bytes, seconds, FLOP, watts, US dollars).
// The money rates keep the denominator people use, and the names of fields that hold them say so
// (usd_per_gpu_hour, usd_per_kwh, usd_per_kw_month, usd_per_watt, usd_per_year).
//
// Strictness: a dimensioned field without a unit is an error; a unit of another dimension is an
// error that names what it is ("'GB' is a size, expected a bandwidth such as '3.35 TB/s'");
// "gb/s" is rejected as ambiguous (bits or bytes?). Decimal prefixes are powers of 1000
// (GB = 1e9 B); binary ones are explicit (GiB = 2^30 B). Bits are 1/8 of a byte.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace fleetsim::core {

enum class Dim {
  count,             // plain number; suffixes K (1e3), M (1e6), B (1e9), T (1e12): "14.8T", "608B"
  fraction,          // 0.39 or "39%"
  bytes,             // "80 GiB", "70.272 KB"
  bytes_per_s,       // "3.35 TB/s", "400 Gb/s"
  flop,              // "250 GFLOP"
  flop_per_s,        // "989 TFLOP/s" (also "989 TFLOPS")
  seconds,           // "3.7 us", "2 h", "4 y" (a year is 365 days: 8,760 hours)
  hertz,             // "1.83 GHz"
  watts,             // "700 W", "10.2 kW"
  usd,               // "$33,800", "1.6B USD"
  usd_per_hour,      // "$2/GPU-hour", "2 USD/h"
  usd_per_kwh,       // "$0.088/kWh"
  usd_per_kw_month,  // "$184/kW-month"
  usd_per_watt,      // "$11.7M/MW" (stored per watt: 11.7)
  usd_per_year,      // "$150k/year"
  usd_per_mtok,      // "$2.19/Mtok": a price per million tokens
};

// What a unit text failed on. The caller adds the file, line and field.
class UnitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses text into the SI value for dim. Throws UnitError with a message naming the problem.
double parse_quantity(std::string_view text, Dim dim);

// "a bandwidth", "a size" ... for messages; and an example literal ("3.35 TB/s").
std::string_view dim_noun(Dim dim);
std::string_view dim_example(Dim dim);
// The canonical unit printed in schemas and tables ("bytes/s", "USD/GPU-hour").
std::string_view dim_unit(Dim dim);

// Human formatting with an SI prefix and `significant` digits: format_quantity(3.35e12,
// Dim::bytes_per_s) == "3.35 TB/s". Deterministic (no locale).
std::string format_quantity(double value, Dim dim, int significant = 4);

// Sizes with binary prefixes ("80 GiB"): how memory capacities are read.
std::string format_bytes_binary(double bytes, int significant = 4);

// Seconds in the units fleetsim reports: an hour, a day, a (365-day) year.
inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kSecondsPerDay = 86400.0;
inline constexpr double kHoursPerYear = 8760.0;
inline constexpr double kSecondsPerYear = kHoursPerYear * kSecondsPerHour;

}  // namespace fleetsim::core
