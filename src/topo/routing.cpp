// Routes on the cluster graph (see topology.h): a hop inside a node, a trip through the fabric
// along a shortest up/down path, or both (PXN on a multi-plane fabric); and the inventory
// counted on the graph.
#include <fmt/format.h>

#include "core/error.h"
#include "topo/topology.h"

namespace fleetsim::topo {

namespace {

uint64_t mix(uint64_t x) {  // SplitMix64's finaliser: a good 64-bit hash
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

// Which leaves each switch reaches going only down, and going up then down: one bitset of
// leaves per switch. A route goes down as soon as the destination leaf is below, else up to a
// switch from which it is reachable, so it is a shortest path in a fat tree.
void Topology::index_routes() {
  for (LinkId id = 0; id < links_.size(); ++id) {
    const Link& l = links_[id];
    const int a = switch_of_vertex_[l.from], b = switch_of_vertex_[l.to];
    if (a < 0 || b < 0) continue;
    auto& from = switches_[static_cast<size_t>(a)];
    const int to_tier = switches_[static_cast<size_t>(b)].tier;
    (to_tier > from.tier ? from.up : from.down).push_back(id);
  }
  words_ = (leaves_.size() + 63) / 64;
  down_bits_.assign(switches_.size() * words_, 0);
  reach_bits_.assign(switches_.size() * words_, 0);
  auto bits = [&](std::vector<uint64_t>& v, size_t sw) { return v.data() + sw * words_; };
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    bits(down_bits_, static_cast<size_t>(leaves_[leaf]))[leaf / 64] |= uint64_t{1} << (leaf % 64);
  }
  for (int tier = 1; tier <= 2; ++tier) {
    for (size_t s = 0; s < switches_.size(); ++s) {
      if (switches_[s].tier != tier) continue;
      for (LinkId id : switches_[s].down) {
        const auto child = static_cast<size_t>(switch_of_vertex_[links_[id].to]);
        for (size_t w = 0; w < words_; ++w) bits(down_bits_, s)[w] |= bits(down_bits_, child)[w];
      }
    }
  }
  for (int tier = 2; tier >= 0; --tier) {
    for (size_t s = 0; s < switches_.size(); ++s) {
      if (switches_[s].tier != tier) continue;
      for (size_t w = 0; w < words_; ++w) bits(reach_bits_, s)[w] = bits(down_bits_, s)[w];
      for (LinkId id : switches_[s].up) {
        const auto parent = static_cast<size_t>(switch_of_vertex_[links_[id].to]);
        for (size_t w = 0; w < words_; ++w) bits(reach_bits_, s)[w] |= bits(reach_bits_, parent)[w];
      }
    }
  }
}

bool Topology::reaches_down(int sw, int leaf) const {
  return (down_bits_[static_cast<size_t>(sw) * words_ + static_cast<size_t>(leaf) / 64] >> (leaf % 64)) & 1;
}

bool Topology::reaches(int sw, int leaf) const {
  return (reach_bits_[static_cast<size_t>(sw) * words_ + static_cast<size_t>(leaf) / 64] >> (leaf % 64)) & 1;
}

// NIC -> leaf -> ... -> leaf -> NIC. At each switch the candidates are the links toward the
// destination leaf (down when it is below, else up); the hash picks one (ECMP).
void Topology::fabric_route(Route& r, VertexId from_nic, VertexId to_nic, uint64_t hash) const {
  const size_t from = static_cast<size_t>(graph_[from_nic].node * spec_.node.nics + graph_[from_nic].index);
  const size_t to = static_cast<size_t>(graph_[to_nic].node * spec_.node.nics + graph_[to_nic].index);
  const int target = nic_leaf_[to];
  r.push(nic_up_[from], links_[nic_up_[from]]);
  int sw = leaves_[static_cast<size_t>(nic_leaf_[from])];
  const int last = leaves_[static_cast<size_t>(target)];
  r.fabric_switches = 1;
  for (uint64_t hop = 1; sw != last; ++hop) {
    const bool down = reaches_down(sw, target);
    const auto& candidates = down ? switches_[static_cast<size_t>(sw)].down : switches_[static_cast<size_t>(sw)].up;
    auto leads = [&](LinkId id) {
      const int next = switch_of_vertex_[links_[id].to];
      return down ? reaches_down(next, target) : reaches(next, target);
    };
    size_t count = 0;
    for (LinkId id : candidates) count += leads(id) ? 1 : 0;
    FLEETSIM_CHECK(count > 0, "no path between two leaves of the fabric");
    size_t pick = mix(hash + hop * 0x9E3779B97F4A7C15ULL) % count;
    for (LinkId id : candidates) {
      if (!leads(id)) continue;
      if (pick-- == 0) {
        r.push(id, links_[id]);
        sw = switch_of_vertex_[links_[id].to];
        ++r.fabric_switches;
        break;
      }
    }
  }
  r.push(nic_down_[to], links_[nic_down_[to]]);
}

void Topology::node_hop(Route& r, GpuRef from, GpuRef to) const {
  const size_t a = static_cast<size_t>(from.node * spec_.node.gpus + from.local);
  const size_t b = static_cast<size_t>(to.node * spec_.node.gpus + to.local);
  r.push(gpu_up_[a], links_[gpu_up_[a]]);
  r.push(gpu_down_[b], links_[gpu_down_[b]]);
  if (nvswitch()) {
    ++r.nvlink_segments;
  } else {
    ++r.pcie_segments;
  }
}

int Topology::egress_local(GpuRef src, GpuRef dst) const {
  const int g = spec_.node.gpus;
  const int dst_plane = plane_of(dst.node, nic_of(dst.local));
  if (src.node == dst.node || plane_of(src.node, nic_of(src.local)) == dst_plane) return src.local;
  for (int i = 0; i < g; ++i) {
    const int j = (dst.local + i) % g;
    if (plane_of(src.node, nic_of(j)) == dst_plane) return j;
  }
  FLEETSIM_CHECK(false, "no NIC of the destination's plane on the source node");
  return src.local;
}

int Topology::fabric_switches_between(int node_a, int nic_a, int node_b, int nic_b) const {
  const int la = leaf_of(node_a, nic_a), lb = leaf_of(node_b, nic_b);
  if (la == lb) return 1;
  for (LinkId id : switches_[static_cast<size_t>(leaves_[static_cast<size_t>(la)])].up) {
    if (reaches_down(switch_of_vertex_[links_[id].to], lb)) return 3;
  }
  return 5;
}

Route Topology::route(GpuRef src, GpuRef dst, uint64_t flow_key) const {
  gpu_vertex(src);  // checks both ends
  gpu_vertex(dst);
  Route r;
  if (src == dst) return r;
  if (src.node == dst.node) {
    node_hop(r, src, dst);
    return r;
  }
  const int g = spec_.node.gpus, n = spec_.node.nics;
  const uint64_t hash = mix(mix(static_cast<uint64_t>(src.node * g + src.local) << 32 |
                                static_cast<uint64_t>(dst.node * g + dst.local)) ^ flow_key);
  const int dst_nic = nic_of(dst.local);
  const GpuRef via{src.node, egress_local(src, dst)};
  if (via != src) node_hop(r, src, via);  // PXN
  const int via_nic = nic_of(via.local);
  const size_t gv = static_cast<size_t>(via.node * g + via.local), gd = static_cast<size_t>(dst.node * g + dst.local);
  if (nvswitch()) {
    r.push(gpu_to_nic_[gv], links_[gpu_to_nic_[gv]]);
  } else {
    r.push(gpu_up_[gv], links_[gpu_up_[gv]]);
    const LinkId id = switch_to_nic_[static_cast<size_t>(via.node * n + via_nic)];
    r.push(id, links_[id]);
  }
  fabric_route(r, nic_vertex(via.node, via_nic), nic_vertex(dst.node, dst_nic), hash);
  if (nvswitch()) {
    r.push(nic_to_gpu_[gd], links_[nic_to_gpu_[gd]]);
  } else {
    const LinkId id = nic_to_switch_[static_cast<size_t>(dst.node * n + dst_nic)];
    r.push(id, links_[id]);
    r.push(gpu_down_[gd], links_[gpu_down_[gd]]);
  }
  ++r.scale_out_segments;
  return r;
}

// Counted on the graph: switches by tier, cables by kind (a cable is its upward link), and the
// optics they need: one single-port module per NIC, and twin-port modules on every switch for
// its used ports (two ports per module, rounded up over the fabric as fabric_inventory does).
FabricInventory Topology::inventory() const {
  FabricInventory inv;
  inv.planes = planes_;
  inv.tiers = spec_.fabric == FabricKind::fat_tree_3 ? 3 : 2;
  for (const auto& s : switches_) {
    switch (graph_[s.vertex].kind) {
      case VertexKind::leaf: ++inv.leaf_switches; break;
      case VertexKind::spine: ++inv.spine_switches; break;
      case VertexKind::core: ++inv.core_switches; break;
      default: break;
    }
  }
  inv.switches = inv.leaf_switches + inv.spine_switches + inv.core_switches;
  for (const Link& l : links_) {
    const VertexKind from = graph_[l.from].kind;
    if (l.type == LinkType::nic_leaf && from == VertexKind::nic) ++inv.endpoint_links;
    if ((l.type == LinkType::leaf_spine && from == VertexKind::leaf) ||
        (l.type == LinkType::spine_core && from == VertexKind::spine)) {
      ++inv.switch_links;
    }
  }
  inv.endpoints = inv.endpoint_links;
  for (const auto& s : switches_) inv.switch_ports_used += static_cast<int64_t>(boost::out_degree(s.vertex, graph_));
  inv.nic_transceivers = inv.endpoint_links;
  inv.switch_transceivers = (inv.switch_ports_used + 1) / 2;
  inv.fibres = inv.endpoint_links + inv.switch_links;
  return inv;
}

}  // namespace fleetsim::topo
