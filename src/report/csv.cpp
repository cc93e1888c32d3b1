#include "report/csv.h"

#include <fmt/format.h>

namespace fleetsim::report {

namespace {

// The categories of tco.by_year[].by_category in their order, with their kind: hardware and the
// facility are bought (capex), the rest is spent as the fleet runs (opex); docs/cost.md.
struct CategoryColumn {
  const char* name;
  double result::ByCategory::*usd;
  const char* kind;
};

constexpr CategoryColumn kColumns[] = {
    {"servers", &result::ByCategory::servers, "capex"},         {"network", &result::ByCategory::network, "capex"},
    {"storage", &result::ByCategory::storage, "capex"},         {"facility", &result::ByCategory::facility, "capex"},
    {"energy", &result::ByCategory::energy, "opex"},            {"colocation", &result::ByCategory::colocation, "opex"},
    {"maintenance", &result::ByCategory::maintenance, "opex"},  {"staff", &result::ByCategory::staff, "opex"},
    {"software", &result::ByCategory::software, "opex"},        {"transit", &result::ByCategory::transit, "opex"},
};

}  // namespace

std::string tco_csv(const result::Tco& t) {
  std::string out = "year,category,kind,usd\n";
  for (const auto& y : t.by_year) {
    for (const auto& c : kColumns) out += fmt::format("{},{},{},{:.2f}\n", y.year, c.name, c.kind, y.by_category.*c.usd);
    out += fmt::format("{},depreciation,accounting,{:.2f}\n", y.year, y.depreciation_usd);
    out += fmt::format("{},residual value,credit,{:.2f}\n", y.year, y.residual_usd);
    out += fmt::format("{},cash flow,total,{:.2f}\n", y.year, y.cash_flow_usd);
  }
  return out;
}

}  // namespace fleetsim::report
