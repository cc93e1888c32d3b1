#include "plan/capacity.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/thread_pool.h"
#include "plan/pareto.h"

namespace fleetsim::plan {

std::string Layout::label() const {
  return fmt::format("{} x {}, PP{} EP{} TP{} mb{} ZeRO-{} {}", nodes, node, pp, ep, tp, micro_batch, zero,
                     scenario::schedule_name(schedule));
}

namespace {

constexpr double kDay = 86400.0;
// Layouts of each cluster run whole after the screen: the fastest by main-stage step. The main
// stage is most of a run (DeepSeek-V3: 97% of its GPU-hours), so the fastest whole run is almost
// always among the few fastest main stages; the whole-run estimate costs some 30 screens.
constexpr size_t kRefine = 6;
constexpr double kHour = 3600.0;

// The layout space as a mixed-radix number: index -> layout, in the order of the plan's lists.
struct Space {
  std::vector<std::string> nodes_kinds;
  std::vector<int64_t> nodes, pp, ep, tp, mb, zero;
  std::vector<scenario::Schedule> schedules;

  int64_t size() const {
    return static_cast<int64_t>(nodes_kinds.size() * nodes.size() * pp.size() * ep.size() * tp.size() * mb.size() *
                                zero.size() * schedules.size());
  }
  Layout at(int64_t i) const {
    Layout l;
    auto take = [&i](size_t n) {
      size_t d = static_cast<size_t>(i % static_cast<int64_t>(n));
      i /= static_cast<int64_t>(n);
      return d;
    };
    // The fastest-varying digit last in the lists' order: schedule, zero, mb, tp, ep, pp, nodes, kind.
    l.schedule = schedules[take(schedules.size())];
    l.zero = static_cast<int>(zero[take(zero.size())]);
    l.micro_batch = static_cast<int>(mb[take(mb.size())]);
    l.tp = static_cast<int>(tp[take(tp.size())]);
    l.ep = static_cast<int>(ep[take(ep.size())]);
    l.pp = static_cast<int>(pp[take(pp.size())]);
    l.nodes = static_cast<int>(nodes[take(nodes.size())]);
    l.node = nodes_kinds[take(nodes_kinds.size())];
    return l;
  }
};

// Without schedules in the plan, the layouts take `fallback` (the base scenario's).
Space make_space(const PlanSpec& plan, scenario::Schedule fallback) {
  Space sp;
  for (const auto& c : plan.choices) sp.nodes_kinds.push_back(c.node);
  const auto& t = *plan.training;
  sp.nodes = t.nodes;
  sp.pp = t.pp;
  sp.ep = t.ep;
  sp.tp = t.tp;
  sp.mb = t.micro_batch;
  sp.zero = t.zero;
  sp.schedules = t.schedules;
  if (sp.schedules.empty()) sp.schedules.push_back(fallback);
  return sp;
}

void apply(const Layout& l, scenario::TrainingSpec& t) {
  t.cluster.node = l.node;
  t.cluster.nodes = l.nodes;
  auto& p = t.parallelism;
  p.pp = l.pp;
  p.ep = l.ep;
  p.tp = l.tp;
  p.dp = 0;
  p.micro_batch = l.micro_batch;
  p.zero = l.zero;
  p.schedule = l.schedule;
  // Interleaving needs model chunks: two per GPU unless the base scenario says more.
  if (l.schedule == scenario::Schedule::interleaved_1f1b) {
    p.virtual_stages = std::max(2, p.virtual_stages);
  } else {
    p.virtual_stages = 1;
  }
}

int max_nodes(const PlanSpec& plan, const std::string& node) {
  for (const auto& c : plan.choices) {
    if (c.node == node) return c.max_nodes;
  }
  return 0;
}

// The checks the schema makes on a scenario's own parallelism, for layouts the search builds.
std::optional<std::string> schedule_problem(const Layout& l) {
  if ((l.schedule == scenario::Schedule::dualpipe || l.schedule == scenario::Schedule::dualpipev) && l.pp % 2 != 0) {
    return fmt::format("{} needs an even number of pipeline stages, got PP{}", scenario::schedule_name(l.schedule),
                       l.pp);
  }
  return std::nullopt;
}

struct Slot {
  Verdict verdict = Verdict::feasible;
  bool run = false;  // the whole run was estimated (else the screen's bound)
  double step_s = 0;
  double days = 0;
  double gpu_hours = 0;
};

enum class Depth { screen, run, detail };

TrainingOutcome screen_one(const PlanSpec& plan, const Variants& variants, const PlanEngines& engines,
                           const Layout& l, scenario::TrainingSpec& scratch, Depth depth = Depth::screen) {
  TrainingOutcome o;
  const int limit = max_nodes(plan, l.node);
  if (limit > 0 && l.nodes > limit) {
    o.verdict = Verdict::availability;
    o.reason = fmt::format("{} nodes of {} asked, {} available", l.nodes, l.node, limit);
    return o;
  }
  if (auto p = schedule_problem(l)) {
    o.verdict = Verdict::layout;
    o.reason = *p;
    return o;
  }
  apply(l, scratch);
  const auto& sc = variants.at(l.node);
  o = depth == Depth::detail ? engines.detail_training(sc, scratch)
      : depth == Depth::run  ? engines.run_training(sc, scratch)
                             : engines.screen_training(sc, scratch);
  if (o.verdict == Verdict::feasible && o.days * kDay > plan.training->deadline_s) {
    o.verdict = Verdict::deadline;
    o.reason = fmt::format("the run takes {}{:.1f} days, the deadline is {:.1f}", o.lower_bound ? "at least " : "",
                           o.days, plan.training->deadline_s / kDay);
  }
  return o;
}

// The rental price of a GPU-hour on a node kind: the scenario's own price for the GPU its
// section runs on, else the GPU catalog's.
double rental_per_gpu_hour(const scenario::Scenario& s, const std::string& node, std::optional<double> section_price,
                           const std::string& section_node) {
  const auto& gpu = s.gpu_of_node(node);
  if (section_price && *section_price > 0 && s.gpu_of_node(section_node).id == gpu.id) return *section_price;
  if (gpu.rental_usd_per_hour) return *gpu.rental_usd_per_hour;
  throw core::InputError(fmt::format("{}: cost: rent needs a rental price for GPU '{}': the catalog has none", s.file,
                                     gpu.id));
}

// The base scenario with the catalog entries of a second node kind, for pricing mixed fleets.
scenario::Scenario merged(const scenario::Scenario& a, const scenario::Scenario& b) {
  scenario::Scenario s = a;
  s.nodes.insert(b.nodes.begin(), b.nodes.end());
  s.gpus.insert(b.gpus.begin(), b.gpus.end());
  s.nics.insert(b.nics.begin(), b.nics.end());
  s.switches.insert(b.switches.begin(), b.switches.end());
  s.transceivers.insert(b.transceivers.begin(), b.transceivers.end());
  s.cables.insert(b.cables.begin(), b.cables.end());
  return s;
}

std::string explain(const ReferenceCheck& r) {
  const double a = r.reference_outcome.step_time_s;
  const double b = r.best_outcome.step_time_s;
  if (r.reference_outcome.verdict != Verdict::feasible && r.reference_outcome.verdict != Verdict::deadline) {
    return fmt::format("The reference layout is rejected: {}.", r.reference_outcome.reason);
  }
  if (a <= b * (1 + 1e-9)) {
    return fmt::format("The reference layout is the fastest of the searched space on its cluster ({:.3f} s a step).",
                       a);
  }
  std::string out = fmt::format("The best layout found, {}, takes {:.3f} s a step against the reference's {:.3f} s "
                                "({:+.1f}%).",
                                r.best.label(), b, a, (b / a - 1) * 100);
  // The parts of the step time that differ most.
  std::map<std::string, std::pair<double, double>> parts;
  for (const auto& [k, v] : r.reference_outcome.breakdown) parts[k].first = v;
  for (const auto& [k, v] : r.best_outcome.breakdown) parts[k].second = v;
  std::vector<std::pair<double, std::string>> diffs;
  for (const auto& [k, v] : parts) {
    if (std::abs(v.first - v.second) > 1e-6) {
      diffs.push_back({std::abs(v.first - v.second), fmt::format("{} {:.3f} s against {:.3f} s", k, v.second, v.first)});
    }
  }
  std::sort(diffs.begin(), diffs.end(), [](const auto& x, const auto& y) { return x.first > y.first || (x.first == y.first && x.second < y.second); });
  if (!diffs.empty()) {
    out += " Where they differ:";
    for (size_t i = 0; i < std::min<size_t>(3, diffs.size()); ++i) out += (i ? "; " : " ") + diffs[i].second;
    out += ".";
  }
  if (r.reference_event && r.best_event && r.reference_event->step_time_s > 0 && r.best_event->step_time_s > 0) {
    const double re = r.reference_event->step_time_s;
    const double be = r.best_event->step_time_s;
    out += fmt::format(" On the event engine (per-flow contention, greedy schedule) the reference takes {:.3f} s and "
                       "the best found {:.3f} s: {}.",
                       re, be,
                       be < re ? fmt::format("the best found stays {:.1f}% faster", (1 - be / re) * 100)
                               : fmt::format("the reference is {:.1f}% faster, so the analytic ranking does not hold",
                                             (1 - re / be) * 100));
  }
  return out;
}

}  // namespace

int64_t layout_count(const PlanSpec& plan) {
  return plan.training ? make_space(plan, scenario::Schedule{}).size() : 0;  // one schedule or the listed ones
}

namespace {

// A layout chosen for a fleet: the fastest whole run on its node kind and cluster size.
struct TrainPick {
  Layout layout;
  int64_t index;
};

// Everything the steps of the search share, filled in as they run (docs/planning.md).
struct SearchState {
  SearchState(const PlanSpec& p, const Variants& v, const PlanEngines& e, const SearchOptions& o)
      : plan(p), variants(v), engines(e), options(o) {}

  const PlanSpec& plan;
  const Variants& variants;
  const PlanEngines& engines;
  const SearchOptions& options;
  PlanResult r;
  Space space;
  std::vector<Slot> slots;                      // by layout index: the screen's, or the whole run's
  std::map<int64_t, TrainingOutcome> whole;     // whole-run outcomes by layout index, as computed
  std::vector<TrainPick> picks;                 // the fastest layout per node kind and cluster size
  std::vector<std::string> serving_kinds;       // node kinds whose serving is feasible
  std::map<std::pair<std::string, std::string>, scenario::Scenario> mixed;  // by (training, serving) node
  std::map<std::map<std::string, int>, double> own_memo;                    // own cost by fleet
  Rejection fleet_availability{Verdict::availability, 0, ""};
  std::map<std::string, TrainingOutcome> event_runs;  // by layout label

  // One layout on the engines at a depth, on a fresh copy of its node kind's training section.
  TrainingOutcome outcome(const Layout& l, Depth depth) const {
    scenario::TrainingSpec scratch = *variants.at(l.node).training;
    return screen_one(plan, variants, engines, l, scratch, depth);
  }
  bool candidate(int64_t i) const {  // feasible, or feasible past the deadline
    const Verdict v = slots[static_cast<size_t>(i)].verdict;
    return v == Verdict::feasible || v == Verdict::deadline;
  }
};

// 1a. Screen every training layout of the space (chunks in parallel, each slot written once).
void screen_layouts(SearchState& st) {
  st.space = make_space(st.plan, st.variants.at(st.plan.choices.front().node).training->parallelism.schedule);
  const int64_t n = st.space.size();
  st.slots.resize(static_cast<size_t>(n));
  constexpr int64_t kChunk = 2048;
  const size_t chunks = static_cast<size_t>((n + kChunk - 1) / kChunk);
  std::atomic<int64_t> done{0};
  if (st.options.progress) st.options.progress->begin("screening layouts", n);
  core::parallel_for(chunks, st.options.threads, [&](size_t c) {
    std::optional<scenario::TrainingSpec> scratch;
    std::string scratch_node;
    const int64_t lo = static_cast<int64_t>(c) * kChunk;
    const int64_t hi = std::min(n, lo + kChunk);
    for (int64_t i = lo; i < hi; ++i) {
      const Layout l = st.space.at(i);
      if (!scratch || scratch_node != l.node) {
        scratch = *st.variants.at(l.node).training;
        scratch_node = l.node;
      }
      const TrainingOutcome o = screen_one(st.plan, st.variants, st.engines, l, *scratch);
      st.slots[static_cast<size_t>(i)] = {o.verdict, !o.lower_bound, o.step_time_s, o.days, o.gpu_hours};
    }
    const int64_t now = done.fetch_add(hi - lo) + (hi - lo);
    if (st.options.progress) st.options.progress->update(now);
  });
  if (st.options.progress) st.options.progress->end();
  st.r.screened = n;
}

// 1b. Refine: on each cluster the layouts with the fastest main-stage step (within the deadline
// or not) run whole (every stage, the batch ramp, the long-context stages' own layouts), in
// index order.
void refine_fastest(SearchState& st) {
  std::map<std::pair<std::string, int>, std::vector<int64_t>> by_cluster;
  for (int64_t i = 0; i < st.r.screened; ++i) {
    // Layouts past the deadline too: the front shows what each cluster could do.
    if (!st.candidate(i) || st.slots[static_cast<size_t>(i)].run) continue;
    const Layout l = st.space.at(i);
    by_cluster[{l.node, l.nodes}].push_back(i);
  }
  std::vector<int64_t> todo;
  for (auto& [key, list] : by_cluster) {
    std::stable_sort(list.begin(), list.end(), [&](int64_t a, int64_t b) {
      return st.slots[static_cast<size_t>(a)].step_s < st.slots[static_cast<size_t>(b)].step_s;
    });
    for (size_t k = 0; k < list.size() && k < kRefine; ++k) todo.push_back(list[k]);
  }
  std::sort(todo.begin(), todo.end());
  std::vector<TrainingOutcome> runs(todo.size());
  core::parallel_for(todo.size(), st.options.threads, [&](size_t k) {
    const int64_t i = todo[k];
    runs[k] = st.outcome(st.space.at(i), Depth::run);
    const TrainingOutcome& o = runs[k];
    st.slots[static_cast<size_t>(i)] = {o.verdict, true, o.step_time_s, o.days, o.gpu_hours};
  });
  for (size_t k = 0; k < todo.size(); ++k) st.whole.emplace(todo[k], std::move(runs[k]));
  st.r.refined = static_cast<int64_t>(todo.size());
}

// 1c. Rejections by verdict, each with its first example (screened again for its reason).
void count_rejections(SearchState& st) {
  std::map<Verdict, Rejection> rej;
  for (int64_t i = 0; i < st.r.screened; ++i) {
    const Slot& s = st.slots[static_cast<size_t>(i)];
    if (s.verdict == Verdict::feasible) {
      ++st.r.feasible;
      continue;
    }
    auto [it, fresh] = rej.try_emplace(s.verdict, Rejection{s.verdict, 0, ""});
    ++it->second.count;
    if (fresh) {
      const Layout l = st.space.at(i);
      it->second.example = l.label() + ": " + st.outcome(l, s.run ? Depth::run : Depth::screen).reason;
    }
  }
  for (auto& [v, x] : rej) st.r.rejections.push_back(std::move(x));
}

// 2. Serving, once per node kind.
void screen_serving(SearchState& st) {
  for (const auto& c : st.plan.choices) {
    const auto& s = st.variants.at(c.node);
    FLEETSIM_CHECK(s.serving.has_value(), "plan search: the base scenario has no serving section");
    st.r.serving[c.node] = st.engines.screen_serving(s, *s.serving);
    if (st.r.serving[c.node].verdict == Verdict::feasible) st.serving_kinds.push_back(c.node);
  }
}

// 3a. The fastest whole run (deadline or not) per node kind and cluster size, in the plan's order.
void pick_layouts(SearchState& st) {
  std::map<std::pair<std::string, int>, int64_t> fastest;
  for (int64_t i = 0; i < st.r.screened; ++i) {
    const Slot& s = st.slots[static_cast<size_t>(i)];
    if (!st.candidate(i) || !s.run) continue;
    const Layout l = st.space.at(i);
    auto key = std::make_pair(l.node, l.nodes);
    auto it = fastest.find(key);
    if (it == fastest.end() || s.days < st.slots[static_cast<size_t>(it->second)].days) fastest[key] = i;
  }
  for (const auto& c : st.plan.choices) {
    for (auto nn : st.plan.training->nodes) {
      auto it = fastest.find({c.node, static_cast<int>(nn)});
      if (it != fastest.end()) st.picks.push_back({st.space.at(it->second), it->second});
    }
  }
}

// The base scenario with the catalog entries of both node kinds of a fleet (merged once).
const scenario::Scenario& scenario_for(SearchState& st, const std::string& a, const std::string& b) {
  auto key = std::make_pair(a, b);
  auto it = st.mixed.find(key);
  if (it == st.mixed.end()) it = st.mixed.emplace(key, merged(st.variants.at(a), st.variants.at(b))).first;
  return it->second;
}

// 3b. A fleet's cost on the plan's basis: own (its TCO, once per node mix) or rent (GPU-hours at
// rental prices; serving for the finance horizon, or a year).
void price_fleet(SearchState& st, Fleet& f, const std::string& train_node, const std::string& serve_node) {
  const scenario::Scenario& s = scenario_for(st, train_node.empty() ? serve_node : train_node,
                                             serve_node.empty() ? train_node : serve_node);
  if (st.plan.cost == CostBasis::own) {
    auto it = st.own_memo.find(f.nodes);
    if (it == st.own_memo.end()) it = st.own_memo.emplace(f.nodes, st.engines.own_cost_usd(s, f.nodes)).first;
    f.cost_usd = it->second;
    return;
  }
  double usd = 0;
  if (f.training) {
    const auto& base = *st.variants.at(train_node).training;
    usd += f.training_outcome->gpu_hours *
           rental_per_gpu_hour(s, train_node, base.rental_usd_per_gpu_hour, base.cluster.node);
  }
  if (f.serving_outcome) {
    const auto& base = *st.variants.at(serve_node).serving;
    const double days = s.fleet ? s.fleet->finance.horizon_s / kDay : 365.0;
    usd += f.serving_outcome->gpu_hours_per_day * days *
           rental_per_gpu_hour(s, serve_node, base.rental_usd_per_gpu_hour, base.node);
  }
  f.cost_usd = usd;
}

// 3c. The training part of a fleet: its layout's whole run, once per layout whatever serves
// beside it (refined layouts have it).
void add_training(SearchState& st, Fleet& f, const TrainPick& tp) {
  const std::string& node = tp.layout.node;
  f.training = tp.layout;
  auto it = st.whole.find(tp.index);
  if (it == st.whole.end()) it = st.whole.emplace(tp.index, st.outcome(tp.layout, Depth::run)).first;
  TrainingOutcome o = it->second;
  if (o.verdict == Verdict::deadline) o.verdict = Verdict::feasible;  // the fleet says it misses
  f.training_outcome = o;
  f.time_days = o.days;
  f.meets_deadline = o.days * kDay <= st.plan.training->deadline_s;
  f.nodes[node] += tp.layout.nodes;
  f.label = fmt::format("train on {} x {}", tp.layout.nodes, node);
}

// 3d. One fleet (a training pick, a serving node kind, or both), kept when the plan's
// availability allows its node counts, and priced.
void add_fleet(SearchState& st, const std::optional<TrainPick>& tp, const std::string& serve_node) {
  Fleet f;
  if (tp) add_training(st, f, *tp);
  if (!serve_node.empty()) {
    const ServingOutcome& so = st.r.serving.at(serve_node);
    f.serving_node = serve_node;
    f.serving_outcome = so;
    const int m = static_cast<int>(std::ceil(so.peak_nodes - 1e-9));
    f.nodes[serve_node] += m;
    f.label += fmt::format("{}serve on {} x {}", f.label.empty() ? "" : "; ", m, serve_node);
  }
  for (const auto& [node, count] : f.nodes) {
    const int limit = max_nodes(st.plan, node);
    if (limit > 0 && count > limit) {
      if (st.fleet_availability.count++ == 0) {
        st.fleet_availability.example =
            fmt::format("{}: {} nodes of {} needed, {} available", f.label, count, node, limit);
      }
      return;
    }
  }
  price_fleet(st, f, tp ? tp->layout.node : std::string(), serve_node);
  st.r.fleets.push_back(std::move(f));
}

// 3. Fleets: each training pick with each feasible serving node kind beside it; then the
// serving and fleet rejections.
void combine_fleets(SearchState& st) {
  if (st.plan.training) pick_layouts(st);
  if (st.plan.training && st.plan.serving) {
    for (const auto& p : st.picks) {
      for (const auto& y : st.serving_kinds) add_fleet(st, p, y);
    }
  } else if (st.plan.training) {
    for (const auto& p : st.picks) add_fleet(st, p, "");
  } else {
    for (const auto& y : st.serving_kinds) add_fleet(st, std::nullopt, y);
  }
  if (st.plan.serving) {
    for (const auto& c : st.plan.choices) {
      const auto& so = st.r.serving.at(c.node);
      if (so.verdict == Verdict::feasible) continue;
      st.r.rejections.push_back({so.verdict, 1, fmt::format("serving on {}: {}", c.node, so.reason)});
    }
  }
  if (st.fleet_availability.count > 0) st.r.rejections.push_back(st.fleet_availability);
}

// 4. Order (cost, then days, then label), the Pareto front, and the cheapest in time.
void rank_fleets(SearchState& st) {
  auto& fleets = st.r.fleets;
  std::stable_sort(fleets.begin(), fleets.end(), [](const Fleet& a, const Fleet& b) {
    if (a.cost_usd != b.cost_usd) return a.cost_usd < b.cost_usd;
    if (a.time_days != b.time_days) return a.time_days < b.time_days;
    return a.label < b.label;
  });
  std::vector<Objectives> obj;
  for (const auto& f : fleets) obj.push_back({f.cost_usd, f.time_days});
  for (size_t i : pareto_front(obj)) fleets[i].front = true;
  for (size_t i = 0; i < fleets.size(); ++i) {
    if (fleets[i].meets_deadline) {
      st.r.best = i;
      break;
    }
  }
}

// A layout on the event engine, once per layout.
const TrainingOutcome& event_of(SearchState& st, const Layout& l) {
  auto it = st.event_runs.find(l.label());
  if (it == st.event_runs.end()) {
    scenario::TrainingSpec scratch = *st.variants.at(l.node).training;
    apply(l, scratch);
    it = st.event_runs.emplace(l.label(), st.engines.confirm_training(st.variants.at(l.node), scratch)).first;
  }
  return it->second;
}

// 5. Confirm the best few training layouts on the event engine, cheapest fleets first; the
// cheapest fleet whose layout the event engine also finishes within the deadline is the
// confirmed best.
void confirm_best(SearchState& st) {
  if (!st.plan.training) {
    st.r.best_confirmed = st.r.best;
    return;
  }
  for (size_t i = 0; i < st.r.fleets.size(); ++i) {
    const Fleet& f = st.r.fleets[i];
    if (!f.meets_deadline || !f.training) continue;
    const bool known = st.event_runs.count(f.training->label()) > 0;
    if (!known && static_cast<int>(st.event_runs.size()) >= st.plan.confirm) break;
    const TrainingOutcome& e = event_of(st, *f.training);
    const bool ok = e.verdict == Verdict::feasible && e.days * kDay <= st.plan.training->deadline_s;
    if (!known) {
      st.r.confirmations.push_back({f.training->label(), f.training_outcome->step_time_s, e.step_time_s,
                                    f.training_outcome->days, e.days, ok});
    }
    if (ok && !st.r.best_confirmed) st.r.best_confirmed = i;
  }
}

// Whether the plan's lists hold every degree of a layout.
bool in_space(const SearchState& st, const Layout& p) {
  const auto& t = *st.plan.training;
  auto has = [](const std::vector<int64_t>& v, int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  const auto& sch = st.space.schedules;
  return has(t.nodes, p.nodes) && has(t.pp, p.pp) && has(t.ep, p.ep) && has(t.tp, p.tp) &&
         has(t.micro_batch, p.micro_batch) && has(t.zero, p.zero) &&
         std::find(sch.begin(), sch.end(), p.schedule) != sch.end();
}

// The candidate with the fastest step on a cluster (node kind and size), by the slots.
std::optional<int64_t> fastest_on(const SearchState& st, const std::string& node, int nodes) {
  std::optional<int64_t> best_i;
  for (int64_t i = 0; i < st.r.screened; ++i) {
    if (!st.candidate(i)) continue;
    const Layout l = st.space.at(i);
    if (l.node != node || l.nodes != nodes) continue;
    if (!best_i || st.slots[static_cast<size_t>(i)].step_s < st.slots[static_cast<size_t>(*best_i)].step_s) best_i = i;
  }
  return best_i;
}

// 6. The base scenario's own layout against the best found on its cluster.
void check_reference(SearchState& st) {
  const auto& ref = st.options.reference;
  if (!st.plan.training || !ref || !st.variants.count(ref->node)) return;
  ReferenceCheck rc;
  rc.reference = *ref;
  rc.reference_outcome = st.outcome(rc.reference, Depth::detail);
  rc.reference_in_space = in_space(st, rc.reference);
  if (const auto best_i = fastest_on(st, ref->node, rc.reference.nodes)) {
    rc.best = st.space.at(*best_i);
    rc.best_outcome = st.outcome(rc.best, Depth::detail);
    if (st.plan.confirm > 0 && rc.reference_outcome.step_time_s > 0) {
      rc.reference_event = event_of(st, rc.reference);
      rc.best_event = event_of(st, rc.best);
    }
    rc.explanation = explain(rc);
  } else {
    rc.best = rc.reference;
    rc.best_outcome = rc.reference_outcome;
    rc.explanation = "No layout of the searched space fits the reference's cluster.";
  }
  st.r.reference = std::move(rc);
}

}  // namespace

PlanResult search(const PlanSpec& plan, const Variants& variants, const PlanEngines& engines,
                  const SearchOptions& options) {
  for (const auto& c : plan.choices) {
    FLEETSIM_CHECK(variants.count(c.node), "plan search: no scenario variant for node " + c.node);
  }
  SearchState st(plan, variants, engines, options);
  if (plan.training) {
    screen_layouts(st);
    refine_fastest(st);
    count_rejections(st);
  }
  if (plan.serving) screen_serving(st);
  combine_fleets(st);
  rank_fleets(st);
  confirm_best(st);
  check_reference(st);
  return std::move(st.r);
}

namespace {

result::PlanTraining outcome_section(const TrainingOutcome& o) {
  result::PlanTraining j;
  j.verdict = std::string(verdict_name(o.verdict));
  j.step_time_s = o.step_time_s;
  j.days = o.days;
  j.gpu_hours = o.gpu_hours;
  j.mfu = o.mfu;
  if (!o.reason.empty()) j.reason = o.reason;
  for (const auto& [k, v] : o.breakdown) j.breakdown.push_back({k, v});
  return j;
}

result::PlanLayout layout_section(const Layout& l) {
  return {l.node, l.nodes, l.pp, l.ep, l.tp, l.micro_batch, l.zero, std::string(scenario::schedule_name(l.schedule)),
          l.label()};
}

result::PlanPoint point_section(const Fleet& f) {
  result::PlanPoint p;
  p.label = f.label;
  p.cost_usd = f.cost_usd;
  p.time_days = f.time_days;
  p.front = f.front;
  p.meets_deadline = f.meets_deadline;
  for (const auto& [node, n] : f.nodes) p.nodes.emplace_back(node, n);
  if (f.training) {
    p.layout = layout_section(*f.training);
    p.training = outcome_section(*f.training_outcome);
  }
  if (!f.serving_node.empty()) p.serving_node = f.serving_node;
  return p;
}

result::PlanReference reference_section(const ReferenceCheck& rc) {
  result::PlanReference j;
  j.layout = layout_section(rc.reference);
  j.outcome = outcome_section(rc.reference_outcome);
  j.in_search_space = rc.reference_in_space;
  j.best_layout = layout_section(rc.best);
  j.best_outcome = outcome_section(rc.best_outcome);
  j.explanation = rc.explanation;
  if (rc.reference_event) j.event_outcome = outcome_section(*rc.reference_event);
  if (rc.best_event) j.best_event_outcome = outcome_section(*rc.best_event);
  return j;
}

}  // namespace

result::Plan plan_section(const PlanSpec& plan, const PlanResult& r) {
  result::Plan j;
  j.name = plan.name;
  j.question = plan.question;
  j.cost_basis = std::string(cost_basis_name(plan.cost));
  if (plan.training) j.deadline_days = plan.training->deadline_s / kDay;
  j.screened = r.screened;
  j.feasible = r.feasible;
  j.refined = r.refined;
  for (const auto& x : r.rejections) j.rejections.push_back({std::string(verdict_name(x.verdict)), x.count, x.example});
  if (plan.serving) {
    j.serving.emplace();
    for (const auto& [node, so] : r.serving) {
      j.serving->emplace_back(node, result::PlanServing{std::string(verdict_name(so.verdict)), so.peak_nodes,
                                                        so.average_nodes, so.gpu_hours_per_day, std::nullopt});
      if (!so.reason.empty()) j.serving->back().second.reason = so.reason;
    }
  }
  for (const auto& f : r.fleets) j.points.push_back(point_section(f));
  if (r.best) j.best.value = j.points[*r.best];
  if (r.best_confirmed) j.best_confirmed.value = j.points[*r.best_confirmed];
  for (const auto& c : r.confirmations) {
    j.confirmations.push_back({c.label, c.analytic_step_s, c.event_step_s,
                               c.analytic_step_s > 0 ? c.event_step_s / c.analytic_step_s - 1 : 0.0, c.analytic_days,
                               c.event_days, c.event_meets_deadline});
  }
  if (r.reference) j.reference = reference_section(*r.reference);
  return j;
}

core::Json plan_json(const PlanSpec& plan, const PlanResult& r) { return result::to_json(plan_section(plan, r)); }

}  // namespace fleetsim::plan
