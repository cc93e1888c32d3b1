// The fleet a company owns and the money around it: purchase tranches of nodes with their
// fabric and optics, storage, the facility that houses them, the power model, the finance
// assumptions of a TCO, workloads to price (published GPU-hours), and the ranges the
// sensitivity analysis moves inputs over. The cost module (src/cost) turns it into a bill of
// materials, cash flows and a TCO; docs/cost.md gives the equations.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"
#include "hw/specs.h"
#include "scenario/cluster_spec.h"

namespace fleetsim::scenario {

// The pluggable parts of a fabric's links: one NIC-side module per NIC port, switch-side modules
// carrying `ports` switch ports each (twin-port OSFP: 2), one fibre per link.
struct OpticsSpec {
  std::string nic = "osfp-400g";             // TransceiverSpec id
  std::string switch_side = "osfp-800g-twin";  // TransceiverSpec id (key "switch")
  std::string fibre = "mpo-fibre-30m";       // CableSpec id
  core::Provenance provenance;
};

struct TrancheSpec {
  std::string name;               // "H800 (2023)"
  std::string node;               // NodeSpec id
  int nodes = 0;
  int year = 0;                   // purchase year
  std::optional<double> node_price_usd;  // replaces the catalog's typical server price
  FabricSpec fabric;
  int clusters = 1;               // independent fabrics the nodes are split into; 0 = as few as hold them
  OpticsSpec optics;
  std::optional<double> rental_usd_per_hour;  // rental to compare with; default the GPU's catalog rental
  core::Provenance provenance;
};

// Storage servers (a 3FS-like cluster): bought in a year, priced per node, drawing a steady power.
struct StorageSpec {
  std::string name;
  int nodes = 0;
  int year = 0;
  hw::PriceRange price;           // one storage node, NICs and drives included
  double power_w = 0;             // average draw of one node
  int nics = 0;                   // NIC ports per node on the fabric of `tranche`
  double capacity_bytes = 0;      // raw capacity of one node
  std::string tranche;            // the tranche whose fabric it joins and whose cost it shares; "" = its own
  std::string source;
  core::Provenance provenance;
};

enum class FacilityMode { colocation, owned };
inline constexpr core::NameTable<FacilityMode, 2> kFacilityModes({{FacilityMode::colocation, "colocation"},
                                                                 {FacilityMode::owned, "owned"}});

struct FacilitySpec {
  FacilityMode mode = FacilityMode::colocation;
  double pue = 1.3;                          // facility power / IT power
  double usd_per_kwh = 0;                    // electricity
  double colocation_usd_per_kw_month = 0;    // colocation: space, cooling, power delivery per kW of IT
  double build_usd_per_watt = 0;             // owned: construction per watt of critical IT load
  double life_s = 0;                         // owned: depreciation period of the building
  core::Provenance provenance;
};

// Power drawn by GPU servers: busy_fraction x max power while working, idle_fraction x max (or
// the node's catalog idle_power) otherwise. Network gear and storage draw their rated power.
struct PowerSpec {
  double busy_fraction = 0.75;
  double idle_fraction = 0.3;
  core::Provenance provenance;
};

struct FinanceSpec {
  int start_year = 0;                 // the year cash flows are valued in (NPV)
  double horizon_s = 0;               // how long each purchase is owned and operated
  double useful_life_s = 0;           // depreciation period of hardware
  double residual_fraction = 0;       // book value left at the end of the useful life
  double cost_of_capital = 0;         // yearly rate for the capital recovery factor and NPV
  double utilization = 0;             // share of GPU-hours doing useful work
  double maintenance_fraction_per_year = 0;  // support and spares, share of hardware capex a year
  double staff_usd_per_year = 0;
  double software_usd_per_year = 0;
  double transit_usd_per_year = 0;    // internet transit and WAN links
  core::Provenance provenance;
};

enum class WorkloadKind { training, serving };
inline constexpr core::NameTable<WorkloadKind, 2> kWorkloadKinds({{WorkloadKind::training, "training"},
                                                                 {WorkloadKind::serving, "serving"}});

// GPU-hours a workload used, as published (the simulations fill the same fields later).
struct WorkloadSpec {
  std::string name;
  WorkloadKind kind = WorkloadKind::training;
  std::string gpu;                    // GpuSpec id; the fleet must own that GPU
  double gpu_hours = 0;
  double tokens = 0;                  // tokens trained, or served (input + output); 0 = not given
  double output_tokens = 0;           // serving: output tokens; 0 = not given
  std::optional<double> rental_usd_per_hour;  // default: the GPU's catalog rental
  std::string source;
  core::Provenance provenance;
};

// A low and high value of one fleet input (`input` names it relative to the fleet section,
// "facility.pue"), for the sensitivity analysis. Values in SI units of that input.
struct RangeSpec {
  std::string input;
  double low = 0;
  double high = 0;
  std::string source;
  core::Provenance provenance;
};

struct FleetSpec {
  std::string name;
  std::vector<TrancheSpec> tranches;
  std::vector<StorageSpec> storage;
  FacilitySpec facility;
  PowerSpec power;
  FinanceSpec finance;
  std::vector<WorkloadSpec> workloads;
  std::vector<RangeSpec> ranges;
  core::Provenance provenance;
};

inline std::string_view facility_mode_name(FacilityMode m) { return kFacilityModes.name_of(m); }
inline std::string_view workload_kind_name(WorkloadKind k) { return kWorkloadKinds.name_of(k); }

// The fleet inputs a range may move: key (relative to the fleet section), unit and bounds.
struct RangeInput {
  std::string key;
  core::Dim dim;
  core::Range bounds;
};
const std::vector<RangeInput>& range_inputs();
const RangeInput* find_range_input(std::string_view key);

const core::Schema<OpticsSpec>& optics_schema();
const core::Schema<TrancheSpec>& tranche_schema();
const core::Schema<StorageSpec>& storage_schema();
const core::Schema<FacilitySpec>& facility_schema();
const core::Schema<PowerSpec>& power_schema();
const core::Schema<FinanceSpec>& finance_schema();
const core::Schema<WorkloadSpec>& workload_schema();
const core::Schema<RangeSpec>& range_schema();
const core::Schema<FleetSpec>& fleet_schema();

}  // namespace fleetsim::scenario
