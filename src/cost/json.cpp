// The TCO as the result document's "tco" section (result::Tco); report/ renders it (HTML, CSV,
// terminal tables).
#include <fmt/format.h>

#include <iterator>

#include "core/schema.h"
#include "core/units.h"
#include "cost/analysis.h"

namespace fleetsim::cost {

namespace {

// USD by category into the section's named keys (Category order: servers .. transit).
result::ByCategory by_category(const std::array<double, kCategories>& usd) {
  result::ByCategory b;
  double* const slot[] = {&b.servers,    &b.network,     &b.storage, &b.facility, &b.energy,
                          &b.colocation, &b.maintenance, &b.staff,   &b.software, &b.transit};
  static_assert(std::size(slot) == kCategories);
  for (auto c : kAllCategories) *slot[index_of(c)] = usd[index_of(c)];
  return b;
}

// Categories with a cost, then the residual value as a credit.
std::vector<result::CostPart> breakdown(const TcoResult& r) {
  std::vector<result::CostPart> out;
  for (auto c : kAllCategories) {
    const double v = r.usd[index_of(c)];
    if (v != 0) out.push_back({std::string(category_name(c)), is_capex(c) ? "capex" : "opex", v});
  }
  if (r.residual_usd != 0) out.push_back({"residual value", "credit", -r.residual_usd});
  return out;
}

std::vector<result::TcoYear> years(const TcoResult& r) {
  std::vector<result::TcoYear> out;
  for (const auto& y : r.years) {
    out.push_back({y.year, y.capex_usd, y.opex_usd, y.depreciation_usd, y.residual_usd, y.cash_flow_usd,
                   by_category(y.usd)});
  }
  return out;
}

// A purchase with GPUs has its cost per GPU-hour (against rental when priced); one without is
// carried by the purchase named.
result::Purchase purchase(const PurchaseCost& p) {
  result::Purchase j;
  j.name = p.name;
  j.year = p.year;
  j.gpus = p.gpus;
  j.capex_usd = p.capex_usd;
  j.opex_usd = p.opex_usd;
  j.residual_usd = p.residual_usd;
  j.tco_usd = p.tco_usd;
  j.by_category = by_category(p.usd);
  j.it_power_max_w = p.it_power_max_w;
  j.it_power_avg_w = p.it_power_avg_w;
  if (p.gpus <= 0) {
    j.carried_by = p.carried_by;
    return j;
  }
  j.gpu = p.gpu;
  j.usd_per_gpu_hour = p.usd_per_gpu_hour;
  if (p.rental_usd_per_hour > 0) {
    j.rental_usd_per_gpu_hour = p.rental_usd_per_hour;
    j.own_over_rent = p.usd_per_gpu_hour / p.rental_usd_per_hour;
  }
  j.breakeven_utilization = p.breakeven_utilization;
  return j;
}

std::vector<result::BomLine> bom_lines(const Bom& b) {
  std::vector<result::BomLine> out;
  for (const auto& l : b.lines) {
    result::BomLine j{l.group,
                      std::string(category_name(l.category)),
                      l.item,
                      l.id,
                      l.quantity,
                      l.unit_price.typical_usd,
                      l.unit_price.low_usd,
                      l.unit_price.high_usd,
                      l.usd(),
                      l.unit_power_w,
                      l.price_source,
                      l.price_estimate,
                      std::nullopt};
    if (!l.note.empty()) j.note = l.note;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<result::FabricCount> fabrics(const Bom& b) {
  std::vector<result::FabricCount> out;
  for (const auto& f : b.fabrics) {
    const auto& v = f.inventory;
    out.push_back({f.group, std::string(topo::fabric_kind_name(f.kind)), f.switch_id, f.clusters, v.planes, v.tiers,
                   v.endpoints, v.leaf_switches, v.spine_switches, v.core_switches, v.switches, v.endpoint_links,
                   v.switch_links, v.nic_transceivers, f.switch_modules, v.fibres});
  }
  return out;
}

// Figures a workload lacks (no tokens, no rental price) are left out, never written as zero.
std::vector<result::Workload> workloads(const std::vector<WorkloadCost>& ws) {
  std::vector<result::Workload> out;
  for (const auto& w : ws) {
    const auto& u = w.usage;
    result::Workload j;
    j.name = u.name;
    j.kind = std::string(scenario::workload_kind_name(u.kind));
    j.origin = std::string(usage_origin_name(u.origin));
    j.source = u.source;
    j.gpu = u.gpu;
    j.gpu_hours = u.gpu_hours;
    j.loaded_usd_per_gpu_hour = w.loaded_usd_per_gpu_hour;
    j.loaded_usd = w.loaded_usd;
    j.share_of_fleet_capacity = w.share_of_fleet_capacity;
    j.share_of_gpu_capacity = w.share_of_gpu_capacity;
    j.share_of_gpu_year = w.share_of_gpu_year;
    if (u.tokens > 0) j.tokens = u.tokens;
    if (u.output_tokens > 0) j.output_tokens = u.output_tokens;
    j.rental_usd_per_gpu_hour = w.rental_usd_per_hour;
    j.rental_usd = w.rental_usd;
    j.fleet_tco_over_rental = w.fleet_tco_over_rental;
    j.usd_per_million_tokens = w.usd_per_million_tokens;
    j.usd_per_million_output_tokens = w.usd_per_million_output_tokens;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<result::SensitivityRow> swings(const std::vector<Swing>& ss) {
  std::vector<result::SensitivityRow> out;
  for (const auto& s : ss) {
    out.push_back({s.label, s.key, s.base_value, s.low_value, s.high_value, s.low_tco_usd, s.high_tco_usd,
                   s.low_usd_per_gpu_hour, s.high_usd_per_gpu_hour, s.low_npv_usd, s.high_npv_usd, s.range_source});
  }
  return out;
}

std::vector<result::TcoInput> inputs(const std::vector<Input>& xs) {
  std::vector<result::TcoInput> out;
  for (const auto& x : xs) {
    result::TcoInput j;
    j.key = x.key;
    j.label = x.label;
    j.value = x.value;
    j.text = core::format_quantity(x.value, x.dim);
    j.source = x.source;
    j.estimate = x.estimate;
    if (!x.note.empty()) j.note = x.note;
    j.low = x.low;
    j.high = x.high;
    if (!x.range_source.empty()) j.range_source = x.range_source;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

result::Tco tco_section(const TcoAnalysis& a) {
  const TcoResult& r = a.result;
  result::Tco j;
  j.horizon_years = r.horizon_years;
  j.horizon_note = fmt::format("each purchase owned {:g} years from its purchase year; valued in {}", r.horizon_years,
                               r.valuation_year);
  j.valuation_year = r.valuation_year;
  j.utilization = a.inputs.utilization;
  j.cost_of_capital = a.inputs.cost_of_capital;
  j.capex_usd = r.capex_usd;
  j.opex_usd = r.opex_usd;
  j.residual_usd = r.residual_usd;
  j.tco_usd = r.tco_usd;
  j.npv_usd = r.npv_usd;
  j.usd_per_gpu_hour = r.usd_per_gpu_hour;
  j.usd_per_gpu_hour_undiscounted = r.usd_per_gpu_hour_undiscounted;
  j.gpus = r.gpus;
  j.gpu_hours_capacity = r.gpu_hours_capacity;
  j.gpu_hours_used = r.gpu_hours_used;
  j.rental_usd_same_hours = r.rental_usd_same_hours;
  j.it_power_max_w = r.it_power_max_w;
  j.it_power_avg_w = r.it_power_avg_w;
  j.breakdown = breakdown(r);
  j.by_year = years(r);
  for (const auto& p : r.purchases) j.purchases.push_back(purchase(p));
  j.bom = bom_lines(a.bom);
  j.fabrics = fabrics(a.bom);
  j.workloads = workloads(a.workloads);
  j.sensitivity = swings(a.sensitivity);
  j.inputs = inputs(a.input_list);
  return j;
}

core::Json tco_json(const TcoAnalysis& a) { return result::to_json(tco_section(a)); }

}  // namespace fleetsim::cost
