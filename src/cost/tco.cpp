#include "cost/tco.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "cost/finance.h"

namespace fleetsim::cost {

namespace {

using scenario::FacilityMode;

// A purchase's capex by category, its IT power, and a full year of its opex, at utilization u.
struct Flows {
  std::array<double, kCategories> capex{};
  std::array<double, kCategories> opex{};
  double it_max_w = 0;
  double it_avg_w = 0;

  double hardware_usd() const {
    return capex[index_of(Category::servers)] + capex[index_of(Category::network)] +
           capex[index_of(Category::storage)];
  }
  double opex_usd() const {
    double s = 0;
    for (double v : opex) s += v;
    return s;
  }
};

Flows flows_of(const CostInputs& in, const Purchase& p, double u, int64_t fleet_gpus) {
  Flows f;
  for (const auto& l : in.lines) {
    if (l.group != p.name) continue;
    f.capex[index_of(l.category)] += l.usd();
    f.it_max_w += l.quantity * l.unit_power_w;
    if (l.load_dependent) {
      const double idle = l.unit_idle_power_w > 0 ? l.unit_idle_power_w : in.idle_fraction * l.unit_power_w;
      f.it_avg_w += l.quantity * (u * in.busy_fraction * l.unit_power_w + (1.0 - u) * idle);
    } else {
      f.it_avg_w += l.quantity * l.unit_power_w;
    }
  }
  if (in.mode == FacilityMode::owned) f.capex[index_of(Category::facility)] = f.it_max_w * in.build_usd_per_watt;
  f.opex[index_of(Category::energy)] = f.it_avg_w / 1000.0 * in.pue * core::kHoursPerYear * in.usd_per_kwh;
  if (in.mode == FacilityMode::colocation) {
    f.opex[index_of(Category::colocation)] = f.it_max_w / 1000.0 * in.colocation_usd_per_kw_month * 12.0;
  }
  f.opex[index_of(Category::maintenance)] = in.maintenance_fraction * f.hardware_usd();
  const double share = fleet_gpus > 0 ? static_cast<double>(p.gpus) / static_cast<double>(fleet_gpus) : 0.0;
  f.opex[index_of(Category::staff)] = share * in.staff_usd_per_year;
  f.opex[index_of(Category::software)] = share * in.software_usd_per_year;
  f.opex[index_of(Category::transit)] = share * in.transit_usd_per_year;
  return f;
}

// Life and residual share of a capex category.
double life_of(const CostInputs& in, size_t c) {
  return c == index_of(Category::facility) ? in.facility_life_years : in.useful_life_years;
}
double residual_of(const CostInputs& in, size_t c) {
  return c == index_of(Category::facility) ? 0.0 : in.residual_fraction;
}

double annual_capital(const CostInputs& in, const Flows& f) {
  double a = 0;
  for (size_t c = 0; c < kCategories; ++c) {
    if (f.capex[c] > 0) a += annualized_capital(f.capex[c], residual_of(in, c), in.cost_of_capital, life_of(in, c));
  }
  return a;
}

int64_t fleet_gpus(const CostInputs& in) {
  int64_t n = 0;
  for (const auto& p : in.purchases) n += p.gpus;
  return n;
}

// A year of each purchase's cost (annualized capital + opex) at utilization u, with storage
// carried by the tranche it belongs to, or by all tranches by GPU count.
std::vector<double> allocated_annual_costs(const CostInputs& in, double u) {
  const int64_t gpus = fleet_gpus(in);
  FLEETSIM_CHECK(gpus > 0, "a fleet has at least one GPU (tranches need nodes >= 1)");
  std::vector<double> out(in.purchases.size(), 0.0);
  for (size_t i = 0; i < in.purchases.size(); ++i) {
    const Purchase& p = in.purchases[i];
    const Flows f = flows_of(in, p, u, gpus);
    const double cost = annual_capital(in, f) + f.opex_usd();
    if (p.gpus > 0) {
      out[i] += cost;
    } else if (p.owner >= 0) {
      out[static_cast<size_t>(p.owner)] += cost;
    } else {
      for (size_t j = 0; j < in.purchases.size(); ++j) {
        out[j] += cost * static_cast<double>(in.purchases[j].gpus) / static_cast<double>(gpus);
      }
    }
  }
  return out;
}

int years_held(double horizon_years) {
  // A horizon of exactly n years read from "4 y" must not become 5 by rounding noise.
  return std::max(1, static_cast<int>(std::ceil(horizon_years - 1e-9)));
}

}  // namespace

TcoResult evaluate_tco(const CostInputs& in) {
  FLEETSIM_CHECK(!in.purchases.empty(), "a fleet has at least one purchase");
  FLEETSIM_CHECK(in.utilization > 0 && in.horizon_years > 0 && in.useful_life_years > 0,
                 "utilization, horizon and useful life are validated as positive");
  TcoResult r;
  r.horizon_years = in.horizon_years;
  r.valuation_year = in.valuation_year;
  r.gpus = fleet_gpus(in);
  const int held = years_held(in.horizon_years);
  std::map<int, YearRow> years;
  const std::vector<double> annual = allocated_annual_costs(in, in.utilization);
  const std::vector<double> annual_idle = allocated_annual_costs(in, 0.0);
  const std::vector<double> annual_busy = allocated_annual_costs(in, 1.0);
  double annual_total = 0;
  for (size_t i = 0; i < in.purchases.size(); ++i) {
    const Purchase& p = in.purchases[i];
    const Flows f = flows_of(in, p, in.utilization, r.gpus);
    PurchaseCost pc;
    pc.name = p.name;
    pc.gpu = p.gpu;
    pc.gpus = p.gpus;
    pc.year = p.year;
    pc.it_power_max_w = f.it_max_w;
    pc.it_power_avg_w = f.it_avg_w;
    for (int k = 0; k < held; ++k) {
      YearRow& y = years[p.year + k];
      y.year = p.year + k;
      const double in_service = std::min(1.0, in.horizon_years - k);
      for (size_t c = 0; c < kCategories; ++c) {
        const double spent = (k == 0 ? f.capex[c] : 0.0) + in_service * f.opex[c];
        y.usd[c] += spent;
        pc.usd[c] += spent;
        if (f.capex[c] <= 0) continue;
        const double dep = depreciation_in_year(f.capex[c], residual_of(in, c), life_of(in, c), in.horizon_years, k);
        y.depreciation_usd += dep;
        pc.residual_usd -= dep;
      }
    }
    for (size_t c = 0; c < kCategories; ++c) {
      (is_capex(kAllCategories[c]) ? pc.capex_usd : pc.opex_usd) += pc.usd[c];
    }
    pc.residual_usd += pc.capex_usd;  // book value left: capex less its depreciation
    years[p.year + held - 1].residual_usd += pc.residual_usd;
    pc.tco_usd = pc.capex_usd + pc.opex_usd - pc.residual_usd;
    pc.annual_cost_usd = annual[i];
    annual_total += annual[i];
    pc.gpu_hours_per_year = static_cast<double>(p.gpus) * core::kHoursPerYear * in.utilization;
    pc.rental_usd_per_hour = p.rental_usd_per_hour;
    if (p.gpus == 0) pc.carried_by = p.owner >= 0 ? in.purchases[static_cast<size_t>(p.owner)].name : "all";
    if (p.gpus > 0) {
      pc.usd_per_gpu_hour = annual[i] / pc.gpu_hours_per_year;
      const double hours_full = static_cast<double>(p.gpus) * core::kHoursPerYear;
      const double slope = annual_busy[i] - annual_idle[i];  // the cost is linear in utilization
      const double denom = hours_full * p.rental_usd_per_hour - slope;
      if (p.rental_usd_per_hour > 0 && denom > 0 && annual_idle[i] / denom <= 1.0) {
        pc.breakeven_utilization = annual_idle[i] / denom;
      }
      r.rental_usd_same_hours += pc.gpu_hours_per_year * in.horizon_years * p.rental_usd_per_hour;
    }
    r.gpu_hours_capacity += static_cast<double>(p.gpus) * core::kHoursPerYear * in.horizon_years;
    r.it_power_max_w += f.it_max_w;
    r.it_power_avg_w += f.it_avg_w;
    for (size_t c = 0; c < kCategories; ++c) r.usd[c] += pc.usd[c];
    r.capex_usd += pc.capex_usd;
    r.opex_usd += pc.opex_usd;
    r.residual_usd += pc.residual_usd;
    r.purchases.push_back(std::move(pc));
  }
  r.tco_usd = r.capex_usd + r.opex_usd - r.residual_usd;
  r.gpu_hours_used = r.gpu_hours_capacity * in.utilization;
  r.usd_per_gpu_hour = annual_total / (static_cast<double>(r.gpus) * core::kHoursPerYear * in.utilization);
  r.usd_per_gpu_hour_undiscounted = r.tco_usd / r.gpu_hours_used;
  // Consecutive years, so a year without a purchase or a flow still shows.
  const int first = years.begin()->first, last = years.rbegin()->first;
  std::map<int, double> cash;
  for (int year = first; year <= last; ++year) {
    YearRow y = years.count(year) ? years.at(year) : YearRow{};
    y.year = year;
    for (size_t c = 0; c < kCategories; ++c) (is_capex(kAllCategories[c]) ? y.capex_usd : y.opex_usd) += y.usd[c];
    y.cash_flow_usd = y.residual_usd - y.capex_usd - y.opex_usd;
    cash[year] = y.cash_flow_usd;
    r.years.push_back(y);
  }
  r.npv_usd = net_present_value(cash, in.cost_of_capital, in.valuation_year);
  return r;
}

std::optional<double> loaded_usd_per_gpu_hour(const TcoResult& r, const std::string& gpu) {
  double cost = 0, hours = 0;
  for (const auto& p : r.purchases) {
    if (p.gpu != gpu || p.gpus == 0) continue;
    cost += p.annual_cost_usd;
    hours += p.gpu_hours_per_year;
  }
  if (hours <= 0) return std::nullopt;
  return cost / hours;
}

}  // namespace fleetsim::cost
