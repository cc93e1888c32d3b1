#include "cost/inputs.h"

#include <fmt/format.h>

#include <set>

#include "core/error.h"

namespace fleetsim::cost {

using core::Dim;
using scenario::FacilityMode;

CostInputs cost_inputs(const scenario::Scenario& s, const Bom& bom) {
  FLEETSIM_CHECK(s.fleet.has_value(), "cost_inputs needs a fleet section");
  const auto& f = *s.fleet;
  CostInputs in;
  in.lines = bom.lines;
  for (const auto& [id, gpu] : s.gpus) {
    if (gpu.rental_usd_per_hour) in.gpu_rental_usd_per_hour[id] = *gpu.rental_usd_per_hour;
  }
  for (size_t i = 0; i < f.tranches.size(); ++i) {
    const auto& t = f.tranches[i];
    const hw::NodeSpec& node = s.node(t.node);
    Purchase p;
    p.name = t.name;
    p.year = t.year;
    p.gpu = node.gpu;
    p.gpus = static_cast<int64_t>(t.nodes) * node.gpus;
    p.owner = static_cast<int>(i);
    if (t.rental_usd_per_hour) {
      p.rental_usd_per_hour = *t.rental_usd_per_hour;
      p.rental_source = t.provenance.at("rental").source;
    } else if (auto it = in.gpu_rental_usd_per_hour.find(node.gpu); it != in.gpu_rental_usd_per_hour.end()) {
      p.rental_usd_per_hour = it->second;
      const auto& gp = s.gpus.at(node.gpu).provenance;
      p.rental_source = gp.count("rental") ? gp.at("rental").source : s.gpus.at(node.gpu).source;
    }
    in.purchases.push_back(p);
  }
  for (const auto& st : f.storage) {
    Purchase p;
    p.name = st.name;
    p.year = st.year;
    for (size_t i = 0; i < f.tranches.size(); ++i) {
      if (f.tranches[i].name == st.tranche) p.owner = static_cast<int>(i);
    }
    in.purchases.push_back(p);
  }
  const auto& fa = f.facility;
  in.mode = fa.mode;
  in.pue = fa.pue;
  in.usd_per_kwh = fa.usd_per_kwh;
  in.colocation_usd_per_kw_month = fa.colocation_usd_per_kw_month;
  in.build_usd_per_watt = fa.build_usd_per_watt;
  in.facility_life_years = fa.life_s / core::kSecondsPerYear;
  in.busy_fraction = f.power.busy_fraction;
  in.idle_fraction = f.power.idle_fraction;
  const auto& fi = f.finance;
  in.horizon_years = fi.horizon_s / core::kSecondsPerYear;
  in.useful_life_years = fi.useful_life_s / core::kSecondsPerYear;
  in.residual_fraction = fi.residual_fraction;
  in.cost_of_capital = fi.cost_of_capital;
  in.utilization = fi.utilization;
  in.maintenance_fraction = fi.maintenance_fraction_per_year;
  in.staff_usd_per_year = fi.staff_usd_per_year;
  in.software_usd_per_year = fi.software_usd_per_year;
  in.transit_usd_per_year = fi.transit_usd_per_year;
  in.valuation_year = fi.start_year;
  return in;
}

namespace {

// A scalar fleet input: where it lives in the fleet section and in CostInputs.
struct Scalar {
  const char* key;    // relative to the fleet section, as ranges name it
  const char* label;
  double CostInputs::*member;
  bool in_years;      // the scenario gives seconds; CostInputs holds years
};

const std::vector<Scalar>& scalars() {
  static const std::vector<Scalar> list = {
      {"facility.pue", "PUE", &CostInputs::pue, false},
      {"facility.power_price", "power price", &CostInputs::usd_per_kwh, false},
      {"facility.colocation_price", "colocation price", &CostInputs::colocation_usd_per_kw_month, false},
      {"facility.build_cost", "facility build cost", &CostInputs::build_usd_per_watt, false},
      {"facility.life", "facility life", &CostInputs::facility_life_years, true},
      {"power.busy_draw", "server draw while busy", &CostInputs::busy_fraction, false},
      {"power.idle_draw", "server draw while idle", &CostInputs::idle_fraction, false},
      {"finance.horizon", "ownership horizon", &CostInputs::horizon_years, true},
      {"finance.useful_life", "useful life", &CostInputs::useful_life_years, true},
      {"finance.residual", "residual value", &CostInputs::residual_fraction, false},
      {"finance.cost_of_capital", "cost of capital", &CostInputs::cost_of_capital, false},
      {"finance.utilization", "utilization", &CostInputs::utilization, false},
      {"finance.maintenance", "maintenance (share of capex a year)", &CostInputs::maintenance_fraction, false},
      {"finance.staff", "operations staff", &CostInputs::staff_usd_per_year, false},
      {"finance.software", "software", &CostInputs::software_usd_per_year, false},
      {"finance.transit", "network transit", &CostInputs::transit_usd_per_year, false},
  };
  return list;
}

const core::Provenance& section_provenance(const scenario::FleetSpec& f, std::string_view section) {
  if (section == "facility") return f.facility.provenance;
  if (section == "power") return f.power.provenance;
  return f.finance.provenance;
}

bool relevant(std::string_view key, FacilityMode mode) {
  if (mode == FacilityMode::owned) return key != "facility.colocation_price";
  return key != "facility.build_cost" && key != "facility.life";
}

void add_prices(const CostInputs& in, std::vector<Input>& out) {
  std::set<std::string> seen;
  for (const auto& line : in.lines) {
    if (line.price_key.empty() || !seen.insert(line.price_key).second) continue;
    Input x;
    x.key = line.price_key;
    x.label = line.item + " price";
    x.dim = Dim::usd;
    x.value = line.unit_price.typical_usd;
    x.low = line.unit_price.low_usd;
    x.high = line.unit_price.high_usd;
    x.source = line.price_source;
    x.estimate = line.price_estimate;
    x.note = line.note;
    x.range_source = "catalog low and high";
    x.set = [key = line.price_key](CostInputs& c, double v) {
      for (auto& l : c.lines) {
        if (l.price_key == key) l.unit_price.typical_usd = v;
      }
    };
    out.push_back(std::move(x));
  }
}

void add_powers(const scenario::Scenario& s, std::vector<Input>& out) {
  for (const auto& t : s.fleet->tranches) {
    const hw::NodeSpec& node = s.node(t.node);
    const std::string key = fmt::format("hardware.nodes.{}.max_power", node.id);
    bool dup = false;
    for (const auto& x : out) dup = dup || x.key == key;
    if (dup) continue;
    Input x;
    x.key = key;
    x.label = fmt::format("server {} max power", node.id);
    x.dim = Dim::watts;
    x.value = node.max_power_w;
    const auto& p = node.provenance.at("max_power");
    x.source = p.source.empty() ? node.source : p.source;
    x.estimate = p.estimate;
    x.note = p.note;
    out.push_back(std::move(x));
  }
}

}  // namespace

std::vector<Input> input_list(const scenario::Scenario& s, const CostInputs& in) {
  FLEETSIM_CHECK(s.fleet.has_value(), "input_list needs a fleet section");
  const auto& f = *s.fleet;
  std::vector<Input> out;
  add_prices(in, out);
  add_powers(s, out);
  for (const auto& sc : scalars()) {
    const std::string_view key = sc.key;
    bool ranged = false;
    for (const auto& r : f.ranges) ranged = ranged || r.input == key;
    if (!relevant(key, in.mode) && !ranged) continue;
    const std::string_view section = key.substr(0, key.find('.'));
    const std::string field(key.substr(key.find('.') + 1));
    const auto* range_input = scenario::find_range_input(key);
    FLEETSIM_CHECK(range_input != nullptr, "every scalar cost input is one a range can move");
    Input x;
    x.key = "fleet." + std::string(key);
    x.label = sc.label;
    x.dim = range_input->dim;
    const double scale = sc.in_years ? core::kSecondsPerYear : 1.0;
    x.value = in.*(sc.member) * scale;
    const auto& prov = section_provenance(f, section);
    if (auto it = prov.find(field); it != prov.end()) {
      x.source = it->second.source;
      x.estimate = it->second.estimate;
      x.note = it->second.note;
    } else {
      x.source = "fleetsim default";  // the whole section was left out
    }
    for (const auto& r : f.ranges) {
      if (r.input != key) continue;
      x.low = r.low;
      x.high = r.high;
      x.range_source = r.source;
    }
    x.set = [member = sc.member, scale](CostInputs& c, double v) { c.*member = v / scale; };
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace fleetsim::cost
