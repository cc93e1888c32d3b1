// A capacity plan (`fleetsim plan <plan.yaml>`): targets taken from a base scenario (its training
// run, to finish within a deadline; its serving traffic, within its SLO), the node kinds allowed
// with their availability, the layouts to try, and how the fleet is paid for. docs/planning.md
// describes the search.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/schema.h"
#include "scenario/training_spec.h"

namespace fleetsim::plan {

// One kind of node the plan may use.
struct NodeChoiceSpec {
  std::string node;     // node id from the hardware catalog
  int max_nodes = 0;    // nodes available (owned stock, export rules, a supplier's allocation); 0 = no limit
  std::string note;     // why the limit
  core::Provenance provenance;
};

// The layouts of the training run to screen: the cartesian product of these lists.
struct TrainingSearchSpec {
  double deadline_s = 0;                 // every stage of the base run done within it
  std::vector<int64_t> nodes;            // cluster sizes
  std::vector<int64_t> pp{1};
  std::vector<int64_t> ep{1};
  std::vector<int64_t> tp{1};
  std::vector<int64_t> micro_batch{1};
  std::vector<int64_t> zero{1};
  std::vector<scenario::Schedule> schedules;  // empty = the base scenario's
  core::Provenance provenance;
};

enum class CostBasis { own, rent };
inline constexpr core::NameTable<CostBasis, 2> kCostBases({{CostBasis::own, "own"}, {CostBasis::rent, "rent"}});

struct PlanSpec {
  std::string file;
  std::string name;
  std::string question;
  std::filesystem::path base;                 // the scenario supplying the targets (resolved path)
  std::vector<NodeChoiceSpec> choices;
  std::optional<TrainingSearchSpec> training;
  bool serving = false;                       // also serve the base scenario's traffic
  CostBasis cost = CostBasis::own;            // own: the fleet's TCO over the base's finance horizon
  int confirm = 3;                            // best candidates re-run on the event engine
  core::Provenance provenance;
};

inline std::string_view cost_basis_name(CostBasis b) { return kCostBases.name_of(b); }

const core::Schema<NodeChoiceSpec>& node_choice_schema();
const core::Schema<TrainingSearchSpec>& training_search_schema();
const core::Schema<PlanSpec>& plan_schema();

// Reads and validates a plan file (with --set overrides). The base path is relative to the plan
// file. Throws core::InputError naming file, line and field.
PlanSpec load_plan(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

}  // namespace fleetsim::plan
