// A sweep's evaluator over scenarios: each point loads the base scenario with its overrides
// (--set first, then the point's), runs it like `fleetsim run` (run_scenario), and keeps the
// result document's summary figures as columns. Thread-safe: the catalogs and calibration are
// read-only and every point builds its own scenario.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "calib/table.h"
#include "plan/sweep.h"
#include "scenario/scenario.h"

namespace fleetsim::plan {

class ScenarioEvaluator final : public Evaluator {
 public:
  // Loads the base scenario once (with `sets`) to check it and to choose the columns of the
  // parts it has. Throws core::InputError for a bad base scenario.
  ScenarioEvaluator(std::filesystem::path file, const scenario::Catalogs& catalogs,
                    const calib::CalibrationSet& calibration, std::vector<std::string> sets);

  std::vector<std::string> columns() const override { return columns_; }
  core::Json evaluate(uint64_t index, const std::vector<std::string>& overrides) const override;

 private:
  std::filesystem::path file_;
  const scenario::Catalogs& catalogs_;
  const calib::CalibrationSet& calibration_;
  std::vector<std::string> sets_;
  std::vector<std::string> columns_;  // JSON pointers into the result document, without the leading '/'
};

// The summary figures of a result document that a sweep keeps, for the parts it has:
// "training/step_time_s", "tco/tco_usd", ... (JSON pointers without the leading '/').
std::vector<std::string> summary_columns(const core::Json& doc);

}  // namespace fleetsim::plan
