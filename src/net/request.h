// One collective on a cluster built from the catalogs, as a library call: a request in (GPU or
// node, node count, fabric, op, size, algorithm, fidelity, MoE sizing), a result out (the
// cluster it ran on, the plan, the time, algbw and busbw, the engine's counters or the analytic
// bottleneck, the calibration used, and every transfer when asked for, as a trace needs them).
// `fleetsim collective` parses flags into a request and renders the result; tests call it
// directly.
//
// The group is the first `ranks` GPUs node by node: part of one node, or whole nodes; p2p sends
// from GPU 0 of node 0 to its peer on the last node (GPU 1 of node 0 on one node).
// Worked number: --gpu h800 --nodes 1 --op all_reduce --bytes 1GiB runs a ring over 8 GPUs,
// 2 x 7/8 x 1 GiB per GPU in 14 steps; busbw is close to the achieved NVLink rate (about 135 GB/s
// with calibration/data/h800.yaml).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calib/table.h"
#include "core/names.h"
#include "hw/catalog.h"
#include "net/analytic.h"
#include "net/collective.h"
#include "net/flow_network.h"
#include "net/moe.h"
#include "topo/fabric.h"

namespace fleetsim::net {

enum class CollectiveEngine {
  event,     // flows in simulated time on a FlowNetwork (max-min sharing)
  analytic,  // closed form (net/analytic.h)
};

inline constexpr core::NameTable<CollectiveEngine, 2> kCollectiveEngines(
    {{CollectiveEngine::event, "event"}, {CollectiveEngine::analytic, "analytic"}});
inline constexpr core::NameTable<TokenFormat, 2> kTokenFormats({{TokenFormat::fp8_scaled, "fp8"},
                                                               {TokenFormat::bf16, "bf16"}});
inline constexpr core::NameTable<MoeRouting, 2> kMoeRoutings({{MoeRouting::sampled, "sampled"},
                                                             {MoeRouting::expected, "expected"}});

struct CollectiveRequest {
  std::string gpu;   // GpuSpec id: picks the catalog's one node of that GPU
  std::string node;  // NodeSpec id (its GPU must be `gpu` when both are given)
  int nodes = 0;     // nodes of the cluster, or
  int gpus = 0;      // GPUs of the cluster (a multiple of the node size); not both
  int ranks = 0;     // GPUs in the group, node by node; 0: all
  topo::FabricKind fabric = topo::FabricKind::rail_fat_tree;
  std::string fabric_switch = "qm9700";  // SwitchSpec id
  double oversubscription = 1.0;         // leaf down:up
  int planes = 0;                        // multi-plane; 0: one per NIC of a node
  CollectiveOp op = CollectiveOp::all_reduce;
  std::optional<double> bytes;  // S per GPU (nccl-tests); required for non-MoE ops, absent for MoE
  Algorithm algorithm = Algorithm::ring;
  CollectiveEngine engine = CollectiveEngine::event;
  MoeSpec moe;                    // moe_dispatch, moe_combine
  bool record_transfers = false;  // event engine: keep every finished transfer (for a trace)
};

struct CollectiveResult {
  std::string gpu, node;  // resolved catalog ids
  int nodes = 0, gpus = 0, planes = 0;
  CollectiveSpec spec;  // the group, the bytes, the MoE sizing as run
  CollectivePlan plan;
  double time_s = 0;
  double algbw_bytes_per_s = 0;  // plan.algbw_bytes / t (0 when t is 0)
  double busbw_bytes_per_s = 0;  // algbw x plan.busbw_factor
  struct EventCounters {
    uint64_t solves = 0;  // max-min re-solves
    uint64_t events = 0;  // events executed
  };
  std::optional<EventCounters> event;       // event engine
  std::optional<AnalyticEstimate> analytic;  // analytic engine
  std::vector<TransferRecord> transfers;     // when record_transfers, in completion order
  std::string calibration_gpu;               // the table used (the GPU's, or its defaults)
  calib::TableProvenance calibration;
};

// Builds the topology, loads the GPU's calibration from `calibration`, plans the collective and
// runs it on the requested engine. Throws core::InputError for a request that cannot run
// (unknown ids, a cluster or group that does not fit, bytes given to an MoE op or missing).
CollectiveResult run_collective(const CollectiveRequest& request, const hw::HardwareCatalog& hardware,
                                const calib::CalibrationSet& calibration);

}  // namespace fleetsim::net
