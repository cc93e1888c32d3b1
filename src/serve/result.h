// `fleetsim serve` in one call: the closed-form fleet of the day (estimate.h), then the event
// simulation of the day (simulate.h) for latencies, and the result document's `serving` section
// (docs/results.md).
//
//   auto r = serve::serve(scenario, calibration);          // throws core::InputError on a bad unit
//   result::Serving j = serve::serving_section(r);    // result::to_json(j) is its JSON
//   r.estimate.gpu_hours_per_day ...                       // plan/run.cpp hands the day to the TCO
#pragma once

#include <optional>
#include <string>

#include "core/schema.h"
#include "result/document.h"
#include "serve/estimate.h"
#include "serve/simulate.h"

namespace fleetsim::serve {

struct ServeOptions {
  bool simulate = true;  // run the event simulation
  SimOptions sim;
};

struct ServeResult {
  ServingEstimate estimate;
  std::optional<SimResult> sim;
};

// The scenario's serving section (a core::InputError when it has none).
ServeResult serve(const scenario::Scenario& s, const calib::CalibrationSet& calibration,
                  const ServeOptions& options = {});

// The `serving` section: prefill/decode tokens per s per node, ttft_s and tpot_s {p50, p90,
// p99} (from the simulation, or the closed form when none ran), nodes, GPU-hours, cost, revenue,
// margin, hourly plan, and the units' memory and step times. Deterministic.
result::Serving serving_section(const ServeResult& r);
// The same section as JSON: result::to_json(serving_section(r)).
core::Json serving_json(const ServeResult& r);

// The simulation's passes and steps as a Chrome/Perfetto trace (needs sim.record_trace).
std::string trace_json(const ServeResult& r);

}  // namespace fleetsim::serve
