// The cluster as a graph (Boost.Graph): GPUs, the NVSwitch (or PCIe switch) of each node, NICs,
// and the switches of the scale-out fabric, joined by directed links, one per direction, each
// with a bandwidth and a latency. Built from the hardware specs and a FabricKind; its switch,
// link and transceiver counts equal topo::fabric_inventory (a test keeps them so).
//
// Inside a node (hw::NodeSpec): every GPU has a link to and from the node's NVSwitch at its
// per-direction NVLink bandwidth (GpuSpec::nvlink_bw_per_direction: 200 GB/s on H800, 450 GB/s
// on H100), and a PCIe link to its NIC (GPU i uses NIC i x nics / gpus). On a PCIe node
// (Fire-Flyer 2) GPUs and NICs hang off one PCIe switch instead.
//
// Between nodes, NIC ports are the fabric's endpoints:
//  - rail_fat_tree: one two-tier fat tree; endpoints are placed on leaves rail by rail (NIC i of
//    every node, then NIC i+1), so a rail fills whole leaves when its size allows;
//  - multiplane_fat_tree: P independent two-tier fat trees (DeepSeek's MPFT); endpoint
//    e = node x nics + nic is on plane e mod P (NIC i on plane i when P = nics, the default);
//  - fat_tree_3: leaves in pods of k/2 (rail by rail), aggregation switches per pod, a core.
// A leaf has d = round(k o / (o + 1)) ports down and k - d up (o = oversubscription); the i-th
// uplink of leaf l goes to spine (l (k - d) + i) mod S, so every leaf reaches every spine.
//
// Routes are shortest up/down paths; where several links lead on (ECMP), the choice is a hash
// of (source, destination, flow key, hop): deterministic, and spread over flows. Between nodes a
// GPU uses its own NIC; on a multi-plane fabric a destination on another plane is reached
// through the source node's GPU that owns a NIC of that plane, over NVLink first (NCCL's PXN).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "core/names.h"
#include "hw/catalog.h"
#include "hw/specs.h"
#include "topo/fabric.h"

namespace fleetsim::topo {

// A GPU as callers know it: its node and its index inside the node.
struct GpuRef {
  int node = 0;
  int local = 0;
  friend bool operator==(const GpuRef&, const GpuRef&) = default;
  friend auto operator<=>(const GpuRef&, const GpuRef&) = default;
};

enum class VertexKind : uint8_t { gpu, nvswitch, pcie_switch, nic, leaf, spine, core };
// What a link is made of. net maps these to calibration classes (nvlink, pcie, scale_out).
enum class LinkType : uint8_t { nvlink, pcie, nic_leaf, leaf_spine, spine_core };
inline constexpr core::NameTable<VertexKind, 7> kVertexKinds({{VertexKind::gpu, "gpu"},
                                                              {VertexKind::nvswitch, "nvswitch"},
                                                              {VertexKind::pcie_switch, "pcie-switch"},
                                                              {VertexKind::nic, "nic"},
                                                              {VertexKind::leaf, "leaf"},
                                                              {VertexKind::spine, "spine"},
                                                              {VertexKind::core, "core"}});
inline constexpr core::NameTable<LinkType, 5> kLinkTypes({{LinkType::nvlink, "nvlink"},
                                                         {LinkType::pcie, "pcie"},
                                                         {LinkType::nic_leaf, "nic-leaf"},
                                                         {LinkType::leaf_spine, "leaf-spine"},
                                                         {LinkType::spine_core, "spine-core"}});
inline std::string_view vertex_kind_name(VertexKind k) { return kVertexKinds.name_of(k); }
inline std::string_view link_type_name(LinkType t) { return kLinkTypes.name_of(t); }

struct Vertex {
  VertexKind kind = VertexKind::gpu;
  int node = -1;   // GPUs, NVSwitches, NICs; -1 for fabric switches
  int index = 0;   // GPU or NIC index in its node; a switch's index in its tier
  int plane = 0;   // NICs and fabric switches: their plane (0 when the fabric has one)
};

using VertexId = uint32_t;
using LinkId = uint32_t;

struct Link {
  VertexId from = 0;
  VertexId to = 0;
  LinkType type = LinkType::nvlink;
  double bw_bytes_per_s = 0;  // this direction
  double latency_s = 0;       // port to port of the switch it leaves; 0 from GPUs and NICs
};

struct EdgeProps {
  LinkId link = 0;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Vertex, EdgeProps>;

// A path of links from a GPU to a GPU, and what kind of path it is (net charges the calibrated
// latency of each segment: one NVLink hop, one PCIe hop, one trip through the fabric).
inline constexpr int kMaxHops = 16;
struct Route {
  std::array<LinkId, kMaxHops> links{};
  uint8_t hops = 0;
  uint8_t nvlink_segments = 0;     // GPU -> NVSwitch -> GPU
  uint8_t pcie_segments = 0;       // GPU -> PCIe switch -> GPU on a PCIe node
  uint8_t scale_out_segments = 0;  // GPU -> NIC -> fabric -> NIC -> GPU
  uint8_t fabric_switches = 0;     // fabric switches crossed
  double latency_s = 0;            // sum of the links' latencies

  std::span<const LinkId> span() const { return {links.data(), hops}; }
  void push(LinkId id, const Link& link);
};

struct TopologySpec {
  hw::NodeSpec node;
  hw::GpuSpec gpu;
  hw::NicSpec nic;
  hw::SwitchSpec fabric_switch;
  int nodes = 1;
  FabricKind fabric = FabricKind::rail_fat_tree;
  double oversubscription = 1.0;  // leaf down : up
  int planes = 0;                 // multiplane only; 0 = one per NIC of a node
};

// `nodes` nodes of catalog node `node_id` (with its GPU and compute NIC) on a fabric of catalog
// switch `switch_id`. Throws core::InputError naming an unknown id.
TopologySpec topology_spec(const hw::HardwareCatalog& catalog, std::string_view node_id, int nodes,
                           FabricKind fabric, std::string_view switch_id = "qm9700", double oversubscription = 1.0,
                           int planes = 0);

class Topology {
 public:
  // Throws core::InputError for a cluster that cannot be built: no nodes, no GPUs or NICs, an
  // NVSwitch node whose GPU has no NVLink, more endpoints than the fabric can join.
  explicit Topology(const TopologySpec& spec);

  const TopologySpec& spec() const { return spec_; }
  const Graph& graph() const { return graph_; }
  int nodes() const { return spec_.nodes; }
  int gpus_per_node() const { return spec_.node.gpus; }
  int gpu_count() const { return spec_.nodes * spec_.node.gpus; }
  int nics_per_node() const { return spec_.node.nics; }
  int planes() const { return planes_; }
  bool nvswitch() const { return spec_.node.intra_node == hw::IntraNodeFabric::nvswitch; }

  VertexId gpu_vertex(GpuRef g) const;
  VertexId nic_vertex(int node, int nic) const;
  int nic_of(int local_gpu) const;  // the NIC index a GPU uses
  int plane_of(int node, int nic) const;
  int leaf_of(int node, int nic) const;  // global leaf index of a NIC's leaf

  size_t link_count() const { return links_.size(); }
  const Link& link(LinkId id) const { return links_[id]; }
  std::span<const Link> links() const { return links_; }

  // The GPU of src's node whose NIC carries src -> dst across nodes: src itself, or on a
  // multi-plane fabric the GPU owning a NIC of dst's plane (dst's local index when it can).
  int egress_local(GpuRef src, GpuRef dst) const;
  // Fabric switches on a shortest path between two NICs: 1 under one leaf, 3 through a spine
  // (or an aggregation switch of one pod), 5 through a core switch.
  int fabric_switches_between(int node_a, int nic_a, int node_b, int nic_b) const;

  // The default route (see the header); `flow_key` spreads flows over equal-cost paths.
  // Requires valid GPUs; an empty route when src == dst.
  Route route(GpuRef src, GpuRef dst, uint64_t flow_key = 0) const;

  // Switches, links, transceivers and fibres counted on the graph.
  FabricInventory inventory() const;

 private:
  struct SwitchInfo {
    VertexId vertex = 0;
    int tier = 0;  // 0 leaf, 1 spine or aggregation, 2 core
    std::vector<LinkId> up;
    std::vector<LinkId> down;
  };

  VertexId add_vertex(Vertex v);
  LinkId add_link(VertexId from, VertexId to, LinkType type, double bw, double latency);
  void add_cable(VertexId a, VertexId b, LinkType type, double bw);  // both directions
  void build_nodes();
  void build_fabric();
  int add_two_tier(const std::vector<int>& endpoints_in_order, int plane);
  void build_three_tier(const std::vector<int>& endpoints_in_order);
  int add_switch(VertexKind kind, int tier, int plane);
  void attach(int endpoint, int leaf);
  void index_routes();
  bool reaches_down(int sw, int leaf) const;
  bool reaches(int sw, int leaf) const;
  void fabric_route(Route& r, VertexId from_nic, VertexId to_nic, uint64_t hash) const;
  void node_hop(Route& r, GpuRef from, GpuRef to) const;

  TopologySpec spec_;
  int planes_ = 1;
  int down_ports_ = 0;  // endpoints per leaf
  Graph graph_;
  std::vector<Link> links_;
  std::vector<VertexId> gpu_vertices_;    // node x gpus + local
  std::vector<VertexId> nic_vertices_;    // node x nics + nic
  std::vector<VertexId> node_switch_;     // NVSwitch or PCIe switch of each node
  std::vector<LinkId> gpu_up_, gpu_down_;  // GPU -> node switch, node switch -> GPU
  std::vector<LinkId> gpu_to_nic_, nic_to_gpu_;  // per GPU, NVSwitch nodes: the direct PCIe link
  std::vector<LinkId> switch_to_nic_, nic_to_switch_;  // per NIC, PCIe nodes: NIC <-> PCIe switch
  std::vector<LinkId> nic_up_, nic_down_;  // per NIC: NIC -> leaf, leaf -> NIC
  std::vector<int> nic_leaf_;              // per NIC: leaf index
  std::vector<int> nic_plane_;
  std::vector<SwitchInfo> switches_;
  std::vector<int> switch_of_vertex_;  // -1 for non-switches
  std::array<int, 7> switches_of_kind_{};  // by VertexKind, to number switches in their tier
  std::vector<int> leaves_;            // switch index of each leaf
  size_t words_ = 0;                   // 64-bit words per leaf bitset
  std::vector<uint64_t> down_bits_;    // per switch: leaves reachable going down
  std::vector<uint64_t> reach_bits_;   // per switch: leaves reachable going up, then down
};

}  // namespace fleetsim::topo
