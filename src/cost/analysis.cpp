#include "cost/analysis.h"

#include "core/error.h"

namespace fleetsim::cost {

TcoAnalysis analyse_fleet(const scenario::Scenario& s, const std::vector<WorkloadUsage>& simulated,
                          bool with_sensitivity) {
  if (!s.fleet) {
    throw core::InputError({s.file, 0, 0}, "fleet",
                           "the scenario has no fleet section; a TCO needs tranches, a facility and finance");
  }
  TcoAnalysis a;
  a.bom = build_bom(s);
  a.inputs = cost_inputs(s, a.bom);
  a.input_list = input_list(s, a.inputs);
  a.result = evaluate_tco(a.inputs);
  std::vector<WorkloadUsage> usages = published_workloads(*s.fleet);
  usages.insert(usages.end(), simulated.begin(), simulated.end());
  a.workloads = price_workloads(usages, a.inputs, a.result);
  if (with_sensitivity) a.sensitivity = sensitivity(a.inputs, a.input_list);
  return a;
}

}  // namespace fleetsim::cost
