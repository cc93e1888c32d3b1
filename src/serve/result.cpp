#include "serve/result.h"

#include <fmt/format.h>

#include "core/error.h"

namespace fleetsim::serve {

ServeResult serve(const scenario::Scenario& s, const calib::CalibrationSet& calibration, const ServeOptions& options) {
  if (!s.serving) {
    throw core::InputError(core::SourceLocation{s.file, 0, 0}, "serving",
                           "the scenario has no serving section (see `fleetsim describe serving`)");
  }
  const ServingModel model(s, *s.serving, calibration);
  ServeResult r;
  r.estimate = model.estimate();
  if (options.simulate) r.sim = simulate_day(model, r.estimate, s.seed, options.sim);
  return r;
}

namespace {

core::Json pct_json(const Percentiles& p) { return {{"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}}; }

core::Json step_json(const StepTime& t) {
  return {{"seconds", t.seconds},
          {"compute_s", t.compute_s},
          {"all_to_all_s", t.all_to_all_s},
          {"attention_s", t.attention_s},
          {"gemm_s", t.gemm_s}};
}

core::Json role_json(const RoleCapacity& c) {
  core::Json j = {{"role", std::string(role_name(c.role))},
                  {"nodes_per_unit", c.nodes_per_unit},
                  {"gpus_per_unit", c.gpus_per_unit},
                  {"memory_per_gpu",
                   {{"hbm_bytes", c.memory.hbm_bytes},
                    {"weight_bytes", c.memory.weight_bytes},
                    {"reserve_bytes", c.memory.reserve_bytes},
                    {"kv_bytes", c.memory.kv_bytes},
                    {"kv_bytes_per_token", c.memory.kv_bytes_per_token},
                    {"kv_tokens", c.memory.kv_tokens}}},
                  {"tokens_per_s_per_node_at_capacity", c.tokens_per_s_per_node}};
  if (c.role == Role::prefill) {
    j["tokens_per_pass_per_gpu"] = c.tokens_per_pass_per_gpu;
    j["ttft_utilization"] = c.ttft_utilization;
    j["pass"] = step_json(c.pass);
  } else {
    j["requests_per_gpu"] = c.requests_per_gpu;
    j["batch_limit"] = c.batch_limit;
    j["tokens_per_step"] = c.tokens_per_step;
    j["step"] = step_json(c.step);
    j["tokens_per_s_per_user"] = c.tokens_per_s_per_user;
  }
  return j;
}

}  // namespace

core::Json serving_json(const ServeResult& r) {
  const auto& e = r.estimate;
  core::Json j = core::Json::object();
  j["gpu"] = e.gpu;
  j["disaggregated"] = e.disaggregated;
  j["prefill_tokens_per_s_per_node"] = e.prefill_tokens_per_s_per_node;
  j["decode_tokens_per_s_per_node"] = e.decode_tokens_per_s_per_node;
  if (r.sim) {
    j["ttft_s"] = pct_json(r.sim->ttft_s);
    j["tpot_s"] = pct_json(r.sim->tpot_s);
  } else {
    j["ttft_s"] = pct_json({e.ttft_s, e.ttft_s, e.ttft_s});
    j["tpot_s"] = pct_json({e.tpot_s, e.tpot_s, e.tpot_s});
  }
  j["latency_from"] = r.sim ? "simulation" : "closed form (unloaded)";
  j["nodes"] = {{"prefill", e.nodes.prefill}, {"decode", e.nodes.decode}, {"average", e.nodes.average},
                {"peak", e.nodes.peak}};
  j["gpu_hours_per_day"] = e.gpu_hours_per_day;
  j["cost_usd_per_day"] = e.cost_usd_per_day;
  j["usd_per_million_output_tokens"] = e.usd_per_million_output_tokens;
  if (e.revenue_usd_per_day) j["revenue_usd_per_day"] = *e.revenue_usd_per_day;
  if (e.cost_profit_margin) j["cost_profit_margin"] = *e.cost_profit_margin;
  core::Json hourly = core::Json::array();
  for (const auto& h : e.hourly) {
    hourly.push_back({{"hour", h.hour}, {"load", h.load}, {"nodes_prefill", h.nodes_prefill},
                      {"nodes_decode", h.nodes_decode}});
  }
  j["hourly"] = hourly;
  const auto& t = e.traffic;
  j["traffic"] = {{"requests_per_day", t.requests_per_day},
                  {"mean_input_tokens", t.mean_input},
                  {"mean_output_tokens", t.mean_output},
                  {"mean_kv_len", t.mean_kv_len},
                  {"token_weighted_input_tokens", t.token_weighted_input},
                  {"cache_hit_rate", t.cache_hit_rate}};
  if (t.trace) {
    j["traffic"]["trace"] = {{"file", t.trace->path},
                             {"requests", t.trace->rows.size()},
                             {"cached_tokens_column", t.trace->has_cached},
                             {"ignored_columns", t.trace->ignored_columns}};
    j["traffic"]["hourly_input_load"] = t.curve_input;
  }
  core::Json units = core::Json::object();
  if (e.prefill) units[e.disaggregated ? "prefill" : "colocated_prefill"] = role_json(*e.prefill);
  if (e.decode) units[e.disaggregated ? "decode" : "colocated_decode"] = role_json(*e.decode);
  j["units"] = units;
  if (r.sim) {
    const auto& s = *r.sim;
    j["simulation"] = {{"simulated_requests", s.simulated_requests},
                       {"requests_per_simulated_request", s.requests_per_simulated},
                       {"fleet_share", s.fleet_share},
                       {"events", s.events},
                       {"prefill_passes", s.prefill_passes},
                       {"decode_steps", s.decode_steps},
                       {"preemptions", s.preemptions},
                       {"input_tokens", s.input_tokens},
                       {"output_tokens", s.output_tokens},
                       {"last_finish_s", s.end_s},
                       {"prefill_busy_share", s.prefill_busy},
                       {"decode_requests_per_gpu", s.decode_requests_per_gpu}};
  }
  return j;
}

std::string trace_json(const ServeResult& r) {
  core::Json events = core::Json::array();
  events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", 0}, {"args", {{"name", "prefill units"}}}});
  events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", 1}, {"args", {{"name", "decode units"}}}});
  if (r.sim) {
    for (const auto& t : r.sim->trace) {
      events.push_back({{"ph", "X"},
                        {"pid", t.prefill ? 0 : 1},
                        {"tid", t.unit},
                        {"name", t.prefill ? "pass" : "step"},
                        {"ts", static_cast<double>(t.start_ns) / 1e3},
                        {"dur", static_cast<double>(t.end_ns - t.start_ns) / 1e3},
                        {"args", {{t.prefill ? "tokens" : "requests", t.batch}}}});
    }
  }
  return core::Json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace fleetsim::serve
