// A fleet small enough to work by hand: one 8-GPU server of 5 kW bought for $100,000, with no
// fabric (no NICs), in colocation. Tests override its fields with --set.
#pragma once

#include <string>
#include <vector>

#include "cost/analysis.h"
#include "scenario/scenario.h"
#include "support/catalogs.h"

namespace fleetsim::test {

inline constexpr const char* kTinyFleet = R"(name: tiny
question: What does one server cost to own?
hardware:
  nodes:
    tiny-node:
      id: tiny-node
      name: one 8-GPU server
      source: test
      gpu: h100
      gpus: 8
      nic: cx7-400g
      nics: 0
      cpu: test
      host_memory: 1 TiB
      max_power: 5 kW
      price: {low: "$90,000", typical: "$100,000", high: "$120,000"}
fleet:
  tranches:
    - {name: one, node: tiny-node, nodes: 1, year: 2024}
  facility: {pue: 1.5, power_price: $0.10/kWh, colocation_price: $150/kW-month}
  power: {busy_draw: 100%, idle_draw: 0%}
  finance: {start_year: 2024, horizon: 4 y, useful_life: 4 y, cost_of_capital: 8%, utilization: 100%}
)";

inline scenario::Scenario tiny_fleet(const std::vector<std::string>& sets = {}) {
  return scenario::load_scenario_text(kTinyFleet, "tiny.yaml", shipped_catalogs(), sets);
}

inline cost::TcoAnalysis tiny_tco(const std::vector<std::string>& sets = {}) {
  return cost::analyse_fleet(tiny_fleet(sets));
}

inline scenario::Scenario shipped_scenario(const std::string& name, const std::vector<std::string>& sets = {}) {
  return scenario::load_scenario(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/" + name + ".yaml",
                                 shipped_catalogs(), sets);
}

}  // namespace fleetsim::test
