// Capacity search: the cheapest fleets that meet a plan's targets, and the cost-versus-time
// Pareto front.
//
//  1. Screen: every training layout of the plan (node kind x cluster size x PP x EP x TP x
//     micro-batch x ZeRO x schedule) runs through the analytic engine's main-stage step; each is
//     feasible or rejected for a reason (availability, layout, memory, deadline on a lower
//     bound). On each cluster the few fastest then run whole (every stage). Serving is screened
//     once per node kind: the nodes its traffic needs at peak within the SLO.
//  2. Combine: for each node kind and cluster size, the fastest feasible layout; with serving,
//     each serving node kind beside it (nodes of one kind used for both count against its
//     availability together). Each combination is a fleet, priced on the plan's basis: own (the
//     fleet's TCO over the base scenario's finance horizon) or rent (GPU-hours at rental prices).
//  3. Front and best: the Pareto front of (cost, training days) over the fleets; the cheapest
//     fleet that meets the deadline.
//  4. Confirm: the best few layouts re-run on the event engine; the report states how far the
//     two fidelities differ, and the cheapest fleet the event engine also finishes in time.
//  5. Reference: the base scenario's own layout, screened the same way, next to the best layout
//     found on the same cluster, with the parts of the step time where they differ, and both on
//     the event engine.
//
// Results do not depend on the thread count: each configuration is evaluated on its own and the
// reductions go in index order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/names.h"
#include "core/progress.h"
#include "core/schema.h"
#include "plan/plan_spec.h"
#include "result/document.h"
#include "scenario/scenario.h"

namespace fleetsim::plan {

// Why a configuration is not a candidate.
enum class Verdict : uint8_t { feasible, availability, layout, memory, deadline, slo };
inline constexpr core::NameTable<Verdict, 6> kVerdicts({{Verdict::feasible, "feasible"},
                                                        {Verdict::availability, "availability"},
                                                        {Verdict::layout, "layout"},
                                                        {Verdict::memory, "memory"},
                                                        {Verdict::deadline, "deadline"},
                                                        {Verdict::slo, "slo"}});
inline std::string_view verdict_name(Verdict v) { return kVerdicts.name_of(v); }

struct TrainingOutcome {
  Verdict verdict = Verdict::feasible;  // feasible, layout or memory (the search adds the rest)
  std::string reason;                   // for an infeasible one: the numbers that do not fit
  double step_time_s = 0;               // pre-training stage
  double days = 0;                      // wall clock of the whole run
  double gpu_hours = 0;                 // of the whole run
  double mfu = 0;
  std::vector<std::pair<std::string, double>> breakdown;  // step time by part (seconds)
  // The screen prices the main stage only: days and GPU-hours are then lower bounds (the other
  // stages and the batch ramp only add time), exact enough to reject a layout for its deadline.
  bool lower_bound = false;
};

struct ServingOutcome {
  Verdict verdict = Verdict::feasible;  // feasible, layout, memory or slo
  std::string reason;
  double peak_nodes = 0;
  double average_nodes = 0;
  double gpu_hours_per_day = 0;
};

// The engines the search calls. Implementations are thread-safe (const, no shared state).
class PlanEngines {
 public:
  virtual ~PlanEngines() = default;
  // The analytic engine on one layout, as cheaply as it can (the main stage alone, with
  // lower_bound set, or the whole run). Must not throw for an impossible layout: say why instead.
  virtual TrainingOutcome screen_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const = 0;
  // The whole run on the analytic engine (every stage). Default: screen.
  virtual TrainingOutcome run_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
    return screen_training(s, t);
  }
  // The whole run with the main stage's step-time breakdown (the reference check). Default: run.
  virtual TrainingOutcome detail_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const {
    return run_training(s, t);
  }
  // The event engine on one layout (the best few).
  virtual TrainingOutcome confirm_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const = 0;
  virtual ServingOutcome screen_serving(const scenario::Scenario& s, const scenario::ServingSpec& v) const = 0;
  // The cost of owning a fleet of these nodes (node id -> count) over the scenario's finance
  // horizon. `s` holds the catalog entries of every node named.
  virtual double own_cost_usd(const scenario::Scenario& s, const std::map<std::string, int>& nodes) const = 0;
};

struct Layout {
  std::string node;
  int nodes = 0;
  int pp = 1, ep = 1, tp = 1, micro_batch = 1, zero = 1;
  scenario::Schedule schedule = scenario::Schedule::one_f_one_b;
  std::string label() const;  // "256 x hgx-h800, PP16 EP64 TP1 mb1 ZeRO-1 dualpipe"
};

struct Fleet {
  std::string label;
  std::map<std::string, int> nodes;       // node id -> count (training and serving together)
  std::optional<Layout> training;         // its layout
  std::optional<TrainingOutcome> training_outcome;
  std::string serving_node;               // "" when the plan does not serve
  std::optional<ServingOutcome> serving_outcome;
  double cost_usd = 0;
  double time_days = 0;                   // training wall clock (0 for a serving-only plan)
  bool meets_deadline = true;
  bool front = false;
};

struct Rejection {
  Verdict verdict;
  int64_t count = 0;
  std::string example;  // the first such configuration, and why
};

struct Confirmation {
  std::string label;
  double analytic_step_s = 0;
  double event_step_s = 0;
  double analytic_days = 0;
  double event_days = 0;
  bool event_meets_deadline = true;
};

struct ReferenceCheck {
  Layout reference;
  TrainingOutcome reference_outcome;
  Layout best;                       // the best layout found on the same cluster
  TrainingOutcome best_outcome;
  std::optional<TrainingOutcome> reference_event;  // both on the event engine (when plan.confirm > 0)
  std::optional<TrainingOutcome> best_event;
  bool reference_in_space = false;   // the searched space holds the reference layout
  std::string explanation;
};

struct PlanResult {
  int64_t screened = 0;              // training layouts
  int64_t feasible = 0;
  int64_t refined = 0;               // layouts run whole after the screen
  std::vector<Rejection> rejections; // by verdict, in enum order
  std::vector<Fleet> fleets;         // every combination with a feasible layout, cheapest first
  std::optional<size_t> best;        // index into fleets: the cheapest that meets every target
  std::optional<size_t> best_confirmed;  // the cheapest whose layout the event engine also finishes in time
  std::vector<Confirmation> confirmations;
  std::optional<ReferenceCheck> reference;
  std::map<std::string, ServingOutcome> serving;  // by node kind
};

// The base scenario loaded once per node choice (training.cluster.node and serving.node set to
// it), by node id.
using Variants = std::map<std::string, scenario::Scenario>;

struct SearchOptions {
  unsigned threads = 0;  // 0: all cores
  core::Progress* progress = nullptr;
  // The base scenario's own training layout, checked against the best found on its cluster.
  std::optional<Layout> reference;
};

PlanResult search(const PlanSpec& plan, const Variants& variants, const PlanEngines& engines,
                  const SearchOptions& options = {});

// The number of training layouts the plan screens.
int64_t layout_count(const PlanSpec& plan);

// The "plan" section of a result document (docs/results.md): points for the report's scatter,
// the best fleet, rejections, confirmations and the reference check. Deterministic.
result::Plan plan_section(const PlanSpec& plan, const PlanResult& r);
// The same section as JSON: result::to_json(plan_section(plan, r)).
core::Json plan_json(const PlanSpec& plan, const PlanResult& r);

}  // namespace fleetsim::plan
