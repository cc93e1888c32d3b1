// One-at-a-time sensitivity (the data of a tornado chart): each input with a range is set to
// its low and then its high value, everything else at base, and the fleet is evaluated again.
// Swings are sorted by the change in TCO, then by the change in loaded $/GPU-hour (the cost of
// capital moves the loaded cost and the NPV, not the undiscounted TCO), then by key.
#pragma once

#include <string>
#include <vector>

#include "cost/inputs.h"
#include "cost/tco.h"

namespace fleetsim::cost {

struct Swing {
  std::string key;
  std::string label;
  core::Dim dim = core::Dim::count;
  double base_value = 0;
  double low_value = 0;
  double high_value = 0;
  double low_tco_usd = 0;
  double high_tco_usd = 0;
  double low_usd_per_gpu_hour = 0;
  double high_usd_per_gpu_hour = 0;
  double low_npv_usd = 0;
  double high_npv_usd = 0;
  std::string range_source;
};

std::vector<Swing> sensitivity(const CostInputs& base, const std::vector<Input>& inputs);

}  // namespace fleetsim::cost
