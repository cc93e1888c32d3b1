#include "scenario/fleet_spec.h"

#include <fmt/format.h>

namespace fleetsim::scenario {

using core::Dim;

std::string_view facility_mode_name(FacilityMode m) {
  switch (m) {
    case FacilityMode::colocation: return "colocation";
    case FacilityMode::owned: return "owned";
  }
  return "?";
}

const core::Schema<TrancheSpec>& tranche_schema() {
  static const auto s =
      core::Schema<TrancheSpec>("tranche", "Nodes of one kind bought in one year, with their fabric.")
          .provenance(&TrancheSpec::provenance)
          .text("name", &TrancheSpec::name, "A label (\"H800 2023\").")
          .text("node", &TrancheSpec::node, "Node id from the hardware catalog.")
          .integer("nodes", &TrancheSpec::nodes, "Number of nodes.", core::at_least(1))
          .integer("year", &TrancheSpec::year, "Purchase year.", core::between(1990, 2100))
          .quantity("node_price", &TrancheSpec::node_price_usd, Dim::usd,
                    "Price per node paid; replaces the catalog's typical price.", core::non_negative())
          .object("fabric", &TrancheSpec::fabric, fabric_schema(), "Scale-out network of the tranche.", false);
  return s;
}

const core::Schema<FacilitySpec>& facility_schema() {
  static const auto s =
      core::Schema<FacilitySpec>("facility", "Where the fleet lives and what its power costs.")
          .provenance(&FacilitySpec::provenance)
          .choice("mode", &FacilitySpec::mode,
                  {{"colocation", FacilityMode::colocation}, {"owned", FacilityMode::owned}},
                  "Rented colocation space, or a data centre built and owned.", FacilityMode::colocation)
          .number("pue", &FacilitySpec::pue, "Power usage effectiveness: facility power over IT power.",
                  core::at_least(1), 1.3)
          .quantity("power_price", &FacilitySpec::usd_per_kwh, Dim::usd_per_kwh, "Electricity price.",
                    core::non_negative())
          .quantity("colocation_price", &FacilitySpec::colocation_usd_per_kw_month, Dim::usd_per_kw_month,
                    "Colocation price per kW of IT load a month.", core::non_negative(), 0.0)
          .quantity("build_cost", &FacilitySpec::build_usd_per_watt, Dim::usd_per_watt,
                    "Owned: construction cost per watt of critical IT load.", core::non_negative(), 0.0)
          .check([](const core::ConfigNode& n, FacilitySpec& f) {
            if (f.mode == FacilityMode::colocation && f.colocation_usd_per_kw_month <= 0) {
              n.fail_at("colocation_price", "colocation needs colocation_price");
            }
            if (f.mode == FacilityMode::owned && f.build_usd_per_watt <= 0) {
              n.fail_at("build_cost", "an owned facility needs build_cost");
            }
          });
  return s;
}

const core::Schema<FinanceSpec>& finance_schema() {
  static const auto s =
      core::Schema<FinanceSpec>("finance", "Horizon, depreciation, cost of capital and running costs.")
          .provenance(&FinanceSpec::provenance)
          .integer("start_year", &FinanceSpec::start_year, "First year of the TCO horizon.", core::between(1990, 2100))
          .quantity("horizon", &FinanceSpec::horizon_s, Dim::seconds, "Length of the TCO horizon.", core::positive())
          .quantity("useful_life", &FinanceSpec::useful_life_s, Dim::seconds, "Depreciation period.",
                    core::positive())
          .quantity("residual", &FinanceSpec::residual_fraction, Dim::fraction,
                    "Resale value at the end of the useful life, share of price.", core::unit_interval(), 0.0)
          .quantity("cost_of_capital", &FinanceSpec::cost_of_capital, Dim::fraction, "Yearly rate.",
                    core::between(0, 1), 0.0)
          .quantity("utilization", &FinanceSpec::utilization, Dim::fraction,
                    "Share of GPU-hours doing useful work.", core::Range{0, 1, true, false})
          .quantity("maintenance", &FinanceSpec::maintenance_fraction_per_year, Dim::fraction,
                    "Support and spares a year, share of hardware capex.", core::unit_interval(), 0.0)
          .quantity("staff", &FinanceSpec::staff_usd_per_year, Dim::usd_per_year, "Operations staff.",
                    core::non_negative(), 0.0)
          .quantity("software", &FinanceSpec::software_usd_per_year, Dim::usd_per_year, "Software and licences.",
                    core::non_negative(), 0.0);
  return s;
}

const core::Schema<FleetSpec>& fleet_schema() {
  static const auto s = core::Schema<FleetSpec>("fleet", "An owned fleet and its total cost of ownership.")
                            .provenance(&FleetSpec::provenance)
                            .text("name", &FleetSpec::name, "A label.", std::string())
                            .list("tranches", &FleetSpec::tranches, tranche_schema(), "Purchases of nodes.")
                            .object("facility", &FleetSpec::facility, facility_schema(), "Facility and power.")
                            .object("finance", &FleetSpec::finance, finance_schema(), "Finance assumptions.");
  return s;
}

}  // namespace fleetsim::scenario
