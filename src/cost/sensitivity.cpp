#include "cost/sensitivity.h"

#include <algorithm>
#include <cmath>

namespace fleetsim::cost {

std::vector<Swing> sensitivity(const CostInputs& base, const std::vector<Input>& inputs) {
  std::vector<Swing> out;
  for (const auto& x : inputs) {
    if (!x.has_range()) continue;
    Swing s;
    s.key = x.key;
    s.label = x.label;
    s.dim = x.dim;
    s.base_value = x.value;
    s.low_value = *x.low;
    s.high_value = *x.high;
    s.range_source = x.range_source;
    CostInputs moved = base;
    x.set(moved, *x.low);
    TcoResult r = evaluate_tco(moved);
    s.low_tco_usd = r.tco_usd;
    s.low_usd_per_gpu_hour = r.usd_per_gpu_hour;
    s.low_npv_usd = r.npv_usd;
    moved = base;
    x.set(moved, *x.high);
    r = evaluate_tco(moved);
    s.high_tco_usd = r.tco_usd;
    s.high_usd_per_gpu_hour = r.usd_per_gpu_hour;
    s.high_npv_usd = r.npv_usd;
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const Swing& a, const Swing& b) {
    const double ta = std::fabs(a.high_tco_usd - a.low_tco_usd), tb = std::fabs(b.high_tco_usd - b.low_tco_usd);
    if (ta != tb) return ta > tb;
    const double ra = std::fabs(a.high_usd_per_gpu_hour - a.low_usd_per_gpu_hour);
    const double rb = std::fabs(b.high_usd_per_gpu_hour - b.low_usd_per_gpu_hour);
    if (ra != rb) return ra > rb;
    return a.key < b.key;
  });
  return out;
}

}  // namespace fleetsim::cost
