// The numbers a TCO is computed from, resolved from a scenario: the bill of materials with its
// prices and powers, one purchase per tranche and storage cluster, and the facility, power and
// finance assumptions in SI units (years where the name says so). Plain data: the sensitivity
// analysis copies it, moves one input, and evaluates again.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/units.h"
#include "cost/bom.h"
#include "scenario/scenario.h"

namespace fleetsim::cost {

// One purchase: a tranche of GPU nodes or a storage cluster, with its BOM lines (by group name).
struct Purchase {
  std::string name;
  int year = 0;
  std::string gpu;            // GPU id; empty for storage
  int64_t gpus = 0;
  int owner = -1;             // storage: the tranche purchase whose GPU-hours carry its cost; -1 = all
  double rental_usd_per_hour = 0;  // what renting one of its GPUs costs; 0 = unknown
  std::string rental_source;
};

struct CostInputs {
  std::vector<BomLine> lines;
  std::vector<Purchase> purchases;  // tranches in fleet order, then storage
  scenario::FacilityMode mode = scenario::FacilityMode::colocation;
  double pue = 1;
  double usd_per_kwh = 0;
  double colocation_usd_per_kw_month = 0;
  double build_usd_per_watt = 0;
  double facility_life_years = 15;
  double busy_fraction = 0.75;
  double idle_fraction = 0.3;
  double horizon_years = 4;
  double useful_life_years = 4;
  double residual_fraction = 0;
  double cost_of_capital = 0;
  double utilization = 1;
  double maintenance_fraction = 0;
  double staff_usd_per_year = 0;
  double software_usd_per_year = 0;
  double transit_usd_per_year = 0;
  int valuation_year = 0;
  std::map<std::string, double> gpu_rental_usd_per_hour;  // catalog rentals of the fleet's GPUs
};

// One figure the TCO rests on, its source, and the range the sensitivity moves it over.
struct Input {
  std::string key;     // "fleet.facility.pue", "hardware.switches.qm9700.price"
  std::string label;   // "PUE", "switch qm9700 price"
  core::Dim dim = core::Dim::count;
  double value = 0;
  std::optional<double> low, high;
  std::string source;
  bool estimate = false;
  std::string note;
  std::string range_source;
  std::function<void(CostInputs&, double)> set;  // null for figures shown but not moved

  bool has_range() const { return low && high && set && (*low != value || *high != value); }
};

// Resolves the scenario's fleet (which must be present) and its bill of materials.
CostInputs cost_inputs(const scenario::Scenario& s, const Bom& bom);

// The inputs of the cost model with their values, sources and ranges: catalog price ranges for
// prices, the fleet's `ranges` for the facility, power and finance figures.
std::vector<Input> input_list(const scenario::Scenario& s, const CostInputs& in);

}  // namespace fleetsim::cost
