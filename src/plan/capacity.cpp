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

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::feasible: return "feasible";
    case Verdict::availability: return "availability";
    case Verdict::layout: return "layout";
    case Verdict::memory: return "memory";
    case Verdict::deadline: return "deadline";
    case Verdict::slo: return "slo";
  }
  return "?";
}

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

PlanResult search(const PlanSpec& plan, const Variants& variants, const PlanEngines& engines,
                  const SearchOptions& options) {
  for (const auto& c : plan.choices) {
    FLEETSIM_CHECK(variants.count(c.node), "plan search: no scenario variant for node " + c.node);
  }
  PlanResult r;

  // 1. Screen the training layouts.
  std::vector<Slot> slots;
  std::map<int64_t, TrainingOutcome> whole;  // whole-run outcomes by layout index, as computed
  Space space;
  if (plan.training) {
    space = make_space(plan, variants.at(plan.choices.front().node).training->parallelism.schedule);
    const int64_t n = space.size();
    slots.resize(static_cast<size_t>(n));
    constexpr int64_t kChunk = 2048;
    const size_t chunks = static_cast<size_t>((n + kChunk - 1) / kChunk);
    std::atomic<int64_t> done{0};
    if (options.progress) options.progress->begin("screening layouts", n);
    core::parallel_for(chunks, options.threads, [&](size_t c) {
      std::optional<scenario::TrainingSpec> scratch;
      std::string scratch_node;
      const int64_t lo = static_cast<int64_t>(c) * kChunk;
      const int64_t hi = std::min(n, lo + kChunk);
      for (int64_t i = lo; i < hi; ++i) {
        const Layout l = space.at(i);
        if (!scratch || scratch_node != l.node) {
          scratch = *variants.at(l.node).training;
          scratch_node = l.node;
        }
        const TrainingOutcome o = screen_one(plan, variants, engines, l, *scratch);
        slots[static_cast<size_t>(i)] = {o.verdict, !o.lower_bound, o.step_time_s, o.days, o.gpu_hours};
      }
      const int64_t now = done.fetch_add(hi - lo) + (hi - lo);
      if (options.progress) options.progress->update(now);
    });
    if (options.progress) options.progress->end();
    r.screened = n;

    // Refine: on each cluster the layouts with the fastest main-stage step (within the deadline
    // or not) run whole (every stage, the batch ramp, the long-context stages' own layouts), in
    // index order.
    {
      std::map<std::pair<std::string, int>, std::vector<int64_t>> by_cluster;
      for (int64_t i = 0; i < n; ++i) {
        const Slot& sl = slots[static_cast<size_t>(i)];
        // Layouts past the deadline too: the front shows what each cluster could do.
        if ((sl.verdict != Verdict::feasible && sl.verdict != Verdict::deadline) || sl.run) continue;
        const Layout l = space.at(i);
        by_cluster[{l.node, l.nodes}].push_back(i);
      }
      std::vector<int64_t> todo;
      for (auto& [key, list] : by_cluster) {
        std::stable_sort(list.begin(), list.end(), [&](int64_t a, int64_t b) {
          return slots[static_cast<size_t>(a)].step_s < slots[static_cast<size_t>(b)].step_s;
        });
        for (size_t k = 0; k < list.size() && k < kRefine; ++k) todo.push_back(list[k]);
      }
      std::sort(todo.begin(), todo.end());
      std::vector<TrainingOutcome> runs(todo.size());
      core::parallel_for(todo.size(), options.threads, [&](size_t k) {
        const int64_t i = todo[k];
        const Layout l = space.at(i);
        scenario::TrainingSpec scratch = *variants.at(l.node).training;
        runs[k] = screen_one(plan, variants, engines, l, scratch, Depth::run);
        const TrainingOutcome& o = runs[k];
        slots[static_cast<size_t>(i)] = {o.verdict, true, o.step_time_s, o.days, o.gpu_hours};
      });
      for (size_t k = 0; k < todo.size(); ++k) whole.emplace(todo[k], std::move(runs[k]));
      r.refined = static_cast<int64_t>(todo.size());
    }

    // Rejections by verdict, each with its first example (screened again for its reason).
    std::map<Verdict, Rejection> rej;
    for (int64_t i = 0; i < n; ++i) {
      const Slot& s = slots[static_cast<size_t>(i)];
      if (s.verdict == Verdict::feasible) {
        ++r.feasible;
        continue;
      }
      auto [it, fresh] = rej.try_emplace(s.verdict, Rejection{s.verdict, 0, ""});
      ++it->second.count;
      if (fresh) {
        const Layout l = space.at(i);
        scenario::TrainingSpec scratch = *variants.at(l.node).training;
        it->second.example =
            l.label() + ": " + screen_one(plan, variants, engines, l, scratch, s.run ? Depth::run : Depth::screen).reason;
      }
    }
    for (auto& [v, x] : rej) r.rejections.push_back(std::move(x));
  }

  // 2. Serving, once per node kind.
  if (plan.serving) {
    for (const auto& c : plan.choices) {
      const auto& s = variants.at(c.node);
      FLEETSIM_CHECK(s.serving.has_value(), "plan search: the base scenario has no serving section");
      r.serving[c.node] = engines.screen_serving(s, *s.serving);
    }
  }

  // 3. Fleets: the fastest layout (deadline or not) per node kind and cluster size, with each
  // serving choice beside it.
  struct TrainPick {
    Layout layout;
    int64_t index;
  };
  std::vector<TrainPick> picks;
  if (plan.training) {
    std::map<std::pair<std::string, int>, int64_t> fastest;
    for (int64_t i = 0; i < r.screened; ++i) {
      const Slot& s = slots[static_cast<size_t>(i)];
      if ((s.verdict != Verdict::feasible && s.verdict != Verdict::deadline) || !s.run) continue;
      const Layout l = space.at(i);
      auto key = std::make_pair(l.node, l.nodes);
      auto it = fastest.find(key);
      if (it == fastest.end() || s.days < slots[static_cast<size_t>(it->second)].days) fastest[key] = i;
    }
    for (const auto& c : plan.choices) {
      for (auto nn : plan.training->nodes) {
        auto it = fastest.find({c.node, static_cast<int>(nn)});
        if (it != fastest.end()) picks.push_back({space.at(it->second), it->second});
      }
    }
  }

  std::vector<std::string> serving_kinds;
  if (plan.serving) {
    for (const auto& c : plan.choices) {
      if (r.serving.at(c.node).verdict == Verdict::feasible) serving_kinds.push_back(c.node);
    }
  }

  std::map<std::pair<std::string, std::string>, scenario::Scenario> mixed;
  auto scenario_for = [&](const std::string& a, const std::string& b) -> const scenario::Scenario& {
    auto key = std::make_pair(a, b);
    auto it = mixed.find(key);
    if (it == mixed.end()) it = mixed.emplace(key, merged(variants.at(a), variants.at(b))).first;
    return it->second;
  };
  std::map<std::map<std::string, int>, double> own_memo;
  Rejection fleet_availability{Verdict::availability, 0, ""};

  auto price = [&](Fleet& f, const std::string& train_node, const std::string& serve_node) {
    const scenario::Scenario& s = scenario_for(train_node.empty() ? serve_node : train_node,
                                               serve_node.empty() ? train_node : serve_node);
    if (plan.cost == CostBasis::own) {
      auto it = own_memo.find(f.nodes);
      if (it == own_memo.end()) it = own_memo.emplace(f.nodes, engines.own_cost_usd(s, f.nodes)).first;
      f.cost_usd = it->second;
      return;
    }
    double usd = 0;
    if (f.training) {
      const auto& base = *variants.at(train_node).training;
      usd += f.training_outcome->gpu_hours *
             rental_per_gpu_hour(s, train_node, base.rental_usd_per_gpu_hour, base.cluster.node);
    }
    if (f.serving_outcome) {
      const auto& base = *variants.at(serve_node).serving;
      const double days = s.fleet ? s.fleet->finance.horizon_s / kDay : 365.0;
      usd += f.serving_outcome->gpu_hours_per_day * days *
             rental_per_gpu_hour(s, serve_node, base.rental_usd_per_gpu_hour, base.node);
    }
    f.cost_usd = usd;
  };

  auto add_fleet = [&](const std::optional<TrainPick>& tp, const std::string& serve_node) {
    Fleet f;
    std::string train_node;
    if (tp) {
      train_node = tp->layout.node;
      f.training = tp->layout;
      // The whole run, once per layout whatever serves beside it (refined layouts have it).
      auto it = whole.find(tp->index);
      if (it == whole.end()) {
        scenario::TrainingSpec scratch = *variants.at(train_node).training;
        it = whole.emplace(tp->index, screen_one(plan, variants, engines, tp->layout, scratch, Depth::run)).first;
      }
      TrainingOutcome o = it->second;
      if (o.verdict == Verdict::deadline) o.verdict = Verdict::feasible;  // the fleet says it misses
      f.training_outcome = o;
      f.time_days = o.days;
      f.meets_deadline = o.days * kDay <= plan.training->deadline_s;
      f.nodes[train_node] += tp->layout.nodes;
      f.label = fmt::format("train on {} x {}", tp->layout.nodes, train_node);
    }
    if (!serve_node.empty()) {
      const ServingOutcome& so = r.serving.at(serve_node);
      f.serving_node = serve_node;
      f.serving_outcome = so;
      const int m = static_cast<int>(std::ceil(so.peak_nodes - 1e-9));
      f.nodes[serve_node] += m;
      f.label += fmt::format("{}serve on {} x {}", f.label.empty() ? "" : "; ", m, serve_node);
    }
    for (const auto& [node, count] : f.nodes) {
      const int limit = max_nodes(plan, node);
      if (limit > 0 && count > limit) {
        if (fleet_availability.count++ == 0) {
          fleet_availability.example = fmt::format("{}: {} nodes of {} needed, {} available", f.label, count, node, limit);
        }
        return;
      }
    }
    price(f, train_node, serve_node);
    r.fleets.push_back(std::move(f));
  };

  if (plan.training && plan.serving) {
    for (const auto& p : picks) {
      for (const auto& y : serving_kinds) add_fleet(p, y);
    }
  } else if (plan.training) {
    for (const auto& p : picks) add_fleet(p, "");
  } else {
    for (const auto& y : serving_kinds) add_fleet(std::nullopt, y);
  }
  if (plan.serving) {
    for (const auto& c : plan.choices) {
      const auto& so = r.serving.at(c.node);
      if (so.verdict == Verdict::feasible) continue;
      r.rejections.push_back({so.verdict, 1, fmt::format("serving on {}: {}", c.node, so.reason)});
    }
  }
  if (fleet_availability.count > 0) r.rejections.push_back(fleet_availability);

  // 4. Order, front, best.
  std::stable_sort(r.fleets.begin(), r.fleets.end(), [](const Fleet& a, const Fleet& b) {
    if (a.cost_usd != b.cost_usd) return a.cost_usd < b.cost_usd;
    if (a.time_days != b.time_days) return a.time_days < b.time_days;
    return a.label < b.label;
  });
  std::vector<Objectives> obj;
  for (const auto& f : r.fleets) obj.push_back({f.cost_usd, f.time_days});
  for (size_t i : pareto_front(obj)) r.fleets[i].front = true;
  for (size_t i = 0; i < r.fleets.size(); ++i) {
    if (r.fleets[i].meets_deadline) {
      r.best = i;
      break;
    }
  }

  // 5. Confirm the best few training layouts on the event engine, cheapest fleets first; the
  // cheapest fleet whose layout the event engine also finishes within the deadline is the
  // confirmed best.
  std::map<std::string, TrainingOutcome> event_runs;  // by layout label
  auto event_of = [&](const Layout& l) -> const TrainingOutcome& {
    auto it = event_runs.find(l.label());
    if (it == event_runs.end()) {
      scenario::TrainingSpec scratch = *variants.at(l.node).training;
      apply(l, scratch);
      it = event_runs.emplace(l.label(), engines.confirm_training(variants.at(l.node), scratch)).first;
    }
    return it->second;
  };
  if (plan.training) {
    for (size_t i = 0; i < r.fleets.size(); ++i) {
      const Fleet& f = r.fleets[i];
      if (!f.meets_deadline || !f.training) continue;
      const bool known = event_runs.count(f.training->label()) > 0;
      if (!known && static_cast<int>(event_runs.size()) >= plan.confirm) break;
      const TrainingOutcome& e = event_of(*f.training);
      const bool ok = e.verdict == Verdict::feasible && e.days * kDay <= plan.training->deadline_s;
      if (!known) {
        r.confirmations.push_back({f.training->label(), f.training_outcome->step_time_s, e.step_time_s,
                                   f.training_outcome->days, e.days, ok});
      }
      if (ok && !r.best_confirmed) r.best_confirmed = i;
    }
  } else {
    r.best_confirmed = r.best;
  }

  // 6. The base scenario's own layout against the best found on its cluster.
  if (plan.training) {
    const std::string ref_node =
        options.reference && variants.count(options.reference->node) ? options.reference->node : std::string();
    if (!ref_node.empty()) {
      ReferenceCheck rc;
      rc.reference = *options.reference;
      const Layout& p = rc.reference;
      scenario::TrainingSpec scratch = *variants.at(ref_node).training;
      rc.reference_outcome = screen_one(plan, variants, engines, rc.reference, scratch, Depth::detail);
      const auto& t = *plan.training;
      auto has = [](const std::vector<int64_t>& v, int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
      rc.reference_in_space = has(t.nodes, rc.reference.nodes) && has(t.pp, p.pp) && has(t.ep, p.ep) &&
                              has(t.tp, p.tp) && has(t.micro_batch, p.micro_batch) && has(t.zero, p.zero) &&
                              std::find(space.schedules.begin(), space.schedules.end(), p.schedule) !=
                                  space.schedules.end();
      std::optional<int64_t> best_i;
      for (int64_t i = 0; i < r.screened; ++i) {
        const Slot& s = slots[static_cast<size_t>(i)];
        if (s.verdict != Verdict::feasible && s.verdict != Verdict::deadline) continue;
        const Layout l = space.at(i);
        if (l.node != ref_node || l.nodes != rc.reference.nodes) continue;
        if (!best_i || s.step_s < slots[static_cast<size_t>(*best_i)].step_s) best_i = i;
      }
      if (best_i) {
        rc.best = space.at(*best_i);
        scenario::TrainingSpec b = *variants.at(ref_node).training;
        rc.best_outcome = screen_one(plan, variants, engines, rc.best, b, Depth::detail);
        if (plan.confirm > 0 && rc.reference_outcome.step_time_s > 0) {
          rc.reference_event = event_of(rc.reference);
          rc.best_event = event_of(rc.best);
        }
        rc.explanation = explain(rc);
      } else {
        rc.best = rc.reference;
        rc.best_outcome = rc.reference_outcome;
        rc.explanation = "No layout of the searched space fits the reference's cluster.";
      }
      r.reference = std::move(rc);
    }
  }
  return r;
}

namespace {

core::Json outcome_json(const TrainingOutcome& o) {
  core::Json j = {{"verdict", std::string(verdict_name(o.verdict))},
                  {"step_time_s", o.step_time_s},
                  {"days", o.days},
                  {"gpu_hours", o.gpu_hours},
                  {"mfu", o.mfu}};
  if (!o.reason.empty()) j["reason"] = o.reason;
  core::Json parts = core::Json::array();
  for (const auto& [k, v] : o.breakdown) parts.push_back({{"part", k}, {"seconds", v}});
  j["breakdown"] = parts;
  return j;
}

core::Json layout_json(const Layout& l) {
  return {{"node", l.node},        {"nodes", l.nodes}, {"pp", l.pp},     {"ep", l.ep},
          {"tp", l.tp},            {"micro_batch", l.micro_batch},      {"zero", l.zero},
          {"schedule", std::string(scenario::schedule_name(l.schedule))}, {"label", l.label()}};
}

}  // namespace

core::Json plan_json(const PlanSpec& plan, const PlanResult& r) {
  core::Json j = core::Json::object();
  j["name"] = plan.name;
  j["question"] = plan.question;
  j["cost_basis"] = std::string(cost_basis_name(plan.cost));
  if (plan.training) j["deadline_days"] = plan.training->deadline_s / kDay;
  j["screened"] = r.screened;
  j["feasible"] = r.feasible;
  j["refined"] = r.refined;
  core::Json rej = core::Json::array();
  for (const auto& x : r.rejections) {
    rej.push_back({{"reason", std::string(verdict_name(x.verdict))}, {"count", x.count}, {"example", x.example}});
  }
  j["rejections"] = rej;
  core::Json serving = core::Json::object();
  for (const auto& [node, so] : r.serving) {
    core::Json s = {{"verdict", std::string(verdict_name(so.verdict))},
                    {"peak_nodes", so.peak_nodes},
                    {"average_nodes", so.average_nodes},
                    {"gpu_hours_per_day", so.gpu_hours_per_day}};
    if (!so.reason.empty()) s["reason"] = so.reason;
    serving[node] = s;
  }
  if (plan.serving) j["serving"] = serving;
  core::Json points = core::Json::array();
  for (const auto& f : r.fleets) {
    core::Json p = {{"label", f.label},          {"cost_usd", f.cost_usd}, {"time_days", f.time_days},
                    {"front", f.front},          {"meets_deadline", f.meets_deadline}};
    p["nodes"] = f.nodes;
    if (f.training) {
      p["layout"] = layout_json(*f.training);
      p["training"] = outcome_json(*f.training_outcome);
    }
    if (!f.serving_node.empty()) p["serving_node"] = f.serving_node;
    points.push_back(std::move(p));
  }
  j["points"] = points;
  j["best"] = r.best ? points[*r.best] : core::Json(nullptr);
  j["best_confirmed"] = r.best_confirmed ? points[*r.best_confirmed] : core::Json(nullptr);
  core::Json conf = core::Json::array();
  for (const auto& c : r.confirmations) {
    conf.push_back({{"label", c.label},
                    {"analytic_step_s", c.analytic_step_s},
                    {"event_step_s", c.event_step_s},
                    {"difference", c.analytic_step_s > 0 ? c.event_step_s / c.analytic_step_s - 1 : 0.0},
                    {"analytic_days", c.analytic_days},
                    {"event_days", c.event_days},
                    {"event_meets_deadline", c.event_meets_deadline}});
  }
  j["confirmations"] = conf;
  if (r.reference) {
    const auto& rc = *r.reference;
    j["reference"] = {{"layout", layout_json(rc.reference)},
                      {"outcome", outcome_json(rc.reference_outcome)},
                      {"in_search_space", rc.reference_in_space},
                      {"best_layout", layout_json(rc.best)},
                      {"best_outcome", outcome_json(rc.best_outcome)},
                      {"explanation", rc.explanation}};
    if (rc.reference_event) j["reference"]["event_outcome"] = outcome_json(*rc.reference_event);
    if (rc.best_event) j["reference"]["best_event_outcome"] = outcome_json(*rc.best_event);
  }
  return j;
}

}  // namespace fleetsim::plan
