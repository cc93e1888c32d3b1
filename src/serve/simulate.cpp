#include "serve/simulate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>

#include "core/error.h"
#include "core/rng.h"
#include "sim/engine.h"

namespace fleetsim::serve {

namespace {

using sim::Time;

// Step and pass times as tables, interpolated: the event loop prices millions of steps.
class PassTable {
 public:
  PassTable(const UnitModel& u, double budget, const Traffic& tr) : budget_(budget) {
    for (int i = 1; i <= kPoints; ++i) {
      t_.push_back(u.prefill_pass(budget * i / kPoints, tr.token_weighted_input, tr.cache_hit_rate).seconds);
    }
  }
  double seconds(double tokens_per_gpu) const {
    const double x = tokens_per_gpu / budget_ * kPoints;  // 1 .. kPoints
    if (x <= 1) return t_.front();
    const int i = std::min(static_cast<int>(x), kPoints - 1);
    const double f = x - i;
    return t_[i - 1] + f * (t_[i] - t_[i - 1]);
  }

 private:
  static constexpr int kPoints = 32;
  double budget_;
  std::vector<double> t_;
};

class StepTable {
 public:
  // Step time at requests b = 1..limit per group and at contexts K/4, K/2, K, 2K, 4K (K the
  // day's mean): linear in b, piecewise linear in the context. The step is the larger of compute
  // (linear in the context) and all-to-all (independent of it), a convex function of the
  // context: a grid that holds K itself prices the mean context exactly.
  StepTable(const UnitModel& u, int64_t limit, double mean_kv) {
    limit_ = std::max<int64_t>(1, limit);
    for (double f : {0.25, 0.5, 1.0, 2.0, 4.0}) {
      kv_.push_back(mean_kv * f);
      auto& row = t_.emplace_back();
      for (int64_t b = 1; b <= limit_; ++b) row.push_back(u.decode_step(static_cast<double>(b), mean_kv * f).seconds);
    }
  }
  double seconds(double b, double kv) const {
    b = std::clamp(b, 1.0, static_cast<double>(limit_));
    const int64_t i = std::min<int64_t>(static_cast<int64_t>(b), limit_ - 1 > 0 ? limit_ - 1 : 1);
    const double f = limit_ > 1 ? b - static_cast<double>(i) : 0.0;
    const size_t lo = static_cast<size_t>(i - 1), hi = static_cast<size_t>(std::min<int64_t>(i, limit_ - 1));
    // The context segment (extrapolated linearly beyond the ends).
    size_t k = 0;
    while (k + 2 < kv_.size() && kv > kv_[k + 1]) ++k;
    auto at = [&](size_t row) { return t_[row][lo] + f * (t_[row][hi] - t_[row][lo]); };
    const double a1 = at(k), a2 = at(k + 1);
    return a1 + (kv - kv_[k]) / (kv_[k + 1] - kv_[k]) * (a2 - a1);
  }

 private:
  int64_t limit_ = 1;
  std::vector<double> kv_;
  std::vector<std::vector<double>> t_;  // [context point][b - 1]
};

struct Request {
  Time arrival = 0;
  Time first_token = 0;
  double input = 0;         // tokens
  double remaining = 0;     // prefill tokens still to compute (real, k of them)
  double prompt_tokens = 0;  // prefill tokens to compute in all
  double steps_needed = 0;  // decode steps after the first token
  double steps_done = 0;
  int64_t join_step = 0;    // the unit's step count when it joined
  uint32_t generation = 0;  // invalidates heap entries after a preemption
  int unit = -1;
  int64_t slot = -1;        // index in the unit's active list
  double output = 0;
};

struct PrefillUnit {
  std::deque<uint32_t> queue;
  double queued_tokens = 0;
  bool busy = false;
  bool active = false;
  double busy_s = 0;
};

struct HeapEntry {
  int64_t finish_step;
  uint32_t id;
  uint32_t generation;
  bool operator>(const HeapEntry& o) const {
    return finish_step != o.finish_step ? finish_step > o.finish_step : id > o.id;
  }
};

struct DecodeUnit {
  std::vector<uint32_t> active;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> finish;
  double kv_sum = 0;  // real tokens of context held
  int64_t steps = 0;
  bool stepping = false;
  bool on = false;
  double request_s = 0;  // integral of requests per GPU over step time
  double step_s = 0;
};

double sample_length(core::Rng& rng, const scenario::LengthSpec& spec, double mean) {
  double v = mean;
  switch (spec.dist) {
    case scenario::LengthDist::fixed: break;
    case scenario::LengthDist::exponential: v = rng.exponential(1.0 / mean); break;
    case scenario::LengthDist::lognormal: {
      const double s2 = std::log1p(spec.cv * spec.cv);
      v = rng.lognormal(std::log(mean) - s2 / 2, std::sqrt(s2));
      break;
    }
  }
  if (spec.max > 0) v = std::min(v, spec.max);
  return std::max(1.0, std::round(v));
}

struct Sample {
  float value;
  float weight;
};

// Weighted percentiles: the smallest value whose cumulative weight reaches q of the total.
Percentiles percentiles(std::vector<Sample>& v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end(), [](const Sample& a, const Sample& b) { return a.value < b.value; });
  double total = 0;
  for (const auto& x : v) total += x.weight;
  double* out[3] = {&p.p50, &p.p90, &p.p99};
  const double qs[3] = {0.50, 0.90, 0.99};
  double acc = 0;
  size_t k = 0;
  for (const auto& x : v) {
    acc += x.weight;
    while (k < 3 && acc >= qs[k] * total) *out[k++] = x.value;
    if (k == 3) break;
  }
  while (k < 3) *out[k++] = v.back().value;
  return p;
}

class DaySim {
 public:
  DaySim(const ServingModel& model, const ServingEstimate& plan, uint64_t seed, const SimOptions& o)
      : model_(model),
        plan_(plan),
        opt_(o),
        tr_(model.traffic()),
        rng_(core::Rng(seed).split(0x5e47e)),
        pass_(model.prefill_unit(), plan.prefill->tokens_per_pass_per_gpu, model.traffic()),
        step_(model.decode_unit(), static_cast<int64_t>(plan.decode->requests_per_group), model.traffic().mean_kv_len) {
    const auto& sv = model.spec();
    colocated_ = !model.disaggregated();
    const auto& du0 = model.decode_unit();
    const double slots = plan.decode->requests_per_group * du0.attention_groups();
    const double requests = tr_.requests_per_day * o.duration_s / 86400.0;
    const double max_sim = static_cast<double>(std::max<int64_t>(1, o.max_simulated_requests));
    // A request-batch takes at most 1/8 of a decode unit's slots, so that units fill and drain
    // in steps no coarser than that.
    const double k_cap = std::max(1.0, std::floor(slots / 8));
    k_ = std::min(k_cap, std::max(1.0, std::ceil(requests / max_sim)));
    // Still too many: simulate a slice of the fleet, a share `slice_` of every hour's units
    // (rounded, at least one) with the same share of the traffic.
    slice_ = std::min(1.0, max_sim * k_ / requests);
    if (tr_.trace) k_ = 1, slice_ = 1;  // a trace is replayed row by row
    if (o.export_requests && (k_ > 1 || slice_ < 1)) {
      throw core::InputError(fmt::format(
          "--export-requests writes every request, and the day has {:.0f}, more than the {} simulated at most: "
          "raise --requests to {:.0f} or give the scenario less traffic",
          std::ceil(requests), o.max_simulated_requests, std::ceil(requests)));
    }
    for (const auto& h : plan.hourly) {
      HourPlan p = h;
      if (slice_ < 1) {
        p.prefill_units = std::max(1, static_cast<int>(std::lround(h.prefill_units * slice_)));
        p.decode_units = std::max(1, static_cast<int>(std::lround(h.decode_units * slice_)));
      }
      if (colocated_) p.prefill_units = p.decode_units;  // the same units do both
      hourly_.push_back(p);
    }
    int pmax = 0, dmax = 0;
    for (const auto& h : hourly_) {
      pmax = std::max(pmax, h.prefill_units);
      dmax = std::max(dmax, h.decode_units);
    }
    prefill_.resize(static_cast<size_t>(std::max(1, pmax)));
    decode_.resize(static_cast<size_t>(std::max(1, dmax)));
    const auto& pu = model.prefill_unit();
    const auto& du = model.decode_unit();
    pass_budget_ = plan.prefill->tokens_per_pass_per_gpu * pu.gpus();
    prefill_gpus_ = pu.gpus();
    groups_ = du.attention_groups();
    decode_gpus_ = du.gpus();
    slot_cap_ = plan.decode->requests_per_group * groups_;
    kv_cap_ = du.kv_tokens_per_group() * groups_;
    tps_ = du.tokens_per_step();
    burst_mean_ = sv.traffic.arrivals == scenario::Arrivals::bursty ? (sv.traffic.burstiness + 1.0) / 2.0 : 1.0;
    requests_.reserve(static_cast<size_t>(std::min<double>(2.2e7, requests * slice_ / k_ * 1.1 + 16)));
  }

  SimResult run() {
    for (int h = 0; h * 3600.0 < opt_.duration_s; ++h) {
      engine_.at(sim::ceil_ns(h * 3600.0), [this, h] { set_hour(h); }, sim::kEarly);
    }
    if (tr_.trace) {
      engine_.at(sim::ceil_ns(tr_.trace->rows.front().arrival_s), [this] { replay(); });
    } else {
      engine_.at(0, [this] { arrive(); });
    }
    engine_.run();
    SimResult r;
    r.simulated_requests = static_cast<int64_t>(requests_.size());
    r.requests_per_simulated = k_;
    r.fleet_share = slice_;
    r.events = engine_.executed();
    r.prefill_passes = passes_;
    r.decode_steps = steps_;
    r.preemptions = preemptions_;
    r.ttft_s = percentiles(ttft_);
    r.tpot_s = percentiles(tpot_);
    r.input_tokens = in_tokens_ / slice_;
    r.output_tokens = out_tokens_ / slice_;
    r.end_s = sim::to_seconds(last_finish_);
    double busy = 0;
    for (const auto& p : prefill_) busy += p.busy_s;
    r.prefill_busy = prefill_active_s_ > 0 ? busy / prefill_active_s_ : 0;
    double req = 0, st = 0;
    for (const auto& d : decode_) {
      req += d.request_s;
      st += d.step_s;
    }
    r.decode_requests_per_gpu = st > 0 ? req / st : 0;
    r.trace = std::move(trace_);
    if (opt_.export_requests) {
      r.requests.reserve(requests_.size());
      for (const auto& q : requests_) {
        r.requests.push_back({sim::to_seconds(q.arrival), q.input, q.output, q.input - q.prompt_tokens / k_});
      }
    }
    return r;
  }

 private:
  double hour_rate() const {
    const int h = std::min(23, static_cast<int>(sim::to_seconds(engine_.now()) / 3600.0) % 24);
    return tr_.requests_per_day * slice_ / 86400.0 * tr_.curve[static_cast<size_t>(h)] / k_ / burst_mean_;
  }

  void set_hour(int h) {
    const auto& p = hourly_[static_cast<size_t>(h % 24)];
    const double now = sim::to_seconds(engine_.now());
    if (h > 0) prefill_active_s_ += prefill_on_ * (now - hour_start_);
    hour_start_ = now;
    prefill_on_ = 0;
    for (size_t i = 0; i < prefill_.size(); ++i) {
      prefill_[i].active = static_cast<int>(i) < p.prefill_units;
      prefill_on_ += prefill_[i].active ? 1 : 0;
    }
    for (size_t i = 0; i < decode_.size(); ++i) decode_[i].on = static_cast<int>(i) < p.decode_units;
    admit();
    if ((h + 1) * 3600.0 >= opt_.duration_s) {
      engine_.at(sim::ceil_ns(opt_.duration_s), [this] {
        prefill_active_s_ += prefill_on_ * (sim::to_seconds(engine_.now()) - hour_start_);
        prefill_on_ = 0;
      });
    }
  }

  void arrive() {
    const double now = sim::to_seconds(engine_.now());
    if (now >= opt_.duration_s) return;
    // A cluster of requests (one for Poisson arrivals).
    int64_t n = 1;
    if (burst_mean_ > 1) {
      const double p = 1.0 / burst_mean_;
      n = 1 + static_cast<int64_t>(std::floor(std::log1p(-rng_.uniform()) / std::log1p(-p)));
    }
    for (int64_t i = 0; i < n; ++i) new_request();
    // The next cluster at this hour's rate; redrawn at the hour boundary (memoryless).
    const double rate = hour_rate();
    const double next_hour = (std::floor(now / 3600.0) + 1) * 3600.0;
    double t = rate > 0 ? now + rng_.exponential(rate) : next_hour;
    if (t >= next_hour) {
      engine_.at(sim::ceil_ns(next_hour), [this] { next_arrival_from_boundary(); });
      return;
    }
    engine_.at(sim::ceil_ns(t), [this] { arrive(); });
  }

  void next_arrival_from_boundary() {
    const double now = sim::to_seconds(engine_.now());
    if (now >= opt_.duration_s) return;
    const double rate = hour_rate();
    const double next_hour = (std::floor(now / 3600.0 + 1e-9) + 1) * 3600.0;
    const double t = rate > 0 ? now + rng_.exponential(rate) : next_hour;
    if (t >= next_hour) {
      engine_.at(sim::ceil_ns(next_hour), [this] { next_arrival_from_boundary(); });
    } else {
      engine_.at(sim::ceil_ns(t), [this] { arrive(); });
    }
  }

  // The trace's rows arriving now, then the next row's time.
  void replay() {
    const auto& rows = tr_.trace->rows;
    const Time now = engine_.now();
    while (next_row_ < rows.size() && sim::ceil_ns(rows[next_row_].arrival_s) <= now) {
      new_request(&rows[next_row_++]);
    }
    if (next_row_ < rows.size() && rows[next_row_].arrival_s < opt_.duration_s) {
      engine_.at(sim::ceil_ns(rows[next_row_].arrival_s), [this] { replay(); });
    }
  }

  void new_request(const TraceRequest* row = nullptr) {
    const auto& sv = model_.spec();
    Request r;
    r.arrival = engine_.now();
    if (row) {
      r.input = row->input;
      r.output = row->output;
    } else {
      r.input = sample_length(rng_, sv.traffic.input, tr_.mean_input);
      r.output = sample_length(rng_, sv.traffic.output, tr_.mean_output);
    }
    // The last prompt token is always computed (its logits give the first output token).
    const double computed = row && tr_.trace->has_cached ? r.input - row->cached
                                                         : std::round(r.input * (1.0 - tr_.cache_hit_rate));
    r.remaining = std::max(1.0, computed) * k_;
    r.prompt_tokens = r.remaining;
    r.steps_needed = std::ceil((r.output - 1) / tps_);
    const auto id = static_cast<uint32_t>(requests_.size());
    requests_.push_back(r);
    // The active prefill unit with the fewest queued tokens.
    int best = -1;
    for (size_t i = 0; i < prefill_.size(); ++i) {
      if (!prefill_[i].active) continue;
      if (best < 0 || prefill_[i].queued_tokens < prefill_[static_cast<size_t>(best)].queued_tokens) best = static_cast<int>(i);
    }
    if (best < 0) best = 0;
    auto& p = prefill_[static_cast<size_t>(best)];
    p.queue.push_back(id);
    p.queued_tokens += requests_[id].remaining;
    if (!colocated_) {
      if (!p.busy) start_pass(best);
    } else if (!p.busy && !decode_[static_cast<size_t>(best)].stepping) {
      work(best);
    }
  }

  // A colocated unit's next work when it is free: a pass while prompts queue (they come first,
  // as in schedulers that prioritise prefill), else a decode step.
  void work(int u) {
    auto& p = prefill_[static_cast<size_t>(u)];
    auto& d = decode_[static_cast<size_t>(u)];
    p.busy = false;
    d.stepping = false;
    if (!p.queue.empty()) {
      start_pass(u);
    } else if (!d.active.empty()) {
      start_step(u);
    }
  }

  void start_pass(int u) {
    auto& p = prefill_[static_cast<size_t>(u)];
    if (p.queue.empty()) {
      p.busy = false;
      return;
    }
    // Take up to the budget from the head; the last prompt may be split.
    double tokens = 0;
    std::vector<uint32_t> done;
    std::vector<std::pair<uint32_t, float>> parts;  // (request, share of its prompt in this pass)
    while (!p.queue.empty() && tokens < pass_budget_) {
      Request& r = requests_[p.queue.front()];
      const double take = std::min(r.remaining, pass_budget_ - tokens);
      tokens += take;
      r.remaining -= take;
      p.queued_tokens -= take;
      parts.emplace_back(p.queue.front(), static_cast<float>(take / r.prompt_tokens));
      if (r.remaining <= 0) {
        done.push_back(p.queue.front());
        p.queue.pop_front();
      }
    }
    const double t = pass_.seconds(tokens / prefill_gpus_);
    p.busy = true;
    p.busy_s += t;
    ++passes_;
    const Time start = engine_.now();
    const Time end = start + sim::ceil_ns(t);
    record(true, u, start, end, tokens);
    engine_.at(end, [this, u, done = std::move(done), parts = std::move(parts)] {
      // A request-batch's members finish their prompts pass by pass, in proportion to the tokens
      // of the batch each pass computed: each share is a TTFT sample of that weight.
      for (const auto& [id, share] : parts) {
        ttft_.push_back({static_cast<float>(sim::to_seconds(engine_.now() - requests_[id].arrival)), share});
      }
      for (uint32_t id : done) {
        Request& r = requests_[id];
        r.first_token = engine_.now();
        in_tokens_ += r.input * k_;
        waiting_.push_back(id);
      }
      // (The unit stays busy while admit() places requests, so that it is started once, here.)
      admit();
      colocated_ ? work(u) : start_pass(u);
    });
  }

  // Decode admission: FIFO, each to the active unit with the most free slots.
  void admit() {
    while (!waiting_.empty()) {
      const uint32_t id = waiting_.front();
      Request& r = requests_[id];
      if (r.steps_needed - r.steps_done <= 0) {
        waiting_.pop_front();
        finish(id);
        continue;
      }
      int best = -1;
      double free_best = 0;
      const double ctx = (r.input + 1 + r.steps_done * tps_) * k_;
      for (size_t i = 0; i < decode_.size(); ++i) {
        const auto& d = decode_[i];
        if (!d.on) continue;
        const double free = slot_cap_ - static_cast<double>(d.active.size()) * k_;
        if (free < k_ || d.kv_sum + ctx > kv_cap_) continue;
        if (best < 0 || free > free_best) {
          best = static_cast<int>(i);
          free_best = free;
        }
      }
      if (best < 0) return;
      waiting_.pop_front();
      join(best, id);
    }
  }

  void join(int u, uint32_t id) {
    auto& d = decode_[static_cast<size_t>(u)];
    Request& r = requests_[id];
    r.unit = u;
    r.join_step = d.steps;
    r.slot = static_cast<int64_t>(d.active.size());
    d.active.push_back(id);
    d.kv_sum += (r.input + 1 + r.steps_done * tps_) * k_;
    d.finish.push({d.steps + static_cast<int64_t>(r.steps_needed - r.steps_done), id, r.generation});
    if (!colocated_) {
      if (!d.stepping) start_step(u);
    } else if (!d.stepping && !prefill_[static_cast<size_t>(u)].busy) {
      work(u);
    }
  }

  double context(const Request& r, int64_t steps) const {
    return (r.input + 1 + (r.steps_done + static_cast<double>(steps - r.join_step)) * tps_) * k_;
  }

  void leave(DecodeUnit& d, uint32_t id) {
    Request& r = requests_[id];
    d.kv_sum -= context(r, d.steps);
    const auto last = d.active.back();
    d.active[static_cast<size_t>(r.slot)] = last;
    requests_[last].slot = r.slot;
    d.active.pop_back();
    r.slot = -1;
    r.unit = -1;
  }

  void start_step(int u) {
    auto& d = decode_[static_cast<size_t>(u)];
    if (d.active.empty()) {
      d.stepping = false;
      return;
    }
    const double n = static_cast<double>(d.active.size()) * k_;
    const double per_group = n / groups_;
    const double t = step_.seconds(per_group, d.kv_sum / n);
    d.stepping = true;
    d.request_s += n / decode_gpus_ * t;
    d.step_s += t;
    ++steps_;
    const Time start = engine_.now();
    const Time end = start + std::max<Time>(1, sim::ceil_ns(t));
    record(false, u, start, end, n);
    engine_.at(end, [this, u] { end_step(u); });
  }

  void end_step(int u) {
    auto& d = decode_[static_cast<size_t>(u)];
    ++d.steps;
    d.kv_sum += static_cast<double>(d.active.size()) * k_ * tps_;
    while (!d.finish.empty() && d.finish.top().finish_step <= d.steps) {
      const HeapEntry e = d.finish.top();
      d.finish.pop();
      Request& r = requests_[e.id];
      if (e.generation != r.generation || r.unit != u) continue;
      leave(d, e.id);
      r.steps_done = r.steps_needed;
      finish(e.id);
    }
    // Contexts outgrew the cache: swap out the newest requests.
    while (d.kv_sum > kv_cap_ && d.active.size() > 1) {
      size_t newest = 0;
      for (size_t i = 1; i < d.active.size(); ++i) {
        const auto& a = requests_[d.active[i]];
        const auto& b = requests_[d.active[newest]];
        if (a.join_step > b.join_step || (a.join_step == b.join_step && d.active[i] > d.active[newest])) newest = i;
      }
      const uint32_t id = d.active[newest];
      Request& r = requests_[id];
      const double done = r.steps_done + static_cast<double>(d.steps - r.join_step);
      leave(d, id);
      r.steps_done = done;
      ++r.generation;
      ++preemptions_;
      waiting_.push_front(id);
    }
    admit();
    colocated_ ? work(u) : start_step(u);
  }

  void finish(uint32_t id) {
    Request& r = requests_[id];
    const Time now = engine_.now();
    if (r.output > 1) tpot_.push_back({static_cast<float>(sim::to_seconds(now - r.first_token) / (r.output - 1)), 1.0f});
    out_tokens_ += r.output * k_;
    last_finish_ = std::max(last_finish_, now);
  }

  void record(bool prefill, int u, Time start, Time end, double batch) {
    if (!opt_.record_trace || static_cast<int64_t>(trace_.size()) >= opt_.trace_limit) return;
    trace_.push_back({prefill, u, start, end, batch});
  }

  const ServingModel& model_;
  const ServingEstimate& plan_;
  SimOptions opt_;
  const Traffic& tr_;
  core::Rng rng_;
  PassTable pass_;
  StepTable step_;
  sim::Engine engine_;
  std::vector<Request> requests_;
  std::vector<PrefillUnit> prefill_;
  std::vector<DecodeUnit> decode_;
  std::deque<uint32_t> waiting_;
  double k_ = 1;
  double slice_ = 1;
  std::vector<HourPlan> hourly_;
  double pass_budget_ = 0;
  int prefill_gpus_ = 1;
  int groups_ = 1;
  int decode_gpus_ = 1;
  double slot_cap_ = 0;
  double kv_cap_ = 0;
  double tps_ = 1;
  double burst_mean_ = 1;
  size_t next_row_ = 0;  // the trace's next row to arrive
  // Colocated: prefill_[i] and decode_[i] are the two queues of one unit, which runs one pass or
  // one step at a time.
  bool colocated_ = false;
  int64_t passes_ = 0, steps_ = 0, preemptions_ = 0;
  std::vector<Sample> ttft_, tpot_;
  double in_tokens_ = 0, out_tokens_ = 0;
  Time last_finish_ = 0;
  double prefill_active_s_ = 0, hour_start_ = 0;
  int prefill_on_ = 0;
  std::vector<TraceSpan> trace_;
};

}  // namespace

SimResult simulate_day(const ServingModel& model, const ServingEstimate& plan, uint64_t seed, const SimOptions& options) {
  FLEETSIM_CHECK(plan.prefill && plan.decode && plan.hourly.size() == 24, "simulate_day needs a feasible plan");
  return DaySim(model, plan, seed, options).run();
}

}  // namespace fleetsim::serve
