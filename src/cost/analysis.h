// The whole TCO of a scenario's fleet in one call: bill of materials, resolved inputs with their
// sources and ranges, cash flows and TCO, workloads priced, and the sensitivity analysis. This is
// what `fleetsim tco` shows and what the result document's "tco" section holds (tco_section).
#pragma once

#include <string>
#include <vector>

#include "cost/bom.h"
#include "cost/inputs.h"
#include "cost/sensitivity.h"
#include "cost/tco.h"
#include "cost/workload.h"
#include "result/document.h"

namespace fleetsim::cost {

struct TcoAnalysis {
  Bom bom;
  CostInputs inputs;
  std::vector<Input> input_list;
  TcoResult result;
  std::vector<WorkloadCost> workloads;
  std::vector<Swing> sensitivity;
};

// `simulated`: workloads from the training and serving engines, priced after the fleet's own
// published ones. Throws core::InputError when the scenario has no fleet section, a fabric cannot
// hold its tranche, or a workload runs on a GPU the fleet does not own (file, line, field).
// `with_sensitivity`: moving every input over its range costs some 40 more TCO evaluations;
// sweeps that keep only the totals leave it out.
TcoAnalysis analyse_fleet(const scenario::Scenario& s, const std::vector<WorkloadUsage>& simulated = {},
                          bool with_sensitivity = true);

// The "tco" section of the result document (docs/results.md): totals, breakdown, by_year,
// purchases, bill of materials, fabrics, workloads, sensitivity and inputs. Deterministic.
result::Tco tco_section(const TcoAnalysis& a);
// The same section as JSON: result::to_json(tco_section(a)).
core::Json tco_json(const TcoAnalysis& a);

}  // namespace fleetsim::cost
