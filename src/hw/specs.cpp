#include "hw/specs.h"

namespace fleetsim::hw {

using core::Dim;
using core::non_negative;
using core::positive;

double GpuSpec::peak_flops_per_s(core::DType t) const {
  switch (t) {
    case core::DType::bf16:
    case core::DType::fp16: return bf16_flops_per_s;
    case core::DType::fp8:
    case core::DType::int8: return fp8_flops_per_s;
    case core::DType::fp4:
    case core::DType::int4: return fp4_flops_per_s;
    case core::DType::tf32: return tf32_flops_per_s;
    case core::DType::fp32: return fp32_flops_per_s;
    case core::DType::int6: return 0;
  }
  return 0;
}

const core::Schema<PriceRange>& price_range_schema() {
  static const auto s = core::Schema<PriceRange>("price", "A price with its spread across published quotes.")
                            .provenance(&PriceRange::provenance)
                            .quantity("low", &PriceRange::low_usd, Dim::usd, "Lowest published quote.", non_negative())
                            .quantity("typical", &PriceRange::typical_usd, Dim::usd, "The price fleetsim uses.",
                                      non_negative())
                            .quantity("high", &PriceRange::high_usd, Dim::usd, "Highest published quote.",
                                      non_negative())
                            .check([](const core::ConfigNode& n, PriceRange& p) {
                              if (p.low_usd > p.typical_usd) n.fail_at("low", "low is above typical");
                              if (p.typical_usd > p.high_usd) n.fail_at("high", "high is below typical");
                            });
  return s;
}

const core::Schema<GpuSpec>& gpu_schema() {
  static const auto s =
      core::Schema<GpuSpec>("gpu", "A GPU model: dense peak rates, memory, links, power and price.")
          .provenance(&GpuSpec::provenance)
          .text("id", &GpuSpec::id, "Catalog id that scenarios use (h800).")
          .text("name", &GpuSpec::name, "Full name.")
          .text("architecture", &GpuSpec::architecture, "Chip generation (ampere, hopper, blackwell).")
          .source(&GpuSpec::source)
          .text("notes", &GpuSpec::notes, "Remarks on the figures.", std::string())
          .quantity("bf16", &GpuSpec::bf16_flops_per_s, Dim::flop_per_s, "Dense BF16/FP16 tensor-core peak.",
                    positive())
          .quantity("fp8", &GpuSpec::fp8_flops_per_s, Dim::flop_per_s, "Dense FP8 tensor-core peak; 0 if none.",
                    non_negative(), 0.0)
          .quantity("fp4", &GpuSpec::fp4_flops_per_s, Dim::flop_per_s, "Dense FP4 tensor-core peak; 0 if none.",
                    non_negative(), 0.0)
          .quantity("tf32", &GpuSpec::tf32_flops_per_s, Dim::flop_per_s, "Dense TF32 tensor-core peak.", positive())
          .quantity("fp32", &GpuSpec::fp32_flops_per_s, Dim::flop_per_s,
                    "FP32 peak of the CUDA cores; 0 where not published.", non_negative(), 0.0)
          .quantity("hbm", &GpuSpec::hbm_bytes, Dim::bytes, "HBM capacity.", positive())
          .quantity("hbm_bw", &GpuSpec::hbm_bw_bytes_per_s, Dim::bytes_per_s, "HBM bandwidth.", positive())
          .quantity("nvlink_bw", &GpuSpec::nvlink_bw_bytes_per_s, Dim::bytes_per_s,
                    "NVLink bandwidth per GPU, bidirectional aggregate; 0 for none.", non_negative())
          .quantity("pcie_bw", &GpuSpec::pcie_bw_bytes_per_s, Dim::bytes_per_s, "Host link, bidirectional.",
                    positive())
          .quantity("tdp", &GpuSpec::tdp_w, Dim::watts, "Board power limit.", positive())
          .integer("sm_count", &GpuSpec::sm_count, "Streaming multiprocessors; 0 where not published.",
                   core::at_least(0), 0)
          .quantity("boost_clock", &GpuSpec::boost_clock_hz, Dim::hertz,
                    "Clock of the tensor peak; 0 where not published.", non_negative(), 0.0)
          .object("price", &GpuSpec::price, price_range_schema(), "Purchase price of one GPU.")
          .quantity("rental", &GpuSpec::rental_usd_per_hour, Dim::usd_per_hour,
                    "Representative on-demand rental price per GPU-hour.", positive());
  return s;
}

const core::Schema<NodeSpec>& node_schema() {
  static const auto s =
      core::Schema<NodeSpec>("node", "A GPU server: its GPUs, NICs, host, power and price.")
          .provenance(&NodeSpec::provenance)
          .text("id", &NodeSpec::id, "Catalog id that scenarios use (hgx-h800).")
          .text("name", &NodeSpec::name, "Full name.")
          .source(&NodeSpec::source)
          .text("notes", &NodeSpec::notes, "Remarks on the figures.", std::string())
          .text("gpu", &NodeSpec::gpu, "GPU id.")
          .integer("gpus", &NodeSpec::gpus, "GPUs per node.", core::at_least(1))
          .choice("intra_node", &NodeSpec::intra_node, kIntraNodeFabrics,
                  "How GPUs in the node are joined.", IntraNodeFabric::nvswitch)
          .text("nic", &NodeSpec::nic, "NIC id of the compute fabric.")
          .integer("nics", &NodeSpec::nics, "Compute-fabric NICs per node.", core::at_least(0))
          .text("storage_nic", &NodeSpec::storage_nic, "NIC id of the storage/front-end fabric.", std::string())
          .integer("storage_nics", &NodeSpec::storage_nics, "Storage/front-end NICs per node.", core::at_least(0), 0)
          .text("cpu", &NodeSpec::cpu, "Host processors.")
          .quantity("host_memory", &NodeSpec::host_memory_bytes, Dim::bytes, "Host DRAM.", positive())
          .quantity("local_storage", &NodeSpec::local_storage_bytes, Dim::bytes, "Local NVMe.", non_negative(), 0.0)
          .quantity("max_power", &NodeSpec::max_power_w, Dim::watts, "Whole server at full load.", positive())
          .quantity("idle_power", &NodeSpec::idle_power_w, Dim::watts,
                    "Whole server idle; 0 where not published (the fleet's power model then assumes a share).",
                    non_negative(), 0.0)
          .object("price", &NodeSpec::price, price_range_schema(), "The whole server, GPUs and NICs included.")
          .check([](const core::ConfigNode& n, NodeSpec& node) {
            if (node.idle_power_w > node.max_power_w) n.fail_at("idle_power", "idle power is above max power");
            if (node.storage_nics > 0 && node.storage_nic.empty()) {
              n.fail_at("storage_nics", "storage_nics > 0 needs storage_nic");
            }
          });
  return s;
}

const core::Schema<NicSpec>& nic_schema() {
  static const auto s = core::Schema<NicSpec>("nic", "A network adapter.")
                            .provenance(&NicSpec::provenance)
                            .text("id", &NicSpec::id, "Catalog id (cx7-400g).")
                            .text("name", &NicSpec::name, "Full name.")
                            .source(&NicSpec::source)
                            .text("notes", &NicSpec::notes, "Remarks on the figures.", std::string())
                            .quantity("bw", &NicSpec::bw_bytes_per_s, Dim::bytes_per_s,
                                      "Line rate per port, per direction.", positive())
                            .integer("ports", &NicSpec::ports, "Ports.", core::at_least(1), 1)
                            .quantity("power", &NicSpec::power_w, Dim::watts, "Typical power.", non_negative())
                            .object("price", &NicSpec::price, price_range_schema(), "Price of one adapter.");
  return s;
}

const core::Schema<SwitchSpec>& switch_schema() {
  static const auto s =
      core::Schema<SwitchSpec>("switch", "A network switch.")
          .provenance(&SwitchSpec::provenance)
          .text("id", &SwitchSpec::id, "Catalog id (qm9700).")
          .text("name", &SwitchSpec::name, "Full name.")
          .source(&SwitchSpec::source)
          .text("notes", &SwitchSpec::notes, "Remarks on the figures.", std::string())
          .integer("ports", &SwitchSpec::ports, "Logical ports at port_bw.", core::at_least(2))
          .quantity("port_bw", &SwitchSpec::port_bw_bytes_per_s, Dim::bytes_per_s, "Per port, per direction.",
                    positive())
          .quantity("latency", &SwitchSpec::latency_s, Dim::seconds, "Port-to-port latency.", non_negative())
          .quantity("power", &SwitchSpec::power_w, Dim::watts, "Typical power with optics excluded.", non_negative())
          .object("price", &SwitchSpec::price, price_range_schema(), "Price of one switch.");
  return s;
}

const core::Schema<TransceiverSpec>& transceiver_schema() {
  static const auto s =
      core::Schema<TransceiverSpec>("transceiver", "An optical module.")
          .provenance(&TransceiverSpec::provenance)
          .text("id", &TransceiverSpec::id, "Catalog id.")
          .text("name", &TransceiverSpec::name, "Full name.")
          .source(&TransceiverSpec::source)
          .text("notes", &TransceiverSpec::notes, "Remarks on the figures.", std::string())
          .integer("ports", &TransceiverSpec::ports, "Logical ports it carries.", core::at_least(1), 1)
          .quantity("bw", &TransceiverSpec::bw_bytes_per_s, Dim::bytes_per_s, "Per logical port, per direction.",
                    positive())
          .quantity("power", &TransceiverSpec::power_w, Dim::watts, "Maximum power.", non_negative())
          .number("reach_m", &TransceiverSpec::reach_m, "Reach in metres.", positive())
          .object("price", &TransceiverSpec::price, price_range_schema(), "Price of one module.");
  return s;
}

const core::Schema<CableSpec>& cable_schema() {
  static const auto s = core::Schema<CableSpec>("cable", "A fibre or copper cable.")
                            .provenance(&CableSpec::provenance)
                            .text("id", &CableSpec::id, "Catalog id.")
                            .text("name", &CableSpec::name, "Full name.")
                            .source(&CableSpec::source)
                            .text("notes", &CableSpec::notes, "Remarks on the figures.", std::string())
                            .number("reach_m", &CableSpec::reach_m, "Length in metres.", positive())
                            .object("price", &CableSpec::price, price_range_schema(), "Price of one cable.");
  return s;
}

}  // namespace fleetsim::hw
