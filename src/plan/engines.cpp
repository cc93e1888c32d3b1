#include "plan/engines.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "plan/fleet_cost.h"
#include "serve/estimate.h"
#include "train/train.h"

namespace fleetsim::plan {

Variants load_variants(const PlanSpec& plan, const scenario::Catalogs& catalogs) {
  const scenario::Scenario base = scenario::load_scenario(plan.base, catalogs);
  if (plan.training && !base.training) {
    throw core::InputError(fmt::format("{}: training: the base scenario {} has no training section to plan for",
                                       plan.file, plan.base.string()));
  }
  if (plan.serving && !base.serving) {
    throw core::InputError(fmt::format("{}: serving: the base scenario {} has no serving section to plan for",
                                       plan.file, plan.base.string()));
  }
  Variants v;
  for (const auto& c : plan.choices) {
    std::vector<std::string> sets;
    if (base.training) sets.push_back("training.cluster.node=" + c.node);
    if (base.serving) sets.push_back("serving.node=" + c.node);
    try {
      v.emplace(c.node, scenario::load_scenario(plan.base, catalogs, sets));
    } catch (const core::InputError& e) {
      throw core::InputError(fmt::format("{}: choices: node '{}' on the base scenario: {}", plan.file, c.node, e.what()));
    }
  }
  return v;
}

std::optional<Layout> reference_layout(const PlanSpec& plan, const scenario::Catalogs& catalogs) {
  const scenario::Scenario base = scenario::load_scenario(plan.base, catalogs);
  if (!base.training) return std::nullopt;
  const auto& t = *base.training;
  const auto& p = t.parallelism;
  return Layout{t.cluster.node, t.cluster.nodes, p.pp, p.ep, p.tp, p.micro_batch, p.zero, p.schedule};
}

namespace {

// Memory problems say "out of memory"; every other problem of a layout is a layout problem.
Verdict classify(const std::vector<train::Problem>& problems) {
  for (const auto& p : problems) {
    if (p.message.find("out of memory") != std::string::npos) return Verdict::memory;
  }
  return Verdict::layout;
}

std::string reasons_text(const std::vector<train::Problem>& problems) {
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
  TrainingOutcome o;
  train::TrainingEstimate e;
  try {
    e = trainer(s, t).estimate(t);
  } catch (const core::InputError& err) {
    o.verdict = Verdict::layout;
    o.reason = err.what();
    return o;
  }
  if (!e.feasible) {
    o.verdict = classify(e.problems);
    o.reason = reasons_text(e.problems);
    return o;
  }
  o.step_time_s = e.step_time_s;
  o.days = e.wall_clock_days;
  o.gpu_hours = e.gpu_hours_total;
  o.mfu = e.mfu;
  return o;
}

TrainingOutcome ModelEngines::detail_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
  TrainingOutcome o = screen_training(s, t);
  if (o.verdict != Verdict::feasible) return o;
  const auto& tr = trainer(s, t);
  const train::RunResult r = [&] {
    std::vector<train::Problem> problems;
    // The main stage's step at full batch, with its breakdown.
    const auto layout = tr.layout(t, problems);
    const auto& main = *std::max_element(t.stages.begin(), t.stages.end(), [](const auto& a, const auto& b) {
      return a.tokens.value_or(0) < b.tokens.value_or(0);
    });
    train::RunResult rr;
    rr.step = tr.step(t, layout, main.seq_len, main.batch_sequences, &problems);
    return rr;
  }();
  for (const auto& p : r.step.breakdown) o.breakdown.push_back({p.part, p.seconds});
  return o;
}

TrainingOutcome ModelEngines::confirm_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
  TrainingOutcome o;
  try {
    const train::Trainer tr(s, t, calibration_);
    const train::RunResult r = tr.run(train::EngineKind::event);
    o.step_time_s = r.step.step_time_s;
    o.days = r.wall_clock_days;
    o.gpu_hours = r.gpu_hours_total;
    o.mfu = r.step.mfu;
    for (const auto& p : r.step.breakdown) o.breakdown.push_back({p.part, p.seconds});
  } catch (const core::InputError& err) {
    o.verdict = Verdict::layout;
    o.reason = err.what();
  }
  return o;
}

ServingOutcome ModelEngines::screen_serving(const scenario::Scenario& s, const scenario::ServingSpec& v) const {
  ServingOutcome o;
  const serve::ServingEstimate e = serve::estimate(s, v, calibration_);
  if (!e.feasible) {
    std::string all;
    for (const auto& r : e.reasons) all += (all.empty() ? "" : "; ") + r;
    o.reason = all;
    o.verdict = all.find("SLO") != std::string::npos || all.find("slo") != std::string::npos ? Verdict::slo
                : all.find("fit") != std::string::npos || all.find("memory") != std::string::npos ? Verdict::memory
                                                                                                 : Verdict::layout;
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
