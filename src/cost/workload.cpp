#include "cost/workload.h"

#include <fmt/format.h>

#include <set>

#include "core/text.h"

namespace fleetsim::cost {

std::vector<WorkloadUsage> published_workloads(const scenario::FleetSpec& f) {
  std::vector<WorkloadUsage> out;
  for (const auto& w : f.workloads) {
    WorkloadUsage u;
    u.name = w.name;
    u.kind = w.kind;
    u.gpu = w.gpu;
    u.gpu_hours = w.gpu_hours;
    u.tokens = w.tokens;
    u.output_tokens = w.output_tokens;
    u.rental_usd_per_hour = w.rental_usd_per_hour;
    u.source = w.source;
    u.origin = UsageOrigin::published;
    if (auto it = w.provenance.find("gpu"); it != w.provenance.end()) u.where = it->second.where;
    out.push_back(std::move(u));
  }
  return out;
}

std::vector<WorkloadCost> price_workloads(const std::vector<WorkloadUsage>& usages, const CostInputs& in,
                                          const TcoResult& r) {
  std::vector<WorkloadCost> out;
  for (size_t i = 0; i < usages.size(); ++i) {
    const WorkloadUsage& u = usages[i];
    const auto rate = loaded_usd_per_gpu_hour(r, u.gpu);
    if (!rate) {
      std::set<std::string> owned;
      for (const auto& p : r.purchases) {
        if (p.gpus > 0) owned.insert(p.gpu);
      }
      const std::vector<std::string> known(owned.begin(), owned.end());
      throw core::InputError(u.where, fmt::format("fleet.workloads[{}].gpu", i),
                             fmt::format("workload '{}' runs on '{}', which the fleet does not own{}; it owns {}",
                                         u.name, u.gpu, core::did_you_mean(u.gpu, known), core::join(known, ", ")));
    }
    WorkloadCost c;
    c.usage = u;
    c.loaded_usd_per_gpu_hour = *rate;
    c.loaded_usd = u.gpu_hours * *rate;
    if (u.rental_usd_per_hour) {
      c.rental_usd_per_hour = u.rental_usd_per_hour;
    } else if (auto it = in.gpu_rental_usd_per_hour.find(u.gpu); it != in.gpu_rental_usd_per_hour.end()) {
      c.rental_usd_per_hour = it->second;
    }
    if (c.rental_usd_per_hour) {
      c.rental_usd = u.gpu_hours * *c.rental_usd_per_hour;
      // "Hundreds of times": the fleet behind a training run against the run's rented hours.
      if (u.kind == scenario::WorkloadKind::training) c.fleet_tco_over_rental = r.tco_usd / *c.rental_usd;
    }
    double gpus_of_kind = 0;
    for (const auto& p : r.purchases) {
      if (p.gpu == u.gpu) gpus_of_kind += static_cast<double>(p.gpus);
    }
    c.share_of_fleet_capacity = u.gpu_hours / r.gpu_hours_capacity;
    c.share_of_gpu_year = u.gpu_hours / (gpus_of_kind * core::kHoursPerYear);
    c.share_of_gpu_capacity = c.share_of_gpu_year / r.horizon_years;
    if (u.tokens > 0) c.usd_per_million_tokens = c.loaded_usd / u.tokens * 1e6;
    if (u.output_tokens > 0) c.usd_per_million_output_tokens = c.loaded_usd / u.output_tokens * 1e6;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fleetsim::cost
