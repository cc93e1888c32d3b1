#include "core/units.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <vector>

#include "core/text.h"

namespace fleetsim::core {
namespace {

struct Unit {
  std::string_view text;
  Dim dim;
  double factor;  // SI value of 1 <text>
};

// Every unit fleetsim accepts, by dimension. Matching is exact (case matters: Gb is bits, GB bytes).
const std::vector<Unit>& unit_table() {
  static const std::vector<Unit> table = [] {
    std::vector<Unit> t;
    auto add = [&](std::string_view text, Dim dim, double factor) { t.push_back({text, dim, factor}); };
    const std::array<std::pair<std::string_view, double>, 6> dec = {
        {{"", 1.0}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}}};
    const std::array<std::pair<std::string_view, double>, 5> bin = {
        {{"Ki", 0x1p10}, {"Mi", 0x1p20}, {"Gi", 0x1p30}, {"Ti", 0x1p40}, {"Pi", 0x1p50}}};
    static std::vector<std::string> storage;  // owns the composed unit texts
    storage.reserve(128);
    auto own = [&](std::string s) -> std::string_view {
      storage.push_back(std::move(s));
      return storage.back();
    };
    for (auto [p, f] : dec) {
      add(own(std::string(p) + "B"), Dim::bytes, f);
      add(own(std::string(p) + "B/s"), Dim::bytes_per_s, f);
      add(own(std::string(p) + "b/s"), Dim::bytes_per_s, f / 8);
      if (!p.empty()) add(own(std::string(p) + "bps"), Dim::bytes_per_s, f / 8);
      add(own(std::string(p) + "FLOP"), Dim::flop, f);
      add(own(std::string(p) + "FLOP/s"), Dim::flop_per_s, f);
      add(own(std::string(p) + "FLOPS"), Dim::flop_per_s, f);
    }
    add("kB", Dim::bytes, 1e3);
    add("kB/s", Dim::bytes_per_s, 1e3);
    add("EFLOP", Dim::flop, 1e18);
    add("EFLOP/s", Dim::flop_per_s, 1e18);
    for (auto [p, f] : bin) {
      add(own(std::string(p) + "B"), Dim::bytes, f);
      add(own(std::string(p) + "B/s"), Dim::bytes_per_s, f);
    }
    for (auto [u, f] : std::array<std::pair<std::string_view, double>, 20>{{{"ns", 1e-9},
                                                                            {"us", 1e-6},
                                                                            {"µs", 1e-6},
                                                                            {"ms", 1e-3},
                                                                            {"s", 1.0},
                                                                            {"min", 60.0},
                                                                            {"h", 3600.0},
                                                                            {"hour", 3600.0},
                                                                            {"hours", 3600.0},
                                                                            {"d", 86400.0},
                                                                            {"day", 86400.0},
                                                                            {"days", 86400.0},
                                                                            {"week", 7 * 86400.0},
                                                                            {"weeks", 7 * 86400.0},
                                                                            {"month", kSecondsPerYear / 12},
                                                                            {"months", kSecondsPerYear / 12},
                                                                            {"y", kSecondsPerYear},
                                                                            {"yr", kSecondsPerYear},
                                                                            {"year", kSecondsPerYear},
                                                                            {"years", kSecondsPerYear}}}) {
      add(u, Dim::seconds, f);
    }
    add("Hz", Dim::hertz, 1.0);
    add("kHz", Dim::hertz, 1e3);
    add("MHz", Dim::hertz, 1e6);
    add("GHz", Dim::hertz, 1e9);
    add("W", Dim::watts, 1.0);
    add("kW", Dim::watts, 1e3);
    add("MW", Dim::watts, 1e6);
    add("GW", Dim::watts, 1e9);
    return t;
  }();
  return table;
}

// Denominators of money rates: text -> factor that turns "USD per <text>" into the stored unit.
struct Denominator {
  std::string_view text;
  Dim dim;
  double factor;
};
constexpr std::array<Denominator, 25> kDenominators = {{
    {"h", Dim::usd_per_hour, 1.0},
    {"hr", Dim::usd_per_hour, 1.0},
    {"hour", Dim::usd_per_hour, 1.0},
    {"GPU-hour", Dim::usd_per_hour, 1.0},
    {"GPU-hr", Dim::usd_per_hour, 1.0},
    {"GPU-h", Dim::usd_per_hour, 1.0},
    {"node-hour", Dim::usd_per_hour, 1.0},
    {"kWh", Dim::usd_per_kwh, 1.0},
    {"MWh", Dim::usd_per_kwh, 1e-3},
    {"kW-month", Dim::usd_per_kw_month, 1.0},
    {"kW/month", Dim::usd_per_kw_month, 1.0},
    {"kW-mo", Dim::usd_per_kw_month, 1.0},
    {"W", Dim::usd_per_watt, 1.0},
    {"kW", Dim::usd_per_watt, 1e-3},
    {"MW", Dim::usd_per_watt, 1e-6},
    {"y", Dim::usd_per_year, 1.0},
    {"yr", Dim::usd_per_year, 1.0},
    {"year", Dim::usd_per_year, 1.0},
    {"GPU-year", Dim::usd_per_year, 1.0},
    {"GPU-month", Dim::usd_per_year, 12.0},
    {"month", Dim::usd_per_year, 12.0},
    {"GPU-mo", Dim::usd_per_year, 12.0},
    {"Mtok", Dim::usd_per_mtok, 1.0},
    {"M tokens", Dim::usd_per_mtok, 1.0},
    {"1M tokens", Dim::usd_per_mtok, 1.0},
}};

bool is_money(Dim d) {
  return d == Dim::usd || d == Dim::usd_per_hour || d == Dim::usd_per_kwh || d == Dim::usd_per_kw_month ||
         d == Dim::usd_per_watt || d == Dim::usd_per_year || d == Dim::usd_per_mtok;
}

std::string expected(Dim dim) {
  return fmt::format("expected {} such as '{}'", dim_noun(dim), dim_example(dim));
}

// "12,345,678.9": one to three digits, then groups of exactly three, before any '.'.
bool valid_thousands_grouping(std::string_view number) {
  if (!number.empty() && (number[0] == '-' || number[0] == '+')) number.remove_prefix(1);
  std::string_view whole = number.substr(0, number.find_first_of(".eE"));
  size_t first = whole.find(',');
  if (first == 0 || first > 3 || (whole.size() - first) % 4 != 0) return false;
  for (size_t k = 0; k < whole.size(); ++k) {
    bool comma_slot = k >= first && (k - first) % 4 == 0;
    if (comma_slot ? whole[k] != ',' : !is_digit(whole[k])) return false;
  }
  return number.find(',', whole.size()) == std::string_view::npos;
}

// Splits "1,234.5e3 rest" into the number and the rest. Accepts comma thousands groups.
std::pair<double, std::string_view> take_number(std::string_view text, Dim dim) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t digits_begin = i;
  while (i < text.size() && (is_digit(text[i]) || text[i] == ',' || text[i] == '.')) ++i;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && is_digit(text[j])) {
      i = j;
      while (i < text.size() && is_digit(text[i])) ++i;
    }
  }
  if (i == digits_begin) throw UnitError(fmt::format("'{}' does not start with a number; {}", text, expected(dim)));
  std::string number(text.substr(0, i));
  if (number.find(',') != std::string::npos) {
    if (!valid_thousands_grouping(number)) {
      throw UnitError(fmt::format("'{}': commas are only for thousands (write 1,234.5 or 1234.5)", text));
    }
    std::erase(number, ',');
  }
  double value = 0;
  const char* b = number.data() + (number[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(b, number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) {
    throw UnitError(fmt::format("'{}' is not a number; {}", text, expected(dim)));
  }
  if (!std::isfinite(value)) throw UnitError(fmt::format("'{}' is not a finite number", text));
  return {value, trim(text.substr(i))};
}

// Magnitude suffix for counts and money: K/k thousand, M million, B billion, T trillion.
std::optional<double> magnitude(std::string_view s) {
  if (s == "") return 1.0;
  if (s == "K" || s == "k") return 1e3;
  if (s == "M") return 1e6;
  if (s == "B") return 1e9;
  if (s == "T") return 1e12;
  return std::nullopt;
}

double parse_money(std::string_view text, Dim dim) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s = trim(s.substr(1));
  }
  bool dollar = !s.empty() && s[0] == '$';
  if (dollar) s = trim(s.substr(1));
  auto [value, rest] = take_number(s, dim);
  if (negative) value = -value;
  // Split off "/denominator".
  std::string_view denom;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    denom = trim(rest.substr(slash + 1));
    rest = trim(rest.substr(0, slash));
  }
  // rest is now: [magnitude] [currency]
  std::string_view mag_text = rest, currency;
  if (auto sp = rest.find_first_of(" \t"); sp != std::string_view::npos) {
    mag_text = trim(rest.substr(0, sp));
    currency = trim(rest.substr(sp));
  } else if (!rest.empty() && !magnitude(rest)) {
    mag_text = "";
    currency = rest;
  }
  auto mag = magnitude(mag_text);
  if (!mag) throw UnitError(fmt::format("'{}': unknown magnitude '{}' (use K, M, B or T)", text, mag_text));
  value *= *mag;
  if (!currency.empty()) {
    if (dollar) throw UnitError(fmt::format("'{}': give the currency once ('$2/h' or '2 USD/h')", text));
    if (currency != "USD") {
      bool code = currency.size() == 3 && std::all_of(currency.begin(), currency.end(),
                                                      [](char c) { return c >= 'A' && c <= 'Z'; });
      if (code) {
        throw UnitError(fmt::format("'{}': unknown currency '{}'; fleetsim prices everything in USD "
                                    "(convert at the rate you assume and say so in the source)",
                                    text, currency));
      }
      throw UnitError(fmt::format("'{}': unknown unit '{}'; {}", text, currency, expected(dim)));
    }
  } else if (!dollar) {
    throw UnitError(fmt::format("'{}' has no currency; {}", text, expected(dim)));
  }
  if (dim == Dim::usd) {
    if (!denom.empty()) throw UnitError(fmt::format("'{}' is a rate; {}", text, expected(dim)));
    return value;
  }
  if (denom.empty()) throw UnitError(fmt::format("'{}' has no '/unit'; {}", text, expected(dim)));
  for (const auto& d : kDenominators) {
    if (d.text == denom) {
      if (d.dim != dim) {
        throw UnitError(fmt::format("'{}' is {}; {}", text, dim_noun(d.dim), expected(dim)));
      }
      return value * d.factor;
    }
  }
  throw UnitError(fmt::format("'{}': unknown denominator '/{}'; {}", text, denom, expected(dim)));
}

}  // namespace

double parse_quantity(std::string_view raw, Dim dim) {
  std::string_view text = trim(raw);
  if (text.empty()) throw UnitError(fmt::format("empty value; {}", expected(dim)));
  if (is_money(dim)) return parse_money(text, dim);
  if (!text.empty() && text[0] == '$') {
    throw UnitError(fmt::format("'{}' is money; {}", text, expected(dim)));
  }
  auto [value, unit] = take_number(text, dim);
  if (dim == Dim::count) {
    auto mag = magnitude(unit);
    if (!mag) throw UnitError(fmt::format("'{}': unknown suffix '{}' for a count (use K, M, B or T)", text, unit));
    return value * *mag;
  }
  if (dim == Dim::fraction) {
    if (unit.empty()) return value;
    if (unit == "%") return value / 100.0;
    throw UnitError(fmt::format("'{}': a fraction is a plain number (0.39) or a percentage (39%)", text));
  }
  if (unit.empty()) throw UnitError(fmt::format("'{}' has no unit; {}", text, expected(dim)));
  for (const auto& u : unit_table()) {
    if (u.text != unit) continue;
    if (u.dim != dim) throw UnitError(fmt::format("'{}' is {}; {}", text, dim_noun(u.dim), expected(dim)));
    return value * u.factor;
  }
  // Not found: explain the likely slip.
  std::vector<std::string_view> near;
  for (const auto& u : unit_table()) {
    if (u.dim == dim && iequals(u.text, unit)) near.push_back(u.text);
  }
  if (near.size() > 1) {
    throw UnitError(fmt::format("'{}': unit '{}' is ambiguous; write one of {} (case matters: b is a bit, B a byte)",
                                text, unit, join_quoted(near)));
  }
  if (near.size() == 1) {
    throw UnitError(fmt::format("'{}': unknown unit '{}'; did you mean '{}'?", text, unit, near[0]));
  }
  throw UnitError(fmt::format("'{}': unknown unit '{}'; {}", text, unit, expected(dim)));
}

std::string_view dim_noun(Dim dim) {
  switch (dim) {
    case Dim::count: return "a count";
    case Dim::fraction: return "a fraction";
    case Dim::bytes: return "a size";
    case Dim::bytes_per_s: return "a bandwidth";
    case Dim::flop: return "an amount of computation";
    case Dim::flop_per_s: return "a compute rate";
    case Dim::seconds: return "a duration";
    case Dim::hertz: return "a frequency";
    case Dim::watts: return "a power";
    case Dim::usd: return "an amount of money";
    case Dim::usd_per_hour: return "a price per hour";
    case Dim::usd_per_kwh: return "an energy price";
    case Dim::usd_per_kw_month: return "a price per kW-month";
    case Dim::usd_per_watt: return "a price per watt of capacity";
    case Dim::usd_per_year: return "a price per year";
    case Dim::usd_per_mtok: return "a price per million tokens";
  }
  return "a quantity";
}

std::string_view dim_example(Dim dim) {
  switch (dim) {
    case Dim::count: return "14.8T";
    case Dim::fraction: return "39%";
    case Dim::bytes: return "80 GiB";
    case Dim::bytes_per_s: return "3.35 TB/s";
    case Dim::flop: return "250 GFLOP";
    case Dim::flop_per_s: return "989 TFLOP/s";
    case Dim::seconds: return "3.7 us";
    case Dim::hertz: return "1.83 GHz";
    case Dim::watts: return "700 W";
    case Dim::usd: return "$33,800";
    case Dim::usd_per_hour: return "$2/GPU-hour";
    case Dim::usd_per_kwh: return "$0.088/kWh";
    case Dim::usd_per_kw_month: return "$184/kW-month";
    case Dim::usd_per_watt: return "$11.7M/MW";
    case Dim::usd_per_year: return "$150k/year";
    case Dim::usd_per_mtok: return "$2.19/Mtok";
  }
  return "";
}

std::string_view dim_unit(Dim dim) {
  switch (dim) {
    case Dim::count: return "";
    case Dim::fraction: return "fraction";
    case Dim::bytes: return "bytes";
    case Dim::bytes_per_s: return "bytes/s";
    case Dim::flop: return "FLOP";
    case Dim::flop_per_s: return "FLOP/s";
    case Dim::seconds: return "s";
    case Dim::hertz: return "Hz";
    case Dim::watts: return "W";
    case Dim::usd: return "USD";
    case Dim::usd_per_hour: return "USD/hour";
    case Dim::usd_per_kwh: return "USD/kWh";
    case Dim::usd_per_kw_month: return "USD/kW-month";
    case Dim::usd_per_watt: return "USD/W";
    case Dim::usd_per_year: return "USD/year";
    case Dim::usd_per_mtok: return "USD/Mtok";
  }
  return "";
}

namespace {
std::string sig(double v, int significant) {
  // %g-like with a fixed number of significant digits, trailing zeros removed.
  std::string s = fmt::format("{:.{}g}", v, significant);
  if (s.find('e') != std::string::npos) s = fmt::format("{:.{}f}", v, 0);
  return s;
}
std::string scaled(double v, int significant, std::string_view unit,
                   std::initializer_list<std::pair<double, std::string_view>> steps) {
  double a = std::fabs(v);
  const std::pair<double, std::string_view>* best = steps.begin();
  for (const auto& st : steps) {
    if (a >= st.first) best = &st;
  }
  return fmt::format("{} {}{}", sig(v / best->first, significant), best->second, unit);
}
}  // namespace

std::string format_bytes_binary(double v, int significant) {
  return scaled(v, significant, "B", {{1, ""}, {0x1p10, "Ki"}, {0x1p20, "Mi"}, {0x1p30, "Gi"}, {0x1p40, "Ti"}, {0x1p50, "Pi"}});
}

std::string format_quantity(double v, Dim dim, int significant) {
  switch (dim) {
    case Dim::count: {
      // Whole numbers below 100,000 read best as they are: "4,096", not "4.096K".
      if (std::fabs(v) < 1e5 && v == std::floor(v)) {
        const long long n = static_cast<long long>(std::fabs(v));
        std::string out = v < 0 ? "-" : "";
        if (n >= 1000) out += fmt::format("{},{:03}", n / 1000, n % 1000);
        else out += fmt::format("{}", n);
        return out;
      }
      std::string s = scaled(v, significant, "", {{1, ""}, {1e3, "K"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}});
      while (!s.empty() && s.back() == ' ') s.pop_back();
      if (auto p = s.rfind(' '); p != std::string::npos) s.erase(p, 1);
      return s;
    }
    case Dim::fraction: return sig(v * 100, significant) + "%";
    case Dim::bytes: return scaled(v, significant, "B", {{1, ""}, {1e3, "K"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}, {1e15, "P"}});
    case Dim::bytes_per_s:
      return scaled(v, significant, "B/s", {{1, ""}, {1e3, "K"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}});
    case Dim::flop: return scaled(v, significant, "FLOP", {{1, ""}, {1e9, "G"}, {1e12, "T"}, {1e15, "P"}, {1e18, "E"}, {1e21, "Z"}});
    case Dim::flop_per_s: return scaled(v, significant, "FLOP/s", {{1, ""}, {1e9, "G"}, {1e12, "T"}, {1e15, "P"}, {1e18, "E"}});
    case Dim::seconds: {
      double a = std::fabs(v);
      if (a < 1e-6) return sig(v * 1e9, significant) + " ns";
      if (a < 1e-3) return sig(v * 1e6, significant) + " us";
      if (a < 1) return sig(v * 1e3, significant) + " ms";
      if (a < 120) return sig(v, significant) + " s";
      if (a < 2 * 3600) return sig(v / 60, significant) + " min";
      if (a < 2 * 86400) return sig(v / 3600, significant) + " h";
      return sig(v / 86400, significant) + " days";
    }
    case Dim::hertz: return scaled(v, significant, "Hz", {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}});
    case Dim::watts: return scaled(v, significant, "W", {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}});
    case Dim::usd: {
      std::string s = scaled(v, significant, "", {{1, ""}, {1e3, "K"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}});
      while (!s.empty() && s.back() == ' ') s.pop_back();
      if (auto p = s.rfind(' '); p != std::string::npos) s.erase(p, 1);
      if (!s.empty() && s[0] == '-') return "-$" + s.substr(1);
      return "$" + s;
    }
    case Dim::usd_per_hour: return format_quantity(v, Dim::usd, significant) + "/h";
    case Dim::usd_per_kwh: return format_quantity(v, Dim::usd, significant) + "/kWh";
    case Dim::usd_per_kw_month: return format_quantity(v, Dim::usd, significant) + "/kW-month";
    case Dim::usd_per_watt: return format_quantity(v * 1e6, Dim::usd, significant) + "/MW";
    case Dim::usd_per_year: return format_quantity(v, Dim::usd, significant) + "/year";
    case Dim::usd_per_mtok: return format_quantity(v, Dim::usd, significant) + "/Mtok";
  }
  return sig(v, significant);
}

}  // namespace fleetsim::core
