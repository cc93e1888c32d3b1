// The capacity search's engines on fleetsim's models: the training analytic and event engines,
// the serving estimate, and the cost of owning the planned fleet (plan/fleet_cost.h).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "calib/table.h"
#include "core/feasibility.h"
#include "plan/capacity.h"
#include "scenario/data.h"

namespace fleetsim::train {
class Trainer;
}

namespace fleetsim::plan {

// The verdict on a training layout with these problems: memory when any is of kind memory, else
// layout. Read from the kinds, never the messages.
Verdict classify(const std::vector<core::Infeasibility>& problems);

class ModelEngines final : public PlanEngines {
 public:
  explicit ModelEngines(const calib::CalibrationSet& calibration);
  ~ModelEngines() override;

  // The main stage's step (train::Trainer::layout and step) on a Trainer kept per cluster (node
  // kind, size, fabric): layout and memory checked, days and GPU-hours lower bounds.
  TrainingOutcome screen_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const override;
  // train::Trainer::estimate: every stage.
  TrainingOutcome run_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const override;
  // The same with the main stage's step-time breakdown.
  TrainingOutcome detail_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const override;
  // The whole run on the event engine.
  TrainingOutcome confirm_training(const scenario::Scenario& s, const scenario::TrainingSpec& t) const override;
  ServingOutcome screen_serving(const scenario::Scenario& s, const scenario::ServingSpec& v) const override;
  double own_cost_usd(const scenario::Scenario& s, const std::map<std::string, int>& nodes) const override;

 private:
  const train::Trainer& trainer(const scenario::Scenario& s, const scenario::TrainingSpec& t) const;

  const calib::CalibrationSet& calibration_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::unique_ptr<train::Trainer>> trainers_;
};

// What a plan searches against, from its base scenario: the scenario loaded once per node choice
// (training.cluster.node and serving.node set to it), by node id, and the base's own training
// layout (none when it has no training section). Throws core::InputError for a bad base scenario
// or a plan target it lacks.
struct PlanTargets {
  Variants variants;
  std::optional<Layout> reference;
};
PlanTargets load_targets(const PlanSpec& plan, const scenario::Catalogs& catalogs);

}  // namespace fleetsim::plan
