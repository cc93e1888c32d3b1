// The fleet a company owns and the money around it: purchase tranches of nodes with their
// fabric, the facility that houses them, power, and the finance assumptions of a TCO.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/schema.h"
#include "scenario/cluster_spec.h"

namespace fleetsim::scenario {

struct TrancheSpec {
  std::string name;               // "H800 (2023)"
  std::string node;               // NodeSpec id
  int nodes = 0;
  int year = 0;                   // purchase year
  std::optional<double> node_price_usd;  // replaces the catalog's typical server price
  FabricSpec fabric;
  core::Provenance provenance;
};

enum class FacilityMode { colocation, owned };

struct FacilitySpec {
  FacilityMode mode = FacilityMode::colocation;
  double pue = 1.3;                          // facility power / IT power
  double usd_per_kwh = 0;                    // electricity
  double colocation_usd_per_kw_month = 0;    // colocation: space, cooling, power delivery per kW of IT
  double build_usd_per_watt = 0;             // owned: construction per watt of critical IT load
  core::Provenance provenance;
};

struct FinanceSpec {
  int start_year = 0;                 // first year of the horizon
  double horizon_s = 0;               // length of the TCO horizon
  double useful_life_s = 0;           // depreciation period
  double residual_fraction = 0;       // resale value at the end of the useful life
  double cost_of_capital = 0;         // yearly rate for the capital recovery factor and NPV
  double utilization = 0;             // share of GPU-hours doing useful work
  double maintenance_fraction_per_year = 0;  // support and spares, share of hardware capex a year
  double staff_usd_per_year = 0;
  double software_usd_per_year = 0;
  core::Provenance provenance;
};

struct FleetSpec {
  std::string name;
  std::vector<TrancheSpec> tranches;
  FacilitySpec facility;
  FinanceSpec finance;
  core::Provenance provenance;
};

std::string_view facility_mode_name(FacilityMode m);

const core::Schema<TrancheSpec>& tranche_schema();
const core::Schema<FacilitySpec>& facility_schema();
const core::Schema<FinanceSpec>& finance_schema();
const core::Schema<FleetSpec>& fleet_schema();

}  // namespace fleetsim::scenario
