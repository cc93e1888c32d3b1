// Internal to train/: helpers the layout checks, the step and the run share.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "scenario/scenario.h"
#include "topo/topology.h"
#include "train/train.h"

namespace fleetsim::train::detail {

inline double d(int64_t v) { return static_cast<double>(v); }
inline int ceil_div(double a, double b) { return static_cast<int>(std::ceil(a / b - 1e-9)); }
std::string gib(double bytes);

// Where a parallelism field sits: its own line, else the section's, else the training section's.
core::SourceLocation where_parallel(const scenario::TrainingSpec& t, const std::string& key);
// Where a training field sits: its own line, else the model's.
core::SourceLocation where_training(const scenario::TrainingSpec& t, const std::string& key);

// The analytic collective model prices groups with the same number of GPUs on every node; the
// parallelism field of the layout's first group that is not (dp, ep, cp), or empty (layout.cpp).
std::string uneven_group(const Layout& l);
inline constexpr const char* kUnevenGroup = "the analytic fidelity needs a group with the same GPUs on every node";

// The cluster of a training spec as a topology (train.cpp).
topo::TopologySpec cluster_topology(const scenario::Scenario& s, const scenario::TrainingSpec& t);

}  // namespace fleetsim::train::detail
