// The TCO as JSON (the result document's "tco" section) and as CSV.
#include <fmt/format.h>

#include "core/schema.h"
#include "cost/analysis.h"

namespace fleetsim::cost {

namespace {

using core::Json;

Json by_category(const std::array<double, kCategories>& usd) {
  Json j = Json::object();
  for (auto c : kAllCategories) j[std::string(category_name(c))] = usd[index_of(c)];
  return j;
}

Json breakdown(const TcoResult& r) {
  Json out = Json::array();
  for (auto c : kAllCategories) {
    const double v = r.usd[index_of(c)];
    if (v == 0) continue;
    out.push_back({{"category", category_name(c)}, {"kind", is_capex(c) ? "capex" : "opex"}, {"usd", v}});
  }
  if (r.residual_usd != 0) {
    out.push_back({{"category", "residual value"}, {"kind", "credit"}, {"usd", -r.residual_usd}});
  }
  return out;
}

Json years(const TcoResult& r) {
  Json out = Json::array();
  for (const auto& y : r.years) {
    out.push_back({{"year", y.year},
                   {"capex_usd", y.capex_usd},
                   {"opex_usd", y.opex_usd},
                   {"depreciation_usd", y.depreciation_usd},
                   {"residual_usd", y.residual_usd},
                   {"cash_flow_usd", y.cash_flow_usd},
                   {"by_category", by_category(y.usd)}});
  }
  return out;
}

Json purchases(const TcoResult& r) {
  Json out = Json::array();
  for (const auto& p : r.purchases) {
    Json j = {{"name", p.name},
              {"year", p.year},
              {"gpus", p.gpus},
              {"capex_usd", p.capex_usd},
              {"opex_usd", p.opex_usd},
              {"residual_usd", p.residual_usd},
              {"tco_usd", p.tco_usd},
              {"by_category", by_category(p.usd)},
              {"it_power_max_w", p.it_power_max_w},
              {"it_power_avg_w", p.it_power_avg_w}};
    if (p.gpus > 0) {
      j["gpu"] = p.gpu;
      j["usd_per_gpu_hour"] = p.usd_per_gpu_hour;
      if (p.rental_usd_per_hour > 0) {
        j["rental_usd_per_gpu_hour"] = p.rental_usd_per_hour;
        j["own_over_rent"] = p.usd_per_gpu_hour / p.rental_usd_per_hour;
      }
      if (p.breakeven_utilization) j["breakeven_utilization"] = *p.breakeven_utilization;
    } else {
      j["carried_by"] = p.carried_by;
    }
    out.push_back(std::move(j));
  }
  return out;
}

Json bom_lines(const Bom& b) {
  Json out = Json::array();
  for (const auto& l : b.lines) {
    Json j = {{"group", l.group},          {"category", category_name(l.category)},
              {"item", l.item},            {"id", l.id},
              {"quantity", l.quantity},    {"unit_usd", l.unit_price.typical_usd},
              {"low_usd", l.unit_price.low_usd}, {"high_usd", l.unit_price.high_usd},
              {"usd", l.usd()},            {"unit_power_w", l.unit_power_w},
              {"price_source", l.price_source}, {"estimate", l.price_estimate}};
    if (!l.note.empty()) j["note"] = l.note;
    out.push_back(std::move(j));
  }
  return out;
}

Json fabrics(const Bom& b) {
  Json out = Json::array();
  for (const auto& f : b.fabrics) {
    const auto& v = f.inventory;
    out.push_back({{"group", f.group},
                   {"kind", topo::fabric_kind_name(f.kind)},
                   {"switch", f.switch_id},
                   {"clusters", f.clusters},
                   {"planes", v.planes},
                   {"tiers", v.tiers},
                   {"endpoints", v.endpoints},
                   {"leaf_switches", v.leaf_switches},
                   {"spine_switches", v.spine_switches},
                   {"core_switches", v.core_switches},
                   {"switches", v.switches},
                   {"endpoint_links", v.endpoint_links},
                   {"switch_links", v.switch_links},
                   {"nic_modules", v.nic_transceivers},
                   {"switch_modules", f.switch_modules},
                   {"fibres", v.fibres}});
  }
  return out;
}

Json workloads(const std::vector<WorkloadCost>& ws) {
  Json out = Json::array();
  for (const auto& w : ws) {
    const auto& u = w.usage;
    Json j = {{"name", u.name},
              {"kind", scenario::workload_kind_name(u.kind)},
              {"origin", usage_origin_name(u.origin)},
              {"source", u.source},
              {"gpu", u.gpu},
              {"gpu_hours", u.gpu_hours},
              {"loaded_usd_per_gpu_hour", w.loaded_usd_per_gpu_hour},
              {"loaded_usd", w.loaded_usd},
              {"share_of_fleet_capacity", w.share_of_fleet_capacity},
              {"share_of_gpu_capacity", w.share_of_gpu_capacity},
              {"share_of_gpu_year", w.share_of_gpu_year}};
    if (u.tokens > 0) j["tokens"] = u.tokens;
    if (u.output_tokens > 0) j["output_tokens"] = u.output_tokens;
    if (w.rental_usd_per_hour) j["rental_usd_per_gpu_hour"] = *w.rental_usd_per_hour;
    if (w.rental_usd) j["rental_usd"] = *w.rental_usd;
    if (w.fleet_tco_over_rental) j["fleet_tco_over_rental"] = *w.fleet_tco_over_rental;
    if (w.usd_per_million_tokens) j["usd_per_million_tokens"] = *w.usd_per_million_tokens;
    if (w.usd_per_million_output_tokens) j["usd_per_million_output_tokens"] = *w.usd_per_million_output_tokens;
    out.push_back(std::move(j));
  }
  return out;
}

Json swings(const std::vector<Swing>& ss) {
  Json out = Json::array();
  for (const auto& s : ss) {
    out.push_back({{"input", s.label},
                   {"key", s.key},
                   {"base_value", s.base_value},
                   {"low_value", s.low_value},
                   {"high_value", s.high_value},
                   {"low_usd", s.low_tco_usd},
                   {"high_usd", s.high_tco_usd},
                   {"low_usd_per_gpu_hour", s.low_usd_per_gpu_hour},
                   {"high_usd_per_gpu_hour", s.high_usd_per_gpu_hour},
                   {"low_npv_usd", s.low_npv_usd},
                   {"high_npv_usd", s.high_npv_usd},
                   {"range_source", s.range_source}});
  }
  return out;
}

Json inputs(const std::vector<Input>& xs) {
  Json out = Json::array();
  for (const auto& x : xs) {
    Json j = {{"key", x.key},
              {"label", x.label},
              {"value", x.value},
              {"text", core::format_quantity(x.value, x.dim)},
              {"source", x.source},
              {"estimate", x.estimate}};
    if (!x.note.empty()) j["note"] = x.note;
    if (x.low) j["low"] = *x.low;
    if (x.high) j["high"] = *x.high;
    if (!x.range_source.empty()) j["range_source"] = x.range_source;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

Json tco_json(const TcoAnalysis& a) {
  const TcoResult& r = a.result;
  const CostInputs& in = a.inputs;
  Json j = Json::object();
  j["horizon_years"] = r.horizon_years;
  j["horizon_note"] = fmt::format("each purchase owned {:g} years from its purchase year; valued in {}",
                                  r.horizon_years, r.valuation_year);
  j["valuation_year"] = r.valuation_year;
  j["utilization"] = in.utilization;
  j["cost_of_capital"] = in.cost_of_capital;
  j["capex_usd"] = r.capex_usd;
  j["opex_usd"] = r.opex_usd;
  j["residual_usd"] = r.residual_usd;
  j["tco_usd"] = r.tco_usd;
  j["npv_usd"] = r.npv_usd;
  j["usd_per_gpu_hour"] = r.usd_per_gpu_hour;
  j["usd_per_gpu_hour_undiscounted"] = r.usd_per_gpu_hour_undiscounted;
  j["gpus"] = r.gpus;
  j["gpu_hours_capacity"] = r.gpu_hours_capacity;
  j["gpu_hours_used"] = r.gpu_hours_used;
  j["rental_usd_same_hours"] = r.rental_usd_same_hours;
  j["it_power_max_w"] = r.it_power_max_w;
  j["it_power_avg_w"] = r.it_power_avg_w;
  j["breakdown"] = breakdown(r);
  j["by_year"] = years(r);
  j["purchases"] = purchases(r);
  j["bom"] = bom_lines(a.bom);
  j["fabrics"] = fabrics(a.bom);
  j["workloads"] = workloads(a.workloads);
  j["sensitivity"] = swings(a.sensitivity);
  j["inputs"] = inputs(a.input_list);
  return j;
}

std::string tco_csv(const TcoResult& r) {
  std::string out = "year,category,kind,usd\n";
  for (const auto& y : r.years) {
    for (auto c : kAllCategories) {
      out += fmt::format("{},{},{},{:.2f}\n", y.year, category_name(c), is_capex(c) ? "capex" : "opex",
                         y.usd[index_of(c)]);
    }
    out += fmt::format("{},depreciation,accounting,{:.2f}\n", y.year, y.depreciation_usd);
    out += fmt::format("{},residual value,credit,{:.2f}\n", y.year, y.residual_usd);
    out += fmt::format("{},cash flow,total,{:.2f}\n", y.year, y.cash_flow_usd);
  }
  return out;
}

}  // namespace fleetsim::cost
