// The main job: a scenario's parts run and gathered into one result document (docs/results.md):
// the header, a section for each part the scenario has (training, serving, fleet TCO), every
// input figure with its source, and the calibration tables the GPUs use.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "calib/table.h"
#include "core/progress.h"
#include "core/schema.h"
#include "result/document.h"
#include "scenario/scenario.h"

namespace fleetsim::plan {

struct RunOptions {
  core::Progress* progress = nullptr;
  // Only the figures a sweep compares: no assumption list, calibration provenance, sensitivity
  // analysis or step timeline. The figures themselves are the same as a full run's.
  bool summary_only = false;
};

// The result document of a scenario. Deterministic: same scenario and seed, same document.
// Throws core::InputError for an impossible configuration (file, line and field).
result::Document run_document(const scenario::Scenario& s, const calib::CalibrationSet& calibration,
                              const RunOptions& options = {});
// The same document as JSON (result::to_json), for sweeps that pick columns by JSON pointer.
core::Json run_scenario(const scenario::Scenario& s, const calib::CalibrationSet& calibration,
                        const RunOptions& options = {});

// Pieces of the document, for commands that run one part only.
result::Document document_header(const scenario::Scenario& s);  // fleetsim and scenario only
// Assumptions whose path starts with one of the prefixes (all when empty).
std::vector<result::AssumptionRow> assumptions(const scenario::Scenario& s,
                                               const std::vector<std::string>& prefixes = {});
// The calibration table each of the scenario's GPUs uses, with its provenance.
std::vector<result::CalibrationRow> calibration_rows(const scenario::Scenario& s,
                                                     const calib::CalibrationSet& calibration);

}  // namespace fleetsim::plan
