#include "plan/fleet_cost.h"

#include <fmt/format.h>

#include "core/error.h"
#include "cost/analysis.h"

namespace fleetsim::plan {

scenario::FleetSpec planned_fleet(const scenario::Scenario& s, const std::map<std::string, int>& nodes) {
  if (!s.fleet) {
    throw core::InputError(fmt::format("{}: cost: own needs the base scenario's fleet section (facility, power, "
                                       "finance) to price a fleet; add one or use cost: rent",
                                       s.file));
  }
  scenario::FleetSpec f = *s.fleet;
  f.name = "planned fleet";
  f.tranches.clear();
  f.storage.clear();
  f.workloads.clear();
  for (const auto& [node, count] : nodes) {
    if (count <= 0) continue;
    scenario::TrancheSpec t;
    t.name = fmt::format("{} x {}", count, node);
    t.node = node;
    t.nodes = count;
    t.year = f.finance.start_year;
    // The base fleet's fabric for this node kind, else the training cluster's, else the serving one's.
    bool found = false;
    for (const auto& base : s.fleet->tranches) {
      if (base.node == node && !found) {
        t.fabric = base.fabric;
        t.optics = base.optics;
        t.node_price_usd = base.node_price_usd;
        found = true;
      }
    }
    if (!found && s.training) t.fabric = s.training->cluster.fabric;
    if (!found && !s.training && s.serving) t.fabric = s.serving->fabric;
    t.clusters = 0;  // as few fabrics as hold the nodes
    f.tranches.push_back(std::move(t));
  }
  return f;
}

double own_fleet_cost_usd(const scenario::Scenario& s, const std::map<std::string, int>& nodes) {
  scenario::Scenario copy = s;
  copy.fleet = planned_fleet(s, nodes);
  return cost::analyse_fleet(copy, {}, false).result.tco_usd;
}

}  // namespace fleetsim::plan
