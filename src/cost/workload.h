// Unit economics of workloads on the fleet: what a training run or a serving period cost at the
// fleet's loaded cost per GPU-hour and at rental prices, what share of the fleet's GPU-hours it
// used, and what a million tokens cost.
//
//   loaded cost       = GPU-hours x loaded $/GPU-hour of the fleet's GPUs of that kind
//   rental cost       = GPU-hours x rental $/GPU-hour
//   share of capacity = GPU-hours / (GPUs x 8,760 h x horizon)   (the fleet's, or its kind's)
//   $ per Mtok        = loaded cost / tokens x 1e6
//   TCO / rental      = the fleet's TCO over the rental cost of a training run
// Worked number: DeepSeek-V3's 2.788M H800 GPU-hours at $2 are $5.576M; on 10,000 H800 owned
// for 4 years (350.4M GPU-hours) they are 0.80% of the capacity.
//
// WorkloadUsage is what the training and serving engines fill; the scenario's fleet.workloads
// fill it today from published figures, labelled as such.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/names.h"
#include "cost/tco.h"

namespace fleetsim::cost {

enum class UsageOrigin { published, simulated };
inline constexpr core::NameTable<UsageOrigin, 2> kUsageOrigins({{UsageOrigin::published, "published"},
                                                               {UsageOrigin::simulated, "simulated"}});
inline std::string_view usage_origin_name(UsageOrigin o) { return kUsageOrigins.name_of(o); }

struct WorkloadUsage {
  std::string name;
  scenario::WorkloadKind kind = scenario::WorkloadKind::training;
  std::string gpu;                 // GPU id
  double gpu_hours = 0;
  double tokens = 0;               // trained, or served (input + output); 0 = unknown
  double output_tokens = 0;        // serving; 0 = unknown
  std::optional<double> rental_usd_per_hour;  // default: the GPU's catalog rental
  std::string source;              // the publication, or the engine and scenario that simulated it
  UsageOrigin origin = UsageOrigin::published;
  core::SourceLocation where;      // where it was given (for errors); empty for simulated ones
};

struct WorkloadCost {
  WorkloadUsage usage;
  double loaded_usd_per_gpu_hour = 0;
  double loaded_usd = 0;
  std::optional<double> rental_usd_per_hour;
  std::optional<double> rental_usd;
  double share_of_fleet_capacity = 0;  // of all the fleet's GPU-hours over the horizon
  double share_of_gpu_capacity = 0;    // of the fleet's GPUs of that kind over the horizon
  double share_of_gpu_year = 0;        // of one year of those GPUs
  std::optional<double> usd_per_million_tokens;         // loaded
  std::optional<double> usd_per_million_output_tokens;  // loaded
  std::optional<double> fleet_tco_over_rental;          // training: the fleet's TCO / rental cost
};

// The fleet section's workloads, as published inputs.
std::vector<WorkloadUsage> published_workloads(const scenario::FleetSpec& f);

// Prices each workload. A workload on a GPU the fleet does not own is a core::InputError at its
// `where` (file, line) naming fleet.workloads[i].gpu.
std::vector<WorkloadCost> price_workloads(const std::vector<WorkloadUsage>& usages, const CostInputs& in,
                                          const TcoResult& r);

}  // namespace fleetsim::cost
