#include "plan/scenario_evaluator.h"

#include "plan/run.h"

namespace fleetsim::plan {

namespace {

// The figures a sweep compares, by part of the result document (docs/results.md).
const std::vector<std::pair<std::string, std::vector<std::string>>>& summary_keys() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> keys = {
      {"training",
       {"step_time_s", "mfu", "tokens_per_s_per_gpu", "gpu_hours_per_trillion_tokens", "gpu_hours_total",
        "wall_clock_days", "memory_per_gpu_bytes", "rental_usd_total"}},
      {"serving",
       {"prefill_tokens_per_s_per_node", "decode_tokens_per_s_per_node", "ttft_s/p90", "tpot_s/p90", "nodes/average",
        "nodes/peak", "gpu_hours_per_day", "cost_usd_per_day", "usd_per_million_output_tokens", "cost_profit_margin"}},
      {"tco", {"capex_usd", "opex_usd", "tco_usd", "usd_per_gpu_hour"}},
  };
  return keys;
}

}  // namespace

std::vector<std::string> summary_columns(const core::Json& doc) {
  std::vector<std::string> out;
  for (const auto& [part, keys] : summary_keys()) {
    if (!doc.contains(part)) continue;
    for (const auto& k : keys) out.push_back(part + "/" + k);
  }
  return out;
}

ScenarioEvaluator::ScenarioEvaluator(std::filesystem::path file, const scenario::Catalogs& catalogs,
                                     const calib::CalibrationSet& calibration, std::vector<std::string> sets)
    : file_(std::move(file)), catalogs_(catalogs), calibration_(calibration), sets_(std::move(sets)) {
  const auto base = scenario::load_scenario(file_, catalogs_, sets_);
  columns_ = summary_columns(run_scenario(base, calibration_, {nullptr, true}));
}

core::Json ScenarioEvaluator::evaluate(uint64_t, const std::vector<std::string>& overrides) const {
  std::vector<std::string> all = sets_;
  all.insert(all.end(), overrides.begin(), overrides.end());
  const auto s = scenario::load_scenario(file_, catalogs_, all);
  const core::Json doc = run_scenario(s, calibration_, {nullptr, true});
  core::Json row = core::Json::object();
  for (const auto& c : columns_) {
    const core::Json::json_pointer ptr("/" + c);
    if (doc.contains(ptr)) row[c] = doc.at(ptr);
  }
  return row;
}

}  // namespace fleetsim::plan
