#include "scenario/fleet_spec.h"

#include <fmt/format.h>

#include <set>

#include "core/text.h"

namespace fleetsim::scenario {

using core::Dim;

const std::vector<RangeInput>& range_inputs() {
  static const std::vector<RangeInput> inputs = {
      {"facility.pue", Dim::count, core::at_least(1)},
      {"facility.power_price", Dim::usd_per_kwh, core::non_negative()},
      {"facility.colocation_price", Dim::usd_per_kw_month, core::non_negative()},
      {"facility.build_cost", Dim::usd_per_watt, core::non_negative()},
      {"facility.life", Dim::seconds, core::positive()},
      {"power.busy_draw", Dim::fraction, core::unit_interval()},
      {"power.idle_draw", Dim::fraction, core::unit_interval()},
      {"finance.horizon", Dim::seconds, core::positive()},
      {"finance.useful_life", Dim::seconds, core::positive()},
      {"finance.residual", Dim::fraction, core::unit_interval()},
      {"finance.cost_of_capital", Dim::fraction, core::between(0, 1)},
      {"finance.utilization", Dim::fraction, core::Range{0, 1, true, false}},
      {"finance.maintenance", Dim::fraction, core::unit_interval()},
      {"finance.staff", Dim::usd_per_year, core::non_negative()},
      {"finance.software", Dim::usd_per_year, core::non_negative()},
      {"finance.transit", Dim::usd_per_year, core::non_negative()},
  };
  return inputs;
}

const RangeInput* find_range_input(std::string_view key) {
  for (const auto& r : range_inputs()) {
    if (r.key == key) return &r;
  }
  return nullptr;
}

const core::Schema<OpticsSpec>& optics_schema() {
  static const auto s =
      core::Schema<OpticsSpec>("optics", "The pluggable parts of a fabric's links (catalog ids).")
          .provenance(&OpticsSpec::provenance)
          .text("nic", &OpticsSpec::nic, "Transceiver on each NIC port.", std::string("osfp-400g"))
          .text("switch", &OpticsSpec::switch_side,
                "Transceiver on switch ports; one module carries its `ports` switch ports.",
                std::string("osfp-800g-twin"))
          .text("fibre", &OpticsSpec::fibre, "Cable of each link (NIC-leaf and switch-switch).",
                std::string("mpo-fibre-30m"));
  return s;
}

const core::Schema<TrancheSpec>& tranche_schema() {
  static const auto s =
      core::Schema<TrancheSpec>("tranche", "Nodes of one kind bought in one year, with their fabric.")
          .provenance(&TrancheSpec::provenance)
          .text("name", &TrancheSpec::name, "A label (\"H800 2023\"); unique in the fleet.")
          .text("node", &TrancheSpec::node, "Node id from the hardware catalog.")
          .integer("nodes", &TrancheSpec::nodes, "Number of nodes.", core::at_least(1))
          .integer("year", &TrancheSpec::year, "Purchase year.", core::between(1990, 2100))
          .quantity("node_price", &TrancheSpec::node_price_usd, Dim::usd,
                    "Price per node paid; replaces the catalog's typical price.", core::non_negative())
          .object("fabric", &TrancheSpec::fabric, fabric_schema(), "Scale-out network of the tranche.", false)
          .integer("clusters", &TrancheSpec::clusters,
                   "Independent fabrics the nodes (and joined storage) are split into evenly; 0 = as few as "
                   "the fabric kind can hold.",
                   core::at_least(0), 1)
          .object("optics", &TrancheSpec::optics, optics_schema(), "Transceivers and fibres of the fabric.", false)
          .quantity("rental", &TrancheSpec::rental_usd_per_hour, Dim::usd_per_hour,
                    "Rental price per GPU-hour to compare with (lease versus buy); default the GPU's catalog "
                    "rental.",
                    core::positive());
  return s;
}

const core::Schema<StorageSpec>& storage_schema() {
  static const auto s =
      core::Schema<StorageSpec>("storage", "Storage servers (a 3FS-like cluster) bought in one year.")
          .provenance(&StorageSpec::provenance)
          .text("name", &StorageSpec::name, "A label.")
          .source(&StorageSpec::source)
          .integer("nodes", &StorageSpec::nodes, "Number of storage nodes.", core::at_least(1))
          .integer("year", &StorageSpec::year, "Purchase year.", core::between(1990, 2100))
          .object("price", &StorageSpec::price, hw::price_range_schema(),
                  "One storage node (drives and NICs included): low, typical, high.")
          .quantity("power", &StorageSpec::power_w, Dim::watts, "Average draw of one node.", core::non_negative())
          .integer("nics", &StorageSpec::nics, "NIC ports per node on the fabric of `tranche`.", core::at_least(0),
                   0)
          .quantity("capacity", &StorageSpec::capacity_bytes, Dim::bytes, "Raw capacity of one node.",
                    core::non_negative(), 0.0)
          .text("tranche", &StorageSpec::tranche,
                "Name of the tranche whose fabric its NICs join and whose cost it is part of; empty: standalone, "
                "shared by the whole fleet.",
                std::string());
  return s;
}

const core::Schema<FacilitySpec>& facility_schema() {
  static const auto s =
      core::Schema<FacilitySpec>("facility", "Where the fleet lives and what its power costs.")
          .provenance(&FacilitySpec::provenance)
          .choice("mode", &FacilitySpec::mode, kFacilityModes,
                  "Rented colocation space (billed per kW of IT capacity), or a data centre built and owned.",
                  FacilityMode::colocation)
          .number("pue", &FacilitySpec::pue, "Power usage effectiveness: facility power over IT power.",
                  core::at_least(1), 1.3)
          .quantity("power_price", &FacilitySpec::usd_per_kwh, Dim::usd_per_kwh, "Electricity price.",
                    core::non_negative())
          .quantity("colocation_price", &FacilitySpec::colocation_usd_per_kw_month, Dim::usd_per_kw_month,
                    "Colocation price per kW of IT capacity a month (power billed apart).", core::non_negative(),
                    0.0)
          .quantity("build_cost", &FacilitySpec::build_usd_per_watt, Dim::usd_per_watt,
                    "Owned: construction cost per watt of critical IT load.", core::non_negative(), 0.0)
          .quantity("life", &FacilitySpec::life_s, Dim::seconds,
                    "Owned: depreciation period of the building (the default is an assumption, not a published "
                    "figure).",
                    core::positive(), 15 * core::kSecondsPerYear)
          .check([](const core::ConfigNode& n, FacilitySpec& f) {
            if (f.mode == FacilityMode::colocation && f.colocation_usd_per_kw_month <= 0) {
              n.fail_at("colocation_price", "colocation needs colocation_price");
            }
            if (f.mode == FacilityMode::owned && f.build_usd_per_watt <= 0) {
              n.fail_at("build_cost", "an owned facility needs build_cost");
            }
          });
  return s;
}

const core::Schema<PowerSpec>& power_schema() {
  static const auto s =
      core::Schema<PowerSpec>("power", "How much of its maximum power a GPU server draws, busy and idle.")
          .provenance(&PowerSpec::provenance)
          .quantity("busy_draw", &PowerSpec::busy_fraction, Dim::fraction,
                    "Share of a server's max power drawn while working (Epoch AI: average training draw = 0.75 x "
                    "server TDP).",
                    core::unit_interval(), 0.75)
          .quantity("idle_draw", &PowerSpec::idle_fraction, Dim::fraction,
                    "Share of max power drawn idle, where the node has no catalog idle_power (the default is an "
                    "estimate: no published idle figure in the reference set).",
                    core::unit_interval(), 0.3)
          .check([](const core::ConfigNode& n, PowerSpec& p) {
            if (p.idle_fraction > p.busy_fraction) n.fail_at("idle_draw", "idle_draw is above busy_draw");
          });
  return s;
}

const core::Schema<FinanceSpec>& finance_schema() {
  static const auto s =
      core::Schema<FinanceSpec>("finance", "Horizon, depreciation, cost of capital and running costs.")
          .provenance(&FinanceSpec::provenance)
          .integer("start_year", &FinanceSpec::start_year,
                   "The year cash flows are valued in (NPV); flows of other years are discounted or compounded "
                   "to it.",
                   core::between(1990, 2100))
          .quantity("horizon", &FinanceSpec::horizon_s, Dim::seconds,
                    "How long each purchase is owned and operated, from its purchase year.", core::positive())
          .quantity("useful_life", &FinanceSpec::useful_life_s, Dim::seconds, "Depreciation period of hardware.",
                    core::positive())
          .quantity("residual", &FinanceSpec::residual_fraction, Dim::fraction,
                    "Book (resale) value at the end of the useful life, share of price.", core::unit_interval(), 0.0)
          .quantity("cost_of_capital", &FinanceSpec::cost_of_capital, Dim::fraction, "Yearly rate.",
                    core::between(0, 1), 0.0)
          .quantity("utilization", &FinanceSpec::utilization, Dim::fraction,
                    "Share of GPU-hours doing useful work.", core::Range{0, 1, true, false})
          .quantity("maintenance", &FinanceSpec::maintenance_fraction_per_year, Dim::fraction,
                    "Support and spares a year, share of hardware capex.", core::unit_interval(), 0.0)
          .quantity("staff", &FinanceSpec::staff_usd_per_year, Dim::usd_per_year,
                    "Operations staff of the whole fleet; purchases share it by GPU count.", core::non_negative(),
                    0.0)
          .quantity("software", &FinanceSpec::software_usd_per_year, Dim::usd_per_year,
                    "Software and licences of the whole fleet; shared by GPU count.", core::non_negative(), 0.0)
          .quantity("transit", &FinanceSpec::transit_usd_per_year, Dim::usd_per_year,
                    "Internet transit and WAN links of the whole fleet; shared by GPU count.", core::non_negative(),
                    0.0);
  return s;
}

const core::Schema<WorkloadSpec>& workload_schema() {
  static const auto s =
      core::Schema<WorkloadSpec>("workload",
                                 "GPU-hours a training run or a serving period used, as published (a source is "
                                 "required); priced at the fleet's loaded cost and at rental.")
          .provenance(&WorkloadSpec::provenance)
          .text("name", &WorkloadSpec::name, "A label.")
          .source(&WorkloadSpec::source, "Where the GPU-hours (and tokens) were published.")
          .choice("kind", &WorkloadSpec::kind, kWorkloadKinds,
                  "Training run or serving period.", WorkloadKind::training)
          .text("gpu", &WorkloadSpec::gpu, "GPU id; the fleet must own that GPU.")
          .quantity("gpu_hours", &WorkloadSpec::gpu_hours, Dim::count, "GPU-hours used.", core::positive())
          .quantity("tokens", &WorkloadSpec::tokens, Dim::count,
                    "Tokens trained, or served (input + output); 0 = not given.", core::non_negative(), 0.0)
          .quantity("output_tokens", &WorkloadSpec::output_tokens, Dim::count,
                    "Serving: output tokens; 0 = not given.", core::non_negative(), 0.0)
          .quantity("rental", &WorkloadSpec::rental_usd_per_hour, Dim::usd_per_hour,
                    "Rental price per GPU-hour of the rental view; default the GPU's catalog rental.",
                    core::positive());
  return s;
}

namespace {

// Reads a range bound in the unit of the named input, within that input's bounds.
void parse_bound(const core::ConfigNode& n, const RangeSpec& r, double& out) {
  const RangeInput* in = find_range_input(r.input);
  if (!in) n.fail("the range's input is unknown");
  out = in->dim == Dim::count ? n.as_number() : n.as_quantity(in->dim);
  core::check_range(n, out, in->bounds);
}

core::Json emit_bound(const RangeSpec& r, double v, core::EmitMode mode) {
  const RangeInput* in = find_range_input(r.input);
  if (mode == core::EmitMode::json || !in || in->dim == Dim::count) return core::Json(v);
  return core::Json(core::quantity_text(v, in->dim));
}

// Element i of the list under `key` (for errors that name one element).
core::ConfigNode element(const core::ConfigNode& n, std::string_view key, size_t i) {
  return n.require(key).elements().at(i);
}

}  // namespace

const core::Schema<RangeSpec>& range_schema() {
  static const auto s =
      core::Schema<RangeSpec>("range", "Low and high values of one fleet input for the sensitivity analysis.")
          .provenance(&RangeSpec::provenance)
          .custom({"input", "text", "The input, relative to the fleet section (facility.pue, finance.utilization)."},
                  [](const core::ConfigNode& n, RangeSpec& r) {
                    r.input = n.as_string();
                    if (find_range_input(r.input)) return;
                    std::vector<std::string> keys;
                    for (const auto& i : range_inputs()) keys.push_back(i.key);
                    n.fail(fmt::format("'{}' is not an input a range can move{}; one of {}", r.input,
                                       core::did_you_mean(r.input, keys), core::join(keys, ", ")));
                  },
                  nullptr, true, [](const RangeSpec& r, core::EmitMode) { return core::Json(r.input); })
          .custom({"low", "the input's unit", "Low value."},
                  [](const core::ConfigNode& n, RangeSpec& r) { parse_bound(n, r, r.low); }, nullptr, true,
                  [](const RangeSpec& r, core::EmitMode m) { return emit_bound(r, r.low, m); })
          .custom({"high", "the input's unit", "High value."},
                  [](const core::ConfigNode& n, RangeSpec& r) { parse_bound(n, r, r.high); }, nullptr, true,
                  [](const RangeSpec& r, core::EmitMode m) { return emit_bound(r, r.high, m); })
          .source(&RangeSpec::source, "Where the low and high values come from.")
          .check([](const core::ConfigNode& n, RangeSpec& r) {
            if (r.low > r.high) n.fail_at("low", "low is above high");
          });
  return s;
}

const core::Schema<FleetSpec>& fleet_schema() {
  static const auto s =
      core::Schema<FleetSpec>("fleet", "An owned fleet and its total cost of ownership.")
          .provenance(&FleetSpec::provenance)
          .text("name", &FleetSpec::name, "A label.", std::string())
          .list("tranches", &FleetSpec::tranches, tranche_schema(), "Purchases of nodes.")
          .list("storage", &FleetSpec::storage, storage_schema(), "Storage clusters.", false, 0)
          .object("facility", &FleetSpec::facility, facility_schema(), "Facility and power.")
          .object("power", &FleetSpec::power, power_schema(), "Power drawn by servers, busy and idle.", false)
          .object("finance", &FleetSpec::finance, finance_schema(), "Finance assumptions.")
          .list("workloads", &FleetSpec::workloads, workload_schema(),
                "Published GPU-hours of runs and serving periods to price.", false, 0)
          .list("ranges", &FleetSpec::ranges, range_schema(), "Low and high values for the sensitivity analysis.",
                false, 0)
          .check([](const core::ConfigNode& n, FleetSpec& f) {
            std::set<std::string> names;
            for (size_t i = 0; i < f.tranches.size(); ++i) {
              if (!names.insert(f.tranches[i].name).second) {
                element(n, "tranches", i).fail_at("name", fmt::format("tranche name '{}' is used twice",
                                                                      f.tranches[i].name));
              }
            }
            const std::vector<std::string> known(names.begin(), names.end());
            for (size_t i = 0; i < f.storage.size(); ++i) {
              const auto& st = f.storage[i];
              if (names.count(st.name)) {
                element(n, "storage", i).fail_at("name", fmt::format("'{}' is also a tranche's name", st.name));
              }
              if (!st.tranche.empty() && !names.count(st.tranche)) {
                element(n, "storage", i).fail_at("tranche", fmt::format("unknown tranche '{}'{}", st.tranche,
                                                                        core::did_you_mean(st.tranche, known)));
              }
            }
            std::set<std::string> ranged;
            for (size_t i = 0; i < f.ranges.size(); ++i) {
              if (!ranged.insert(f.ranges[i].input).second) {
                element(n, "ranges", i).fail_at("input", fmt::format("input '{}' has two ranges", f.ranges[i].input));
              }
            }
          });
  return s;
}

}  // namespace fleetsim::scenario
