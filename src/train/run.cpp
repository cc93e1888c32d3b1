// The whole run (docs/training.md, section 5): the stages of a run, each priced at its batch in
// the chosen engine (a batch ramp in segments), the layout of a stage that is not the main one
// fitted, GPU-hours, days and rental; and the capacity planner's non-throwing estimate.
#include <fmt/format.h>

#include <algorithm>

#include "topo/fabric.h"
#include "train/detail.h"
#include "train/work.h"

namespace fleetsim::train {

using core::location_of;
using detail::ceil_div;
using detail::d;
using detail::where_parallel;
using detail::where_training;
using scenario::Recompute;

struct Trainer::Run {
  RunResult result;
};

namespace {

Layout fit_stage(const Trainer& trainer, const scenario::TrainingSpec& t, const Layout& base,
                 const scenario::StageSpec& stage, std::vector<std::string>& notes) {
  // The layout of a stage other than the main one (a long-context extension) is seldom published:
  // the main stage's layout, or the same GPUs with full recomputation and/or the sequence split
  // over more GPUs (context parallel, taken from DP), the levers Megatron and DeepSeek use for
  // long sequences. The fastest that fits is taken and stated.
  std::vector<Layout> candidates;
  for (int cp = base.cp; cp <= base.dp * base.cp; cp *= 2) {
    if ((base.dp * base.cp) % cp != 0 || stage.seq_len % (cp == base.cp ? cp : 2 * cp) != 0) continue;
    Layout c = base;
    c.cp = cp;
    c.dp = base.dp * base.cp / cp;
    if (c.dp * c.micro_batch > stage.batch_sequences) break;
    candidates.push_back(c);
    if (c.recompute != Recompute::full) {
      c.recompute = Recompute::full;
      candidates.push_back(c);
    }
  }
  const Layout* best = nullptr;
  double best_s = 0;
  for (const auto& c : candidates) {
    if (!detail::uneven_group(c).empty()) continue;
    std::vector<Problem> p;
    const double t_s = trainer.step(t, c, stage.seq_len, stage.batch_sequences, &p).step_time_s;
    if (p.empty() && (!best || t_s < best_s)) best = &c, best_s = t_s;
  }
  if (!best) return base;
  if (best->cp != base.cp || best->recompute != base.recompute) {
    notes.push_back(fmt::format("layout chosen for this stage (fastest that fits): context parallel {} (dp {}), {} "
                                "recomputation",
                                best->cp, best->dp, best->recompute == Recompute::full ? "full" : "as the main stage's"));
  }
  return *best;
}

// One step of a stage in the chosen engine (memory problems appended by the analytic one).
StepResult engine_step(const Trainer& trainer, EngineKind engine, const scenario::TrainingSpec& t, const Layout& l,
                       const scenario::StageSpec& st, double batch, std::vector<Problem>* problems, bool timeline) {
  return engine == EngineKind::event ? trainer.step_event(t, l, st.seq_len, batch, timeline)
                                     : trainer.step(t, l, st.seq_len, batch, problems, timeline);
}

// A stage the base layout cannot run at all: a main stage whose batch does not feed the
// replicas, a sequence that does not divide over CP.
bool stage_runs(const scenario::StageSpec& st, size_t i, bool main, const Layout& base, std::vector<Problem>& problems) {
  const auto st_where = location_of(st.provenance, "batch");
  if (st.batch_sequences < base.dp * base.micro_batch && main) {
    problems.push_back({core::Infeasible::layout, st_where, fmt::format("training.stages[{}].batch", i),
                        fmt::format("a batch of {:g} sequences cannot feed {} replicas x micro-batch {}",
                                    st.batch_sequences, base.dp, base.micro_batch)});
    return false;
  }
  if (st.seq_len % base.cp != 0) {
    problems.push_back({core::Infeasible::layout, location_of(st.provenance, "seq_len"), fmt::format("training.stages[{}].seq_len", i),
                        fmt::format("sequence {} does not divide over cp {}", st.seq_len, base.cp)});
    return false;
  }
  return true;
}

// The seconds a stage takes, and its steps (sr.steps): a batch ramp grows the batch linearly from
// `from` to the stage's batch over `over` tokens, priced in segments at their mid-point batch
// (step time is piecewise linear in micro-batches); the rest runs at the full batch.
double stage_seconds(const Trainer& trainer, EngineKind engine, const scenario::TrainingSpec& t,
                     const scenario::StageSpec& st, StageResult& sr) {
  double seconds = 0, steps = 0, left = sr.tokens;
  if (st.ramp) {
    constexpr int kSegments = 16;
    const double over = std::min(st.ramp->over_tokens, sr.tokens);
    for (int k = 0; k < kSegments; ++k) {
      const double b = st.ramp->from_sequences +
                       (st.batch_sequences - st.ramp->from_sequences) * (k + 0.5) / kSegments;
      const double seg_tokens = over / kSegments;
      const double seg_steps = seg_tokens / (b * d(st.seq_len));
      // The analytic step is affine in the micro-batches: no need to price it again.
      const double seg_step =
          engine == EngineKind::analytic
              ? sr.step.step_time_s + (ceil_div(b, sr.layout.dp * sr.layout.micro_batch) - sr.step.micro_batches) *
                                          sr.step.per_micro_batch_s
              : engine_step(trainer, engine, t, sr.layout, st, b, nullptr, false).step_time_s;
      seconds += seg_steps * seg_step;
      steps += seg_steps;
    }
    left -= over;
  }
  const double full_steps = left / (st.batch_sequences * d(st.seq_len));
  seconds += full_steps * sr.step_time_s;
  steps += full_steps;
  sr.steps = steps;
  return seconds;
}

}  // namespace

// One stage at its full batch, its time over the stage's tokens (returned) and its problems;
// nullopt when the base layout cannot run it.
std::optional<StageResult> Trainer::run_stage(const scenario::TrainingSpec& t, const Layout& base, size_t i, bool main,
                                              EngineKind engine, bool with_timeline, std::vector<Problem>& problems,
                                              double& seconds) const {
  const auto& st = t.stages[i];
  if (!stage_runs(st, i, main, base, problems)) return std::nullopt;
  StageResult sr;
  sr.name = st.name;
  sr.seq_len = st.seq_len;
  sr.batch_sequences = st.batch_sequences;
  sr.layout = main ? base : fit_stage(*this, t, base, st, sr.notes);
  std::vector<Problem> stage_problems;
  sr.step = engine_step(*this, engine, t, sr.layout, st, st.batch_sequences, &stage_problems, with_timeline && main);
  // The event engine reports no memory problems: the analytic step does.
  if (engine == EngineKind::event) step(t, sr.layout, st.seq_len, st.batch_sequences, &stage_problems);
  for (auto& p : stage_problems) {
    p.message = fmt::format("stage '{}': {}", st.name, p.message);
    problems.push_back(std::move(p));
  }
  for (const auto& n : sr.step.notes) sr.notes.push_back(n);
  sr.step_time_s = sr.step.step_time_s;
  sr.tokens = stage_tokens(st);
  seconds = stage_seconds(*this, engine, t, st, sr);
  sr.gpu_hours = seconds * base.gpus / 3600.0;
  sr.days = seconds / 86400.0;
  return sr;
}

Trainer::Run Trainer::run_stages(const scenario::TrainingSpec& t, EngineKind engine, bool with_timeline,
                                 std::vector<Problem>& problems) const {
  Run run;
  RunResult& r = run.result;
  r.model = model_.id;
  r.gpu = op_cost_.gpu().id;
  r.node = node_.id;
  r.engine = engine;
  const auto& asked = t.cluster;
  const auto& built = spec_.cluster;
  if (asked.node != built.node || asked.nodes != built.nodes || asked.fabric.kind != built.fabric.kind ||
      asked.fabric.switch_id != built.fabric.switch_id ||
      asked.fabric.oversubscription != built.fabric.oversubscription || asked.fabric.planes != built.fabric.planes) {
    problems.push_back({core::Infeasible::capacity, where_training(t, "cluster"), "training.cluster",
                        fmt::format("this Trainer was built for {} x {}; build one for {} x {}", built.nodes,
                                    built.node, asked.nodes, asked.node)});
    return run;
  }
  const Layout base = layout(t, problems);
  r.layout = base;
  r.gpus = base.gpus;
  r.nodes = base.nodes;
  r.rental_usd_per_gpu_hour = t.rental_usd_per_gpu_hour;
  if (!problems.empty()) return run;
  if (t.stages.empty()) {
    problems.push_back({core::Infeasible::input, where_training(t, "stages"), "training.stages", "the run has no stages"});
    return run;
  }
  if (const std::string key = detail::uneven_group(base); !key.empty()) {
    problems.push_back(
        {core::Infeasible::layout, where_parallel(t, key), "training.parallelism." + key, detail::kUnevenGroup});
    return run;
  }
  // The main stage: the one with the most tokens.
  const size_t main = main_stage(t);
  double total_s = 0;
  for (size_t i = 0; i < t.stages.size(); ++i) {
    double seconds = 0;
    auto sr = run_stage(t, base, i, i == main, engine, with_timeline, problems, seconds);
    if (!sr) return run;
    total_s += seconds;
    r.gpu_hours_total += sr->gpu_hours;
    r.tokens_total += sr->tokens;
    if (i == main) {
      r.step = sr->step;
      r.gpu_hours_per_trillion_tokens = 1e12 / sr->step.tokens_per_s_per_gpu / 3600.0;
    }
    r.stages.push_back(std::move(*sr));
  }
  r.wall_clock_days = total_s / 86400.0;
  r.rental_usd_total = r.gpu_hours_total * t.rental_usd_per_gpu_hour;
  return run;
}

RunResult Trainer::run(EngineKind engine, bool with_timeline) const {
  std::vector<Problem> problems;
  RunResult r = run(engine, with_timeline, problems);
  if (!problems.empty()) throw_problem(problems.front());
  return r;
}

RunResult Trainer::run(EngineKind engine, bool with_timeline, std::vector<Problem>& problems) const {
  Run run = run_stages(spec_, engine, with_timeline, problems);
  return std::move(run.result);
}

TrainingEstimate Trainer::estimate(const scenario::TrainingSpec& spec) const {
  TrainingEstimate e;
  Run run = run_stages(spec, EngineKind::analytic, false, e.problems);
  const auto& r = run.result;
  e.feasible = e.problems.empty();
  e.step_time_s = r.step.step_time_s;
  e.mfu = r.step.mfu;
  e.tokens_per_s_per_gpu = r.step.tokens_per_s_per_gpu;
  e.memory_per_gpu_bytes = r.step.memory.total;
  e.gpu_hours_total = r.gpu_hours_total;
  e.wall_clock_days = r.wall_clock_days;
  e.rental_usd_total = r.rental_usd_total;
  return e;
}

double stage_tokens(const scenario::StageSpec& st) {
  return st.tokens ? *st.tokens : st.steps.value_or(0) * st.batch_sequences * d(st.seq_len);
}

size_t main_stage(const scenario::TrainingSpec& t) {
  size_t main = 0;
  for (size_t i = 1; i < t.stages.size(); ++i) {
    if (stage_tokens(t.stages[i]) > stage_tokens(t.stages[main])) main = i;
  }
  return main;
}

std::optional<Problem> cluster_problem(const scenario::Scenario& s, const scenario::TrainingSpec& spec) {
  if (!s.models.count(spec.model) || !s.nodes.count(spec.cluster.node) ||
      !s.switches.count(spec.cluster.fabric.switch_id)) {
    return Problem{core::Infeasible::input, where_training(spec, "model"), "training",
                   fmt::format("model '{}', node '{}' or switch '{}' is not among the scenario's resolved catalog entries",
                               spec.model, spec.cluster.node, spec.cluster.fabric.switch_id)};
  }
  // A cluster its fabric cannot join (more NICs than the switches' tiers hold) is a capacity
  // problem, found before the topology is built; the message is the fabric model's.
  const auto ts = detail::cluster_topology(s, spec);
  const int planes = ts.fabric == topo::FabricKind::multiplane_fat_tree ? (ts.planes > 0 ? ts.planes : ts.node.nics) : 1;
  const int64_t endpoints = static_cast<int64_t>(ts.nodes) * ts.node.nics;
  if (ts.fabric_switch.ports >= 2 && ts.oversubscription >= 1 && planes >= 1 && endpoints > 0) {
    if (auto why = topo::check_fabric(ts.fabric, endpoints, ts.fabric_switch.ports, ts.oversubscription, planes)) {
      return Problem{why->kind, where_training(spec, "cluster"), "training.cluster", why->message};
    }
  }
  return std::nullopt;
}

TrainingEstimate estimate(const scenario::Scenario& s, const scenario::TrainingSpec& spec,
                          const calib::CalibrationSet& calibration) {
  if (auto why = cluster_problem(s, spec)) {
    TrainingEstimate e;
    e.problems.push_back(std::move(*why));
    return e;
  }
  const Trainer t(s, spec, calibration);
  return t.estimate(spec);
}

}  // namespace fleetsim::train
