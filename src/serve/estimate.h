// The serving fleet of a day in closed form, without the event simulation: what one unit of each
// role carries at its batch limit, how many units each hour of the daily curve needs, and what
// the day costs and earns. For the capacity planner (microseconds to milliseconds per call) and
// as the plan the event simulation (simulate.h) runs.
//
//   auto e = serve::estimate(scenario, *scenario.serving, calibration);
//   if (!e.feasible) for (auto& why : e.infeasible) ...;        // never throws on a bad unit
//   e.decode_tokens_per_s_per_node; e.nodes.average; e.cost_usd_per_day;
//
// Equations (docs/serving.md):
//   requests/day R = output tokens/day / mean output length; the mean input length must agree
//     with input tokens/day / R within 5% (the scenario states both). A replayed trace gives all
//     of these from its rows instead (mean_kv_len and token_weighted_input as sample moments,
//     the hourly curves from its input and output tokens by hour of arrival).
//   mean context of a decode step (per generated token) K = I + (O (1 + cv_O^2) + 1) / 2.
//   prefill: prompts priced at the token-weighted length I (1 + cv_I^2); a pass of T computed
//     tokens per GPU (max_tokens_per_gpu, or what the KV cache holds) takes t_p; a node carries
//     T x GPUs / t_p / (1 - h) input tokens/s (h: cache hit rate). With a ttft_p90 target the unit
//     runs at utilisation rho: M/G/1 over prompt tokens, TTFT p90 = t_1 + ln(10) rho/(1 - rho)
//     I_w (1 - h) / (2 r GPUs) <= target (t_1: one average prompt's pass, I_w the token-weighted
//     prompt, r the back-to-back rate per GPU).
//   decode: B requests per attention group, the largest with B K <= KV tokens of the group,
//     B <= max_requests_per_gpu x TP, and tokens_per_step / t_d(B, K) >= the SLO's tokens/s per
//     user (and t_d / tokens_per_step <= tpot_p90); a node carries groups x B x tokens_per_step
//     / t_d / nodes output tokens/s.
//   hour h of the day (load c_h, mean 1): units_h = ceil(rate x c_h / capacity per unit), per
//     role; without autoscale every hour takes the peak. Nodes: day means per role, their sum
//     (average) and the largest hourly sum (peak).
//   GPU-hours/day = average nodes x GPUs per node x 24; cost = GPU-hours x rental;
//   revenue = hits x p_hit + misses x p_miss + output x p_out; margin = (revenue - cost) / cost.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calib/table.h"
#include "core/feasibility.h"
#include "scenario/scenario.h"
#include "serve/trace.h"
#include "serve/unit.h"

namespace fleetsim::serve {

// The traffic of the day, derived from the scenario's traffic section.
struct Traffic {
  double input_tokens_per_day = 0;
  double output_tokens_per_day = 0;
  double cache_hit_rate = 0;
  double requests_per_day = 0;
  double mean_input = 0;     // tokens per request
  double mean_output = 0;
  double mean_kv_len = 0;    // context seen by a generated token, on average (K above)
  // Prompt length seen by a prompt token, on average: E[I^2]/E[I] = I (1 + cv_I^2). A pass's
  // tokens come from prompts in proportion to their length, and attention per token grows with
  // it, so passes are priced at this length, not at the mean.
  double token_weighted_input = 0;
  std::vector<double> curve;        // 24 hourly multipliers of the output (decode) load, mean 1
  std::vector<double> curve_input;  // of the input (prefill) load: the same curve unless a trace gives both
  // The replayed requests (serving.traffic.trace), or null: traffic drawn from distributions.
  std::shared_ptr<const RequestTrace> trace;
};

// What one unit of a role does at its batch limit.
struct RoleCapacity {
  Role role = Role::decode;
  int nodes_per_unit = 0;
  int gpus_per_unit = 0;
  UnitMemory memory;
  // prefill
  double tokens_per_pass_per_gpu = 0;  // computed tokens of one pass on one GPU
  StepTime pass;
  // Utilisation a ttft_p90 target leaves (1 without one): see estimate.cpp.
  double ttft_utilization = 1;
  // decode
  double requests_per_group = 0;  // concurrent requests of one attention group
  double requests_per_gpu = 0;
  std::string batch_limit;        // "kv_cache", "max_requests_per_gpu" or "slo"
  double tokens_per_step = 1;
  StepTime step;
  double tokens_per_s_per_user = 0;
  // Per node, working at the limit: prefill input tokens (cache hits included), decode output tokens.
  double tokens_per_s_per_node = 0;
};

struct HourPlan {
  int hour = 0;
  double load = 0;  // multiplier of the day's mean rate
  int prefill_units = 0;
  int decode_units = 0;
  int nodes_prefill = 0;
  int nodes_decode = 0;
};

struct NodeCounts {
  double prefill = 0;  // day means (colocated units count as decode)
  double decode = 0;
  double average = 0;
  double peak = 0;
};

struct ServingEstimate {
  bool feasible = true;
  // Why not (empty when feasible): kind slo, memory, layout or input, with the numbers;
  // to_string() is "file:line: field: message".
  std::vector<core::Infeasibility> infeasible;
  std::string gpu;
  int gpus_per_node = 0;
  bool disaggregated = true;
  Traffic traffic;
  std::optional<RoleCapacity> prefill, decode;  // colocated: the unit's two capacities
  std::vector<HourPlan> hourly;
  NodeCounts nodes;
  double prefill_tokens_per_s_per_node = 0;  // day average: input tokens / prefill node-seconds
  double decode_tokens_per_s_per_node = 0;   // day average: output tokens / decode node-seconds
  double gpu_hours_per_day = 0;
  double cost_usd_per_day = 0;
  double usd_per_million_output_tokens = 0;
  std::optional<double> revenue_usd_per_day;
  std::optional<double> cost_profit_margin;
  double ttft_s = 0;  // closed form, unloaded: one pass of an average prompt
  double tpot_s = 0;  // closed form: step time / tokens per step at the batch limit
};

// The unit models and traffic of a service. Throws core::InputError (file, line, field) for a
// service that cannot run: see UnitModel, plus inconsistent traffic means and an SLO no batch
// meets.
class ServingModel {
 public:
  ServingModel(const scenario::Scenario& s, const scenario::ServingSpec& sv, const calib::CalibrationSet& calibration);
  // The same checks as values: the model, or nullopt with the first reason it cannot run
  // appended to `why` (the units' layout and memory, the traffic's inconsistent means: input).
  // Reading the request trace can still throw core::InputError.
  static std::optional<ServingModel> make(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                                          const calib::CalibrationSet& calibration,
                                          std::vector<core::Infeasibility>& why);

  const scenario::ServingSpec& spec() const { return sv_; }
  const Traffic& traffic() const { return traffic_; }
  const UnitModel& prefill_unit() const { return units_.front(); }  // the colocated unit when colocated
  const UnitModel& decode_unit() const { return units_.back(); }
  bool disaggregated() const { return sv_.disaggregated; }

  // The fleet of the day (throws only for an impossible SLO: the first of evaluate()'s).
  ServingEstimate estimate() const;
  // The same with an impossible SLO as a value (kind slo, feasible = false), never thrown.
  ServingEstimate evaluate() const;

 private:
  // Stops at the first failed check: appended to *why, or raised when why is null.
  ServingModel(const scenario::Scenario& s, const scenario::ServingSpec& sv, const calib::CalibrationSet& calibration,
               std::vector<core::Infeasibility>* why);

  scenario::ServingSpec sv_;
  std::string gpu_;
  int gpus_per_node_ = 0;
  Traffic traffic_;
  std::vector<UnitModel> units_;
};

// As ServingModel(...).estimate(), with every problem returned as an infeasibility with its
// kind (feasible = false) instead of thrown. Cheap: no event simulation.
ServingEstimate estimate(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                         const calib::CalibrationSet& calibration);

}  // namespace fleetsim::serve
