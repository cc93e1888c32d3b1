// Collectives as NCCL and DeepEP run them, expanded into flows (the event fidelity runs them on
// a FlowNetwork; the analytic fidelity, net/analytic.h, prices the same patterns in closed form).
//
// Sizes follow nccl-tests (PERFORMANCE.md): S is the per-GPU buffer of the call (all-gather:
// the output, reduce-scatter: the input, all-to-all: what each GPU sends in total), algbw = S/t,
// busbw = algbw x factor:
//   all_reduce      ring: every GPU sends 2(n-1)/n S in 2(n-1) steps     factor 2(n-1)/n
//   all_gather      ring: (n-1)/n S in n-1 steps                          factor (n-1)/n
//   reduce_scatter  ring: (n-1)/n S in n-1 steps                          factor (n-1)/n
//   all_to_all      S/n to every other GPU, at once                        factor (n-1)/n
//   p2p             S from rank 0 to rank 1 of the group                   factor 1
// With an ideal network (line rate R per direction, no latency) a ring all-reduce inside a node
// takes 2(n-1)/n S / R, so busbw = R: the NCCL law. Worked number: 8 H800 GPUs, S = 1 GiB,
// R = 200 GB/s: t = 2 x 7/8 x 1.074e9 / 200e9 = 9.40 ms.
//
// Rings across nodes: one ring per GPU of the group on each node (NCCL's channels, so that every
// NIC carries one), each moving S/C. In channel c a node is crossed from its member c to member
// c-1, the next node backwards from c-1 to c, so consecutive nodes are joined GPU c-1 to GPU c-1
// (or c to c): rail to rail, and the ring closes rail-aligned when the node count is even. Every
// GPU leaves its node in exactly one channel. A ring flow is the steady state of the pipeline:
// it carries its whole share and pays the route latency once per step.
//
// Tree all-reduce (NCCL's double binary tree): per channel, two binary trees over the nodes
// (heap order, and its mirror image), each reducing then broadcasting S/2C; inside a node a chain
// from the channel's GPU. Latency 2 (floor(log2 N) + m - 1) steps; bandwidth about the ring's.
//
// MoE dispatch and combine (net/moe.h): intranode, or without forwarding, one flow per (source,
// target GPU) pair; with DeepEP's forwarding, one fabric flow per (source GPU, target node) to
// the GPU with the source's local index there, and one NVLink flow per (forwarding GPU, target
// GPU) of that node, running together as DeepEP pipelines them. Combine is the same in reverse.
// DeepEP reports the bytes on the bottleneck link type over time; for a rank: intranode, the
// tokens it receives (self included) x bytes/token ("NVL"); internode, its (token, node) pairs,
// own node included, x bytes/token ("RDMA"). plan().algbw_bytes holds that figure, averaged
// over ranks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/names.h"
#include "net/flow_network.h"
#include "net/group.h"
#include "net/moe.h"

namespace fleetsim::net {

enum class CollectiveOp { all_reduce, all_gather, reduce_scatter, all_to_all, p2p, moe_dispatch, moe_combine };
enum class Algorithm { ring, tree };

// The names of ops and algorithms (the command line's --op and --algorithm, the JSON's "op").
inline constexpr core::NameTable<CollectiveOp, 7> kCollectiveOps({{CollectiveOp::all_reduce, "all_reduce"},
                                                                 {CollectiveOp::all_gather, "all_gather"},
                                                                 {CollectiveOp::reduce_scatter, "reduce_scatter"},
                                                                 {CollectiveOp::all_to_all, "all_to_all"},
                                                                 {CollectiveOp::moe_dispatch, "moe_dispatch"},
                                                                 {CollectiveOp::moe_combine, "moe_combine"},
                                                                 {CollectiveOp::p2p, "p2p"}});
inline constexpr core::NameTable<Algorithm, 2> kAlgorithms({{Algorithm::ring, "ring"}, {Algorithm::tree, "tree"}});

inline std::string_view collective_op_name(CollectiveOp op) { return kCollectiveOps.name_of(op); }
inline std::string_view algorithm_name(Algorithm a) { return kAlgorithms.name_of(a); }

struct CollectiveSpec {
  CollectiveSpec() = default;
  CollectiveSpec(CollectiveOp o, Group g, double b = 0, Algorithm a = Algorithm::ring)
      : op(o), group(std::move(g)), bytes(b), algorithm(a) {}

  CollectiveOp op = CollectiveOp::all_reduce;
  Group group;
  double bytes = 0;                      // S (nccl-tests); MoE ops size themselves from `moe`
  Algorithm algorithm = Algorithm::ring;  // all_reduce only
  MoeSpec moe;                           // moe_dispatch, moe_combine
};

// One flow of a collective.
struct PlannedFlow {
  topo::GpuRef src, dst;
  double bytes = 0;
  int latency_steps = 1;
  double message_bytes = 0;  // size of one message for the efficiency curve; 0: the flow's bytes
};

struct CollectivePlan {
  std::vector<PlannedFlow> flows;
  double algbw_bytes = 0;   // algbw = algbw_bytes / t
  double busbw_factor = 1;  // busbw = algbw x busbw_factor
  int channels = 1;
  int steps = 1;
  std::string bandwidth_note;  // what algbw counts ("nccl-tests size", "DeepEP RDMA bytes per rank")
};

// The flows of a collective. Throws core::InputError for a spec that cannot run: a group outside
// the topology, a p2p group not of two GPUs, negative bytes, an MoE group that is not node by node.
CollectivePlan plan_collective(const CollectiveSpec& spec, const topo::Topology& topology);

// Event fidelity: starts every flow of the plan on the network now; `on_done` runs when the last
// one has finished. Concurrent collectives share links by max-min.
void start_collective(FlowNetwork& network, const CollectivePlan& plan, sim::Action on_done,
                      const TransferOptions& options = {});

// The parent of node position k in the two trees of tree all-reduce: tree 0 in heap order
// ((k-1)/2), tree 1 its mirror image; -1 for a root.
int tree_parent(int tree, int k, int nodes);

// One collective alone on an idle network, from start to end (seconds).
double simulate_collective(const CollectivePlan& plan, const topo::Topology& topology, const CommCosts& costs);

}  // namespace fleetsim::net
