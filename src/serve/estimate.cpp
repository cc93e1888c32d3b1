#include "serve/estimate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/feasibility.h"

namespace fleetsim::serve {

namespace {


double cv_of(const scenario::LengthSpec& l) {
  switch (l.dist) {
    case scenario::LengthDist::fixed: return 0.0;
    case scenario::LengthDist::exponential: return 1.0;
    case scenario::LengthDist::lognormal: return l.cv;
  }
  return l.cv;
}

// The traffic of a replayed day: totals, means and the moments the closed form needs, from the
// rows; the hourly curves from the tokens arriving each hour (hours without requests get none).
// A trace that generates no tokens sets `why` (kind input).
Traffic trace_traffic(const scenario::ServingSpec& sv, std::shared_ptr<const RequestTrace> trace,
                      std::optional<core::Infeasibility>& why) {
  Traffic tr;
  double in = 0, out = 0, cached = 0, in2 = 0, ctx = 0;
  std::vector<double> in_h(24, 0.0), out_h(24, 0.0);
  for (const auto& r : trace->rows) {
    in += r.input;
    out += r.output;
    cached += trace->has_cached ? r.cached : 0.0;
    in2 += r.input * r.input;
    // Generated token j (1..O) sees I + j keys.
    ctx += r.output * r.input + r.output * (r.output + 1) / 2;
    const auto h = static_cast<size_t>(std::min(23.0, std::floor(r.arrival_s / 3600.0)));
    in_h[h] += r.input;
    out_h[h] += r.output;
  }
  if (out <= 0) {
    why = core::Infeasibility{core::Infeasible::input, core::SourceLocation{trace->path, 0, 0}, "serving.traffic.trace",
                              "the trace's requests generate no tokens: nothing to decode"};
    return tr;
  }
  const auto n = static_cast<double>(trace->rows.size());
  tr.input_tokens_per_day = in;
  tr.output_tokens_per_day = out;
  tr.cache_hit_rate = trace->has_cached ? cached / in : sv.traffic.cache_hit_rate;
  tr.requests_per_day = n;
  tr.mean_input = in / n;
  tr.mean_output = out / n;
  tr.mean_kv_len = ctx / out;
  tr.token_weighted_input = in2 / in;
  for (int h = 0; h < 24; ++h) {
    tr.curve.push_back(out_h[static_cast<size_t>(h)] * 24.0 / out);
    tr.curve_input.push_back(in_h[static_cast<size_t>(h)] * 24.0 / in);
  }
  tr.trace = std::move(trace);
  return tr;
}

// The traffic of a day given by its totals and length distributions; means that disagree with the
// totals set `why` (kind input).
Traffic derive_traffic(const scenario::ServingSpec& sv, std::optional<core::Infeasibility>& why) {
  const auto& t = sv.traffic;
  Traffic tr;
  tr.input_tokens_per_day = t.input_tokens_per_day;
  tr.output_tokens_per_day = t.output_tokens_per_day;
  tr.cache_hit_rate = t.cache_hit_rate;
  tr.mean_output = t.output.mean;
  tr.requests_per_day = t.output_tokens_per_day / t.output.mean;
  tr.mean_input = t.input_tokens_per_day / tr.requests_per_day;
  if (std::fabs(tr.mean_input / t.input.mean - 1.0) > 0.05) {
    why = core::Infeasibility{
        core::Infeasible::input, core::location_of(t.input.provenance, "mean"), "serving.traffic.input.mean",
        fmt::format("input mean {:.0f} tokens disagrees with the day's totals: {:.4g} input tokens over {:.4g} requests "
                    "({:.4g} output tokens / output mean {:.0f}) is {:.0f} tokens per request",
                    t.input.mean, t.input_tokens_per_day, tr.requests_per_day, t.output_tokens_per_day, t.output.mean,
                    tr.mean_input)};
    return tr;
  }
  const double cv = cv_of(t.output);
  tr.mean_kv_len = tr.mean_input + (tr.mean_output * (1.0 + cv * cv) + 1.0) / 2.0;
  const double cv_in = cv_of(t.input);
  tr.token_weighted_input = tr.mean_input * (1.0 + cv_in * cv_in);
  if (t.input.max > 0) tr.token_weighted_input = std::min(tr.token_weighted_input, t.input.max);
  tr.curve.assign(24, 1.0);
  if (!t.daily_curve.empty()) {
    const double sum = std::accumulate(t.daily_curve.begin(), t.daily_curve.end(), 0.0);
    for (int h = 0; h < 24; ++h) tr.curve[h] = t.daily_curve[h] * 24.0 / sum;
  }
  tr.curve_input = tr.curve;
  return tr;
}

}  // namespace

ServingModel::ServingModel(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                           const calib::CalibrationSet& calibration)
    : ServingModel(s, sv, calibration, nullptr) {}

std::optional<ServingModel> ServingModel::make(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                                               const calib::CalibrationSet& calibration,
                                               std::vector<core::Infeasibility>& why) {
  const size_t before = why.size();
  ServingModel m(s, sv, calibration, &why);
  if (why.size() > before) return std::nullopt;
  return std::optional<ServingModel>(std::move(m));
}

ServingModel::ServingModel(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                           const calib::CalibrationSet& calibration, std::vector<core::Infeasibility>* why)
    : sv_(sv) {
  gpu_ = s.gpu_of_node(sv.node).id;
  gpus_per_node_ = s.node(sv.node).gpus;
  std::optional<core::Infeasibility> bad;
  if (!sv.traffic.trace.empty()) {
    traffic_ = trace_traffic(sv, load_trace(sv.traffic), bad);
  } else {
    traffic_ = derive_traffic(sv, bad);
  }
  if (bad) {
    if (!why) core::raise(*bad);
    why->push_back(std::move(*bad));
    return;
  }
  // Units in order, stopping at the first that cannot run (raised when why is null).
  const auto add = [&](const scenario::UnitSpec& unit, const char* field, Role role) {
    if (!why) {
      units_.emplace_back(s, sv, unit, field, role, calibration);
      return true;
    }
    std::optional<UnitModel> u = UnitModel::make(s, sv, unit, field, role, calibration, *why);
    if (u) units_.push_back(std::move(*u));
    return u.has_value();
  };
  if (sv.disaggregated) {
    if (add(*sv.prefill, "serving.prefill", Role::prefill)) add(*sv.decode, "serving.decode", Role::decode);
  } else {
    add(*sv.unit, "serving.unit", Role::colocated);
  }
}

namespace {

// What every role's capacity starts from: the unit's size and memory.
RoleCapacity unit_capacity(const UnitModel& u, Role role) {
  RoleCapacity c;
  c.role = role;
  c.nodes_per_unit = u.nodes();
  c.gpus_per_unit = u.gpus();
  c.memory = u.memory();
  return c;
}

// The prefill role's capacity; an SLO no utilisation meets is set in `why` (kind slo).
RoleCapacity prefill_capacity(const UnitModel& u, const Traffic& tr, const scenario::ServingSpec& sv,
                              std::vector<core::Infeasibility>& why) {
  RoleCapacity c = unit_capacity(u, Role::prefill);
  const double tp = u.spec().attention_tp;
  // The pass's KV must fit: a group's tokens (computed and cached) within its KV cache.
  const double kv_budget = u.kv_tokens_per_group() / tp * (1.0 - tr.cache_hit_rate);
  const double budget =
      u.spec().max_tokens_per_gpu > 0 ? std::min(u.spec().max_tokens_per_gpu, kv_budget) : kv_budget;
  c.tokens_per_pass_per_gpu = budget;
  c.pass = u.prefill_pass(budget, tr.token_weighted_input, tr.cache_hit_rate);
  double rate = budget / c.pass.seconds;  // computed tokens/s of one GPU, passes back to back
  if (sv.slo.ttft_p90_s) {
    // A prefill unit under Poisson prompts is a single server of rate r x GPUs computed tokens/s
    // (M/G/1 with prompt sizes in tokens): mean wait W = rho/(1 - rho) x E[S^2]/(2 E[S]), and
    // E[S^2]/E[S] = the token-weighted prompt / (r x GPUs). In heavy traffic the wait is about
    // exponential (Kingman), so its p90 is ln(10) W; the prompt's own pass adds t1 (one average
    // prompt). TTFT p90 = t1 + ln(10) W <= target fixes the largest utilisation rho.
    const double target = *sv.slo.ttft_p90_s;
    const double b1 = std::max(1.0, tr.mean_input * (1.0 - tr.cache_hit_rate) / tp);
    const double t1 = u.prefill_pass(std::min(b1, budget), tr.mean_input, tr.cache_hit_rate).seconds;
    const double residual = tr.token_weighted_input * (1.0 - tr.cache_hit_rate) / (2.0 * rate * u.gpus());
    if (t1 >= target) {
      why.push_back({core::Infeasible::slo, core::location_of(sv.slo.provenance, "ttft_p90"), "serving.slo.ttft_p90",
                     fmt::format("impossible SLO: prefilling one average prompt ({:.0f} computed tokens) takes {:.3f} "
                                 "s, not less than the p90 TTFT target of {:.3f} s",
                                 b1 * tp, t1, target)});
      return c;
    }
    const double q = (target - t1) / (std::log(10.0) * residual);
    c.ttft_utilization = std::min(1.0, q / (1.0 + q));
    rate *= c.ttft_utilization;
  }
  c.tokens_per_s_per_node = rate * u.gpus() / (1.0 - tr.cache_hit_rate) / u.nodes();
  return c;
}

// The decode role's capacity; an SLO one request per group already misses is set in `why` (kind slo).
RoleCapacity decode_capacity(const UnitModel& u, const Traffic& tr, const scenario::ServingSpec& sv,
                             std::vector<core::Infeasibility>& why) {
  RoleCapacity c = unit_capacity(u, Role::decode);
  c.tokens_per_step = u.tokens_per_step();
  const int tp = u.spec().attention_tp;
  const double k = tr.mean_kv_len;
  int64_t limit = static_cast<int64_t>(std::floor(u.kv_tokens_per_group() / k));
  c.batch_limit = "kv_cache";
  if (u.spec().max_requests_per_gpu > 0 && int64_t{u.spec().max_requests_per_gpu} * tp < limit) {
    limit = int64_t{u.spec().max_requests_per_gpu} * tp;
    c.batch_limit = "max_requests_per_gpu";
  }
  const double min_speed = sv.slo.min_tokens_per_s_per_user_value;
  auto ok = [&](int64_t b) {
    const double t = u.decode_step(static_cast<double>(b), k).seconds;
    if (min_speed > 0 && c.tokens_per_step / t < min_speed) return false;
    if (sv.slo.tpot_p90_s && t / c.tokens_per_step > *sv.slo.tpot_p90_s) return false;
    return true;
  };
  if (!ok(1)) {
    const double t = u.decode_step(1, k).seconds;
    const bool speed = min_speed > 0 && c.tokens_per_step / t < min_speed;
    why.push_back(
        {core::Infeasible::slo, core::location_of(sv.slo.provenance, speed ? "min_tokens_per_s_per_user" : "tpot_p90"),
         speed ? "serving.slo.min_tokens_per_s_per_user" : "serving.slo.tpot_p90",
         fmt::format("impossible SLO: one request per attention group decodes at {:.1f} tokens/s ({:.2f} ms a step of "
                     "{:.2f} tokens, context {:.0f}); the target is {}",
                     c.tokens_per_step / t, t * 1e3, c.tokens_per_step, k,
                     speed ? fmt::format("{:g} tokens/s per user", min_speed)
                           : fmt::format("{:.2f} ms per token at p90", *sv.slo.tpot_p90_s * 1e3))});
    return c;
  }
  if (!ok(limit)) {
    int64_t lo = 1, hi = limit;  // ok(lo), !ok(hi)
    while (hi - lo > 1) {
      const int64_t mid = lo + (hi - lo) / 2;
      (ok(mid) ? lo : hi) = mid;
    }
    limit = lo;
    c.batch_limit = "slo";
  }
  c.requests_per_group = static_cast<double>(limit);
  c.requests_per_gpu = c.requests_per_group / tp;
  c.step = u.decode_step(c.requests_per_group, k);
  c.tokens_per_s_per_user = c.tokens_per_step / c.step.seconds;
  c.tokens_per_s_per_node = c.requests_per_group * u.attention_groups() * c.tokens_per_s_per_user / u.nodes();
  return c;
}

}  // namespace

ServingEstimate ServingModel::estimate() const {
  ServingEstimate e = evaluate();
  if (!e.infeasible.empty()) core::raise(e.infeasible.front());
  return e;
}

ServingEstimate ServingModel::evaluate() const {
  ServingEstimate e;
  e.gpu = gpu_;
  e.gpus_per_node = gpus_per_node_;
  e.disaggregated = sv_.disaggregated;
  e.traffic = traffic_;
  const auto& tr = traffic_;
  e.prefill = prefill_capacity(prefill_unit(), tr, sv_, e.infeasible);
  if (e.infeasible.empty()) e.decode = decode_capacity(decode_unit(), tr, sv_, e.infeasible);
  if (!e.infeasible.empty()) {
    e.feasible = false;
    return e;
  }
  const double in_rate = tr.input_tokens_per_day / 86400.0, out_rate = tr.output_tokens_per_day / 86400.0;
  const double p_unit = e.prefill->tokens_per_s_per_node * e.prefill->nodes_per_unit;
  const double d_unit = e.decode->tokens_per_s_per_node * e.decode->nodes_per_unit;
  const double peak = *std::max_element(tr.curve.begin(), tr.curve.end());
  const double peak_input = *std::max_element(tr.curve_input.begin(), tr.curve_input.end());
  for (int h = 0; h < 24; ++h) {
    HourPlan p;
    p.hour = h;
    p.load = tr.curve[h];
    const double c = sv_.autoscale ? tr.curve[h] : peak;
    const double ci = sv_.autoscale ? tr.curve_input[h] : peak_input;
    // A unit of each role while either has load, and in the hour after one that had: requests
    // arriving late in an hour finish in the next.
    const bool loaded = c > 0 || ci > 0 || (h > 0 && (tr.curve[h - 1] > 0 || tr.curve_input[h - 1] > 0));
    if (sv_.disaggregated) {
      p.prefill_units = static_cast<int>(std::ceil(in_rate * ci / p_unit - 1e-9));
      p.decode_units = static_cast<int>(std::ceil(out_rate * c / d_unit - 1e-9));
      if (loaded) {
        p.prefill_units = std::max(1, p.prefill_units);
        p.decode_units = std::max(1, p.decode_units);
      }
      p.nodes_prefill = p.prefill_units * e.prefill->nodes_per_unit;
      p.nodes_decode = p.decode_units * e.decode->nodes_per_unit;
    } else {
      // A colocated unit shares its time between passes and steps.
      p.decode_units = static_cast<int>(std::ceil(in_rate * ci / p_unit + out_rate * c / d_unit - 1e-9));
      if (loaded) p.decode_units = std::max(1, p.decode_units);
      p.nodes_decode = p.decode_units * e.decode->nodes_per_unit;
    }
    e.nodes.prefill += p.nodes_prefill / 24.0;
    e.nodes.decode += p.nodes_decode / 24.0;
    e.nodes.peak = std::max(e.nodes.peak, static_cast<double>(p.nodes_prefill + p.nodes_decode));
    e.hourly.push_back(p);
  }
  e.nodes.average = e.nodes.prefill + e.nodes.decode;
  if (sv_.disaggregated) {
    e.prefill_tokens_per_s_per_node = tr.input_tokens_per_day / (86400.0 * e.nodes.prefill);
    e.decode_tokens_per_s_per_node = tr.output_tokens_per_day / (86400.0 * e.nodes.decode);
  } else {
    e.prefill_tokens_per_s_per_node = tr.input_tokens_per_day / (86400.0 * e.nodes.average);
    e.decode_tokens_per_s_per_node = tr.output_tokens_per_day / (86400.0 * e.nodes.average);
  }
  e.gpu_hours_per_day = e.nodes.average * gpus_per_node_ * 24.0;
  e.cost_usd_per_day = e.gpu_hours_per_day * sv_.rental_usd_per_gpu_hour;
  e.usd_per_million_output_tokens = e.cost_usd_per_day / tr.output_tokens_per_day * 1e6;
  if (sv_.prices) {
    const auto& p = *sv_.prices;
    const double hits = tr.input_tokens_per_day * tr.cache_hit_rate;
    const double misses = tr.input_tokens_per_day - hits;
    e.revenue_usd_per_day = (hits * p.input_cache_hit_usd_per_mtok + misses * p.input_cache_miss_usd_per_mtok +
                             tr.output_tokens_per_day * p.output_usd_per_mtok) /
                            1e6;
    if (e.cost_usd_per_day > 0) e.cost_profit_margin = (*e.revenue_usd_per_day - e.cost_usd_per_day) / e.cost_usd_per_day;
  }
  const auto& u = prefill_unit();
  e.ttft_s = u.prefill_pass(std::max(1.0, tr.mean_input * (1 - tr.cache_hit_rate) / u.spec().attention_tp),
                            tr.mean_input, tr.cache_hit_rate)
                 .seconds;
  e.tpot_s = e.decode->step.seconds / e.decode->tokens_per_step;
  return e;
}

namespace {

// The service's unit models and traffic, or why they cannot be built. ServingModel::make returns
// the units' checks (layout, memory) and the traffic's (input) as values; what still throws is
// input loading: reading the request trace (serve/trace.cpp) and topo::Topology's checks of the
// catalog figures (a node without NICs, a GPU without NVLink bandwidth), both kind input.
std::optional<ServingModel> model_or_why(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                                         const calib::CalibrationSet& calibration,
                                         std::vector<core::Infeasibility>& why) {
  try {
    return ServingModel::make(s, sv, calibration, why);
  } catch (const core::InputError& err) {
    why.push_back(core::from_error(err, core::Infeasible::input));
    return std::nullopt;
  }
}

}  // namespace

ServingEstimate estimate(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                         const calib::CalibrationSet& calibration) {
  std::vector<core::Infeasibility> why;
  const std::optional<ServingModel> model = model_or_why(s, sv, calibration, why);
  if (model) return model->evaluate();
  ServingEstimate e;
  e.feasible = false;
  e.infeasible = std::move(why);
  return e;
}

}  // namespace fleetsim::serve
