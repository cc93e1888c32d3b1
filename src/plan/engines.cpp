#include "plan/engines.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/feasibility.h"
#include "plan/fleet_cost.h"
#include "serve/estimate.h"
#include "train/train.h"

namespace fleetsim::plan {

namespace {

// Where a field of the plan file was given (its file, line and column), for errors.
core::SourceLocation at(const core::Provenance& p, const std::string& key, const std::string& file) {
  const auto& w = core::location_of(p, key);
  return w.file.empty() ? core::SourceLocation{file} : w;
}

}  // namespace

PlanTargets load_targets(const PlanSpec& plan, const scenario::Catalogs& catalogs) {
  const scenario::Scenario base = scenario::load_scenario(plan.base, catalogs);
  if (plan.cost == CostBasis::own && !base.fleet) {
    throw core::InputError(at(plan.provenance, "cost", plan.file), "cost",
                           fmt::format("own prices the planned fleet with the base scenario's facility, power and "
                                       "finance, and {} has no fleet section: add one, or use cost: rent",
                                       plan.base.string()));
  }
  if (plan.training && !base.training) {
    throw core::InputError(at(plan.provenance, "training", plan.file), "training",
                           fmt::format("the base scenario {} has no training section to plan for", plan.base.string()));
  }
  if (plan.serving && !base.serving) {
    throw core::InputError(at(plan.provenance, "serving", plan.file), "serving",
                           fmt::format("the base scenario {} has no serving section to plan for", plan.base.string()));
  }
  PlanTargets out;
  if (base.training) {
    const auto& t = *base.training;
    const auto& p = t.parallelism;
    out.reference = Layout{t.cluster.node, t.cluster.nodes, p.pp, p.ep, p.tp, p.micro_batch, p.zero, p.schedule};
  }
  for (size_t i = 0; i < plan.choices.size(); ++i) {
    const auto& c = plan.choices[i];
    std::vector<std::string> sets;
    if (base.training) sets.push_back("training.cluster.node=" + c.node);
    if (base.serving) sets.push_back("serving.node=" + c.node);
    try {
      out.variants.emplace(c.node, scenario::load_scenario(plan.base, catalogs, sets));
    } catch (const core::InputError& e) {
      throw core::InputError(at(c.provenance, "node", plan.file), fmt::format("choices[{}].node", i),
                             fmt::format("node '{}' on the base scenario: {}", c.node, e.message()));
    }
  }
  return out;
}

Verdict classify(const std::vector<core::Infeasibility>& problems) {
  for (const auto& p : problems) {
    if (p.kind == core::Infeasible::memory) return Verdict::memory;
  }
  return Verdict::layout;
}

namespace {

// A service is rejected for its SLO, else for memory, else for its layout (traffic and trace
// problems count as layout ones).
Verdict classify_serving(const std::vector<core::Infeasibility>& problems) {
  auto any = [&](core::Infeasible k) {
    return std::any_of(problems.begin(), problems.end(), [k](const auto& p) { return p.kind == k; });
  };
  return any(core::Infeasible::slo) ? Verdict::slo : any(core::Infeasible::memory) ? Verdict::memory : Verdict::layout;
}

// An outcome refused before any pricing: the cluster cannot be built (train::cluster_problem) or
// the event run stopped at its first problem; the reason is that problem as `fleetsim train`
// would print it.
TrainingOutcome refused(TrainingOutcome o, const core::Infeasibility& why) {
  o.verdict = classify({why});
  o.reason = why.to_string();
  return o;
}

std::string reasons_text(const std::vector<core::Infeasibility>& problems);

// An outcome rejected for the problems found.
TrainingOutcome rejected(TrainingOutcome o, const std::vector<core::Infeasibility>& problems) {
  o.verdict = classify(problems);
  o.reason = reasons_text(problems);
  return o;
}

// The first two problems, "field: message; field: message (and N more)".
std::string reasons_text(const std::vector<core::Infeasibility>& problems) {
  std::string out;
  for (size_t i = 0; i < problems.size() && i < 2; ++i) {
    out += (i ? "; " : "") + problems[i].field + ": " + problems[i].message;
  }
  if (problems.size() > 2) out += fmt::format(" (and {} more)", problems.size() - 2);
  return out;
}

std::string cluster_key(const scenario::TrainingSpec& t) {
  const auto& f = t.cluster.fabric;
  return fmt::format("{}/{}/{}/{}/{}/{}", t.cluster.node, t.cluster.nodes, static_cast<int>(f.kind), f.switch_id,
                     f.oversubscription, f.planes);
}

}  // namespace

ModelEngines::ModelEngines(const calib::CalibrationSet& calibration) : calibration_(calibration) {}
ModelEngines::~ModelEngines() = default;

const train::Trainer& ModelEngines::trainer(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
  const std::string key = cluster_key(t);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = trainers_.find(key);
  if (it == trainers_.end()) it = trainers_.emplace(key, std::make_unique<train::Trainer>(s, t, calibration_)).first;
  return *it->second;
}

TrainingOutcome ModelEngines::screen_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
  // The main stage's step at its full batch: layout and memory checked, days a lower bound.
  TrainingOutcome o;
  o.lower_bound = true;
  if (t.stages.empty()) return run_training(s, t);
  const scenario::StageSpec& main = t.stages[train::main_stage(t)];
  if (auto why = train::cluster_problem(s, t)) return refused(o, *why);
  const train::Trainer& tr = trainer(s, t);
  std::vector<train::Problem> problems;
  const train::Layout layout = tr.layout(t, problems);
  // A batch the layout cannot split, or a sequence CP does not divide: the whole run says why,
  // with its location.
  if (problems.empty() && (main.batch_sequences < layout.dp * layout.micro_batch || main.seq_len % layout.cp != 0)) {
    return run_training(s, t);
  }
  train::StepResult step;
  if (problems.empty()) step = tr.step(t, layout, main.seq_len, main.batch_sequences, &problems);
  if (!problems.empty()) return rejected(o, problems);
  const double steps = train::stage_tokens(main) / (main.batch_sequences * static_cast<double>(main.seq_len));
  o.step_time_s = step.step_time_s;
  o.days = steps * step.step_time_s / 86400.0;
  o.gpu_hours = steps * step.step_time_s * layout.gpus / 3600.0;
  o.mfu = step.mfu;
  return o;
}

TrainingOutcome ModelEngines::run_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
  TrainingOutcome o;
  if (auto why = train::cluster_problem(s, t)) return refused(o, *why);
  const train::TrainingEstimate e = trainer(s, t).estimate(t);
  if (!e.feasible) return rejected(o, e.problems);
  o.step_time_s = e.step_time_s;
  o.days = e.wall_clock_days;
  o.gpu_hours = e.gpu_hours_total;
  o.mfu = e.mfu;
  return o;
}

TrainingOutcome ModelEngines::detail_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
  TrainingOutcome o = run_training(s, t);
  if (o.verdict != Verdict::feasible) return o;
  const auto& tr = trainer(s, t);
  std::vector<train::Problem> problems;
  const auto layout = tr.layout(t, problems);
  const auto& main = t.stages[train::main_stage(t)];
  const train::StepResult step = tr.step(t, layout, main.seq_len, main.batch_sequences, &problems);
  for (const auto& p : step.breakdown) o.breakdown.push_back({p.part, p.seconds});
  return o;
}

TrainingOutcome ModelEngines::confirm_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
  TrainingOutcome o;
  if (auto why = train::cluster_problem(s, t)) return refused(o, *why);
  const train::Trainer tr(s, t, calibration_);
  std::vector<train::Problem> problems;
  const train::RunResult r = tr.run(train::EngineKind::event, false, problems);
  if (!problems.empty()) return refused(o, problems.front());
  o.step_time_s = r.step.step_time_s;
  o.days = r.wall_clock_days;
  o.gpu_hours = r.gpu_hours_total;
  o.mfu = r.step.mfu;
  for (const auto& p : r.step.breakdown) o.breakdown.push_back({p.part, p.seconds});
  return o;
}

ServingOutcome ModelEngines::screen_serving(const scenario::Scenario& s, const scenario::ServingSpec& v) const {
  ServingOutcome o;
  const serve::ServingEstimate e = serve::estimate(s, v, calibration_);
  if (!e.feasible) {
    for (const auto& why : e.infeasible) o.reason += (o.reason.empty() ? "" : "; ") + why.to_string();
    o.verdict = classify_serving(e.infeasible);
    return o;
  }
  o.peak_nodes = e.nodes.peak;
  o.average_nodes = e.nodes.average;
  o.gpu_hours_per_day = e.gpu_hours_per_day;
  return o;
}

double ModelEngines::own_cost_usd(const scenario::Scenario& s, const std::map<std::string, int>& nodes) const {
  return own_fleet_cost_usd(s, nodes);
}

}  // namespace fleetsim::plan
