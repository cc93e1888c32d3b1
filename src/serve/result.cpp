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

result::Percentiles percentiles(const Percentiles& p) { return {p.p50, p.p90, p.p99}; }

result::PassTime pass_time(const StepTime& t) {
  return {t.seconds, t.compute_s, t.all_to_all_s, t.attention_s, t.gemm_s};
}

result::UnitMemory unit_memory(const UnitMemory& m) {
  return {m.hbm_bytes, m.weight_bytes, m.reserve_bytes, m.kv_bytes, m.kv_bytes_per_token, m.kv_tokens};
}

// The keys every unit has, whatever its role.
template <class Unit>
Unit unit_of(const RoleCapacity& c) {
  Unit u;
  u.role = std::string(role_name(c.role));
  u.nodes_per_unit = c.nodes_per_unit;
  u.gpus_per_unit = c.gpus_per_unit;
  u.memory_per_gpu = unit_memory(c.memory);
  u.tokens_per_s_per_node_at_capacity = c.tokens_per_s_per_node;
  return u;
}

result::PrefillUnit prefill_unit(const RoleCapacity& c) {
  auto u = unit_of<result::PrefillUnit>(c);
  u.tokens_per_pass_per_gpu = c.tokens_per_pass_per_gpu;
  u.ttft_utilization = c.ttft_utilization;
  u.pass_ = pass_time(c.pass);
  return u;
}

result::DecodeUnit decode_unit(const RoleCapacity& c) {
  auto u = unit_of<result::DecodeUnit>(c);
  u.requests_per_gpu = c.requests_per_gpu;
  u.batch_limit = c.batch_limit;
  u.tokens_per_step = c.tokens_per_step;
  u.step = pass_time(c.step);
  u.tokens_per_s_per_user = c.tokens_per_s_per_user;
  return u;
}

result::Traffic traffic(const Traffic& t) {
  result::Traffic out;
  out.requests_per_day = t.requests_per_day;
  out.mean_input_tokens = t.mean_input;
  out.mean_output_tokens = t.mean_output;
  out.mean_kv_len = t.mean_kv_len;
  out.token_weighted_input_tokens = t.token_weighted_input;
  out.cache_hit_rate = t.cache_hit_rate;
  if (t.trace) {
    out.trace = result::TraceInfo{t.trace->path, static_cast<std::int64_t>(t.trace->rows.size()),
                                  t.trace->has_cached, t.trace->ignored_columns};
    out.hourly_input_load = t.curve_input;
  }
  return out;
}

result::Simulation simulation(const SimResult& s) {
  result::Simulation out;
  out.simulated_requests = s.simulated_requests;
  out.requests_per_simulated_request = s.requests_per_simulated;
  out.fleet_share = s.fleet_share;
  out.events = static_cast<std::int64_t>(s.events);
  out.prefill_passes = s.prefill_passes;
  out.decode_steps = s.decode_steps;
  out.preemptions = s.preemptions;
  out.input_tokens = s.input_tokens;
  out.output_tokens = s.output_tokens;
  out.last_finish_s = s.end_s;
  out.prefill_busy_share = s.prefill_busy;
  out.decode_requests_per_gpu = s.decode_requests_per_gpu;
  return out;
}

}  // namespace

result::Serving serving_section(const ServeResult& r) {
  const auto& e = r.estimate;
  result::Serving j;
  j.gpu = e.gpu;
  j.disaggregated = e.disaggregated;
  j.prefill_tokens_per_s_per_node = e.prefill_tokens_per_s_per_node;
  j.decode_tokens_per_s_per_node = e.decode_tokens_per_s_per_node;
  // Without the simulation, every percentile is the closed form's unloaded latency.
  j.ttft_s = r.sim ? percentiles(r.sim->ttft_s) : result::Percentiles{e.ttft_s, e.ttft_s, e.ttft_s};
  j.tpot_s = r.sim ? percentiles(r.sim->tpot_s) : result::Percentiles{e.tpot_s, e.tpot_s, e.tpot_s};
  j.latency_from = r.sim ? "simulation" : "closed form (unloaded)";
  j.nodes = {e.nodes.prefill, e.nodes.decode, e.nodes.average, e.nodes.peak};
  j.gpu_hours_per_day = e.gpu_hours_per_day;
  j.cost_usd_per_day = e.cost_usd_per_day;
  j.usd_per_million_output_tokens = e.usd_per_million_output_tokens;
  j.revenue_usd_per_day = e.revenue_usd_per_day;
  j.cost_profit_margin = e.cost_profit_margin;
  for (const auto& h : e.hourly) j.hourly.push_back({h.hour, h.load, h.nodes_prefill, h.nodes_decode});
  j.traffic = traffic(e.traffic);
  if (e.prefill) (e.disaggregated ? j.units.prefill : j.units.colocated_prefill) = prefill_unit(*e.prefill);
  if (e.decode) (e.disaggregated ? j.units.decode : j.units.colocated_decode) = decode_unit(*e.decode);
  if (r.sim) j.simulation = simulation(*r.sim);
  return j;
}

core::Json serving_json(const ServeResult& r) { return result::to_json(serving_section(r)); }

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
