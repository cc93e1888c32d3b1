// The terminal tables of the result document: what `fleetsim train`, `serve`, `tco`, `run` and
// `plan` print, each built from the typed sections of result/document.h alone (the figures the
// JSON holds, formatted), beside the HTML report (report.h) and the CSV (csv.h).
#pragma once

#include <map>
#include <string>

#include "core/units.h"
#include "result/document.h"

namespace fleetsim::report {

// `fleetsim train`: the layout, step time and its breakdown, MFU, memory per GPU, each stage,
// and the whole run at the rental price.
std::string training_table(const result::Training& t);

// `fleetsim serve`: throughput per node, each unit, latency percentiles, nodes, GPU-hours, cost,
// revenue and margin, and the simulation's counts; `scenario` names it in the title.
std::string serving_table(const std::string& scenario, const result::Serving& s);

// What `fleetsim tco` shows besides the section itself.
struct TcoView {
  std::string title;          // the first lines: the fleet's name, the file and its hash
  std::size_t top = 12;       // sensitivity rows shown
  bool bom = false;           // every line of the bill of materials
  bool inputs = false;        // every input of the cost model
  // The unit of each input by its key (tco.inputs[].key, tco.sensitivity[].key): the document
  // holds their values in SI units, the tables show them with the unit.
  std::map<std::string, core::Dim> dims;
};

// `fleetsim tco`: purchases, totals, categories, years, workloads, sensitivity, fabrics, and on
// request the bill of materials and the inputs; one table per section.
std::string tco_tables(const result::Tco& t, const TcoView& view);

// `fleetsim plan`: the search's counts, the serving screen, rejections, the cheapest fleets,
// the event-engine confirmations and the reference check. `report` is the HTML file written.
std::string plan_summary(const result::Plan& p, const std::string& report);

// `fleetsim run`: the headline figures (headline() of report.h) under the scenario's title.
std::string run_summary(const result::Document& doc, const std::string& report);

}  // namespace fleetsim::report
