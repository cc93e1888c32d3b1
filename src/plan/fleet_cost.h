// What owning a planned fleet costs: the base scenario's facility, power and finance assumptions
// applied to new purchases of the planned nodes (each kind one tranche, bought in the finance
// start year, on the fabric the base fleet uses for that kind, else the workload's fabric).
// Storage and the base fleet's own tranches are left out: the plan prices what it adds.
#pragma once

#include <map>
#include <string>

#include "scenario/scenario.h"

namespace fleetsim::plan {

// The fleet section of the planned fleet. Throws core::InputError when the base has no fleet.
scenario::FleetSpec planned_fleet(const scenario::Scenario& s, const std::map<std::string, int>& nodes);

// Its TCO over the finance horizon (cost::analyse_fleet, no sensitivity analysis).
double own_fleet_cost_usd(const scenario::Scenario& s, const std::map<std::string, int>& nodes);

}  // namespace fleetsim::plan
