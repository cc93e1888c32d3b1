// Hardware specifications: GPUs, servers (nodes), NICs, switches, transceivers and cables.
// Plain data in SI units, loaded from hardware/*.yaml (see catalog.h); every figure keeps its
// source in `provenance`. Rates are vendor peaks; what is achieved is calibration data (calib/).
#pragma once

#include <optional>
#include <string>

#include "core/dtype.h"
#include "core/schema.h"

namespace fleetsim::hw {

// A price with its spread: low and high bound the published quotes, typical is what fleetsim uses.
struct PriceRange {
  double low_usd = 0;
  double typical_usd = 0;
  double high_usd = 0;
  core::Provenance provenance;  // each bound's source (the owning entry's source when none is given)
};

struct GpuSpec {
  std::string id;    // "h800"
  std::string name;  // "NVIDIA H800 SXM5"
  std::string architecture;  // "hopper"
  // Dense (no 2:4 sparsity) tensor-core peaks; 0 where the format is not supported.
  double bf16_flops_per_s = 0;
  double fp8_flops_per_s = 0;
  double fp4_flops_per_s = 0;
  double tf32_flops_per_s = 0;
  double fp32_flops_per_s = 0;  // CUDA cores, non-tensor; 0 where not published
  double hbm_bytes = 0;
  double hbm_bw_bytes_per_s = 0;
  double nvlink_bw_bytes_per_s = 0;  // bidirectional aggregate per GPU, as vendors quote it
  double pcie_bw_bytes_per_s = 0;    // bidirectional, host link
  double tdp_w = 0;
  int sm_count = 0;         // 0 where not published
  double boost_clock_hz = 0;  // 0 where not published
  PriceRange price;                           // one GPU
  std::optional<double> rental_usd_per_hour;  // a representative on-demand price per GPU-hour
  std::string source;
  std::string notes;
  core::Provenance provenance;

  // Peak of the tensor cores for a compute format (bf16/fp16 share one rate; int8 = fp8).
  // Returns 0 when unsupported.
  double peak_flops_per_s(core::DType t) const;
  // Per direction, which is what one transfer can use.
  double nvlink_bw_per_direction() const { return nvlink_bw_bytes_per_s / 2; }
};

enum class IntraNodeFabric { nvswitch, pcie };
inline constexpr core::NameTable<IntraNodeFabric, 2> kIntraNodeFabrics({{IntraNodeFabric::nvswitch, "nvswitch"},
                                                                      {IntraNodeFabric::pcie, "pcie"}});

struct NodeSpec {
  std::string id;    // "hgx-h800"
  std::string name;
  std::string gpu;   // GpuSpec id
  int gpus = 8;
  IntraNodeFabric intra_node = IntraNodeFabric::nvswitch;
  std::string nic;   // NicSpec id of the compute (back-end) fabric
  int nics = 8;      // compute NICs per node
  std::string storage_nic;  // NicSpec id of the storage/front-end NIC, may be empty
  int storage_nics = 0;
  std::string cpu;          // description
  double host_memory_bytes = 0;
  double local_storage_bytes = 0;
  double max_power_w = 0;   // the whole server at full load (GPUs, CPUs, fans, NICs)
  double idle_power_w = 0;  // the whole server idle; 0 where not published
  PriceRange price;         // the whole server, GPUs included, NICs included
  std::string source;
  std::string notes;
  core::Provenance provenance;
};

struct NicSpec {
  std::string id;
  std::string name;
  double bw_bytes_per_s = 0;  // per port, per direction
  int ports = 1;
  double power_w = 0;
  PriceRange price;
  std::string source;
  std::string notes;
  core::Provenance provenance;
};

struct SwitchSpec {
  std::string id;
  std::string name;
  int ports = 0;                  // logical ports at port_bw
  double port_bw_bytes_per_s = 0; // per direction
  double latency_s = 0;           // port to port
  double power_w = 0;
  PriceRange price;
  std::string source;
  std::string notes;
  core::Provenance provenance;
};

struct TransceiverSpec {
  std::string id;
  std::string name;
  int ports = 1;                  // logical ports carried (a twin-port OSFP carries 2)
  double bw_bytes_per_s = 0;      // per logical port, per direction
  double power_w = 0;
  double reach_m = 0;
  PriceRange price;
  std::string source;
  std::string notes;
  core::Provenance provenance;
};

struct CableSpec {
  std::string id;
  std::string name;
  double reach_m = 0;
  PriceRange price;
  std::string source;
  std::string notes;
  core::Provenance provenance;
};

const core::Schema<PriceRange>& price_range_schema();
const core::Schema<GpuSpec>& gpu_schema();
const core::Schema<NodeSpec>& node_schema();
const core::Schema<NicSpec>& nic_schema();
const core::Schema<SwitchSpec>& switch_schema();
const core::Schema<TransceiverSpec>& transceiver_schema();
const core::Schema<CableSpec>& cable_schema();

}  // namespace fleetsim::hw
