// Building the cluster graph: nodes first (GPUs, node switch, NICs), then the fabric between
// NICs, then the tables that routing reads. See topology.h for the layout rules.
#include "topo/topology.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/text.h"

namespace fleetsim::topo {

namespace {

template <class T>
const T& find_or_fail(const hw::Table<T>& table, std::string_view id) {
  if (const T* t = table.find(id)) return *t;
  const auto known = table.ids();
  throw core::InputError(fmt::format("unknown {} '{}'{}; known: {}", table.kind(), id, core::did_you_mean(id, known),
                                     core::join(known, ", ")));
}

int ceil_div(int64_t a, int64_t b) { return static_cast<int>((a + b - 1) / b); }

void check_spec(const TopologySpec& s) {
  if (s.nodes < 1) throw core::InputError(fmt::format("a cluster needs at least one node ({} given)", s.nodes));
  if (s.node.gpus < 1) throw core::InputError(fmt::format("node '{}' has no GPUs", s.node.id));
  if (s.node.nics < 1) throw core::InputError(fmt::format("node '{}' has no compute NIC", s.node.id));
  if (s.node.intra_node == hw::IntraNodeFabric::nvswitch && s.gpu.nvlink_bw_per_direction() <= 0) {
    throw core::InputError(fmt::format("node '{}' joins its GPUs by NVSwitch, but GPU '{}' has no NVLink bandwidth",
                                       s.node.id, s.gpu.id));
  }
  if (s.gpu.pcie_bw_bytes_per_s <= 0) throw core::InputError(fmt::format("GPU '{}' has no PCIe bandwidth", s.gpu.id));
  if (s.nic.bw_bytes_per_s <= 0) throw core::InputError(fmt::format("NIC '{}' has no bandwidth", s.nic.id));
  if (s.fabric_switch.ports < 2 || s.fabric_switch.port_bw_bytes_per_s <= 0) {
    throw core::InputError(fmt::format("switch '{}' needs at least 2 ports and a port bandwidth", s.fabric_switch.id));
  }
  if (s.oversubscription < 1) throw core::InputError("oversubscription must be >= 1 (1 is non-blocking)");
  if (s.planes < 0) throw core::InputError("planes must be >= 0 (0: one per NIC of a node)");
  if (s.fabric == FabricKind::multiplane_fat_tree && s.planes > s.node.nics) {
    throw core::InputError(fmt::format("{} planes but {} NICs per node: every node needs a NIC in every plane",
                                       s.planes, s.node.nics));
  }
}

}  // namespace

TopologySpec topology_spec(const hw::HardwareCatalog& catalog, std::string_view node_id, int nodes,
                           FabricKind fabric, std::string_view switch_id, double oversubscription, int planes) {
  TopologySpec s;
  s.node = find_or_fail(catalog.nodes, node_id);
  s.gpu = catalog.gpu_of(s.node);
  s.nic = find_or_fail(catalog.nics, s.node.nic);
  s.fabric_switch = find_or_fail(catalog.switches, switch_id);
  s.nodes = nodes;
  s.fabric = fabric;
  s.oversubscription = oversubscription;
  s.planes = planes;
  return s;
}

void Route::push(LinkId id, const Link& link) {
  FLEETSIM_CHECK(hops < kMaxHops, "a route is longer than kMaxHops");
  links[hops++] = id;
  latency_s += link.latency_s;
}

Topology::Topology(const TopologySpec& spec) : spec_(spec) {
  check_spec(spec_);
  planes_ = spec_.fabric == FabricKind::multiplane_fat_tree ? (spec_.planes > 0 ? spec_.planes : spec_.node.nics) : 1;
  // The closed form checks that the fabric can hold the endpoints (InputError otherwise).
  fabric_inventory(spec_.fabric, static_cast<int64_t>(spec_.nodes) * spec_.node.nics, spec_.fabric_switch.ports,
                   spec_.oversubscription, planes_);
  down_ports_ = leaf_down_ports(spec_.fabric_switch.ports, spec_.oversubscription);
  build_nodes();
  build_fabric();
  index_routes();
}

VertexId Topology::add_vertex(Vertex v) {
  const VertexId id = static_cast<VertexId>(boost::add_vertex(v, graph_));
  switch_of_vertex_.push_back(-1);
  return id;
}

LinkId Topology::add_link(VertexId from, VertexId to, LinkType type, double bw, double latency) {
  const LinkId id = static_cast<LinkId>(links_.size());
  links_.push_back({from, to, type, bw, latency});
  boost::add_edge(from, to, EdgeProps{id}, graph_);
  return id;
}

// A cable: a link each way. A link leaving a fabric switch carries its port-to-port latency.
void Topology::add_cable(VertexId a, VertexId b, LinkType type, double bw) {
  auto latency_from = [&](VertexId v) {
    const VertexKind k = graph_[v].kind;
    const bool fabric = k == VertexKind::leaf || k == VertexKind::spine || k == VertexKind::core;
    return fabric ? spec_.fabric_switch.latency_s : 0.0;
  };
  add_link(a, b, type, bw, latency_from(a));
  add_link(b, a, type, bw, latency_from(b));
}

void Topology::build_nodes() {
  const int g = spec_.node.gpus, n = spec_.node.nics;
  const bool nvs = nvswitch();
  const double nvlink = spec_.gpu.nvlink_bw_per_direction();
  const double pcie = spec_.gpu.pcie_bw_bytes_per_s / 2;  // per direction
  for (int node = 0; node < spec_.nodes; ++node) {
    const VertexId sw = add_vertex({nvs ? VertexKind::nvswitch : VertexKind::pcie_switch, node, 0, 0});
    node_switch_.push_back(sw);
    for (int i = 0; i < g; ++i) {
      const VertexId v = add_vertex({VertexKind::gpu, node, i, 0});
      gpu_vertices_.push_back(v);
      gpu_up_.push_back(add_link(v, sw, nvs ? LinkType::nvlink : LinkType::pcie, nvs ? nvlink : pcie, 0));
      gpu_down_.push_back(add_link(sw, v, nvs ? LinkType::nvlink : LinkType::pcie, nvs ? nvlink : pcie, 0));
    }
    for (int j = 0; j < n; ++j) {
      const VertexId v = add_vertex({VertexKind::nic, node, j, 0});
      nic_vertices_.push_back(v);
      if (!nvs) {
        switch_to_nic_.push_back(add_link(sw, v, LinkType::pcie, pcie, 0));
        nic_to_switch_.push_back(add_link(v, sw, LinkType::pcie, pcie, 0));
      }
    }
    if (nvs) {
      for (int i = 0; i < g; ++i) {
        const VertexId gv = gpu_vertices_[static_cast<size_t>(node * g + i)];
        const VertexId nv = nic_vertices_[static_cast<size_t>(node * n + nic_of(i))];
        gpu_to_nic_.push_back(add_link(gv, nv, LinkType::pcie, pcie, 0));
        nic_to_gpu_.push_back(add_link(nv, gv, LinkType::pcie, pcie, 0));
      }
    }
  }
  const size_t nics = nic_vertices_.size();
  nic_up_.assign(nics, 0);
  nic_down_.assign(nics, 0);
  nic_leaf_.assign(nics, -1);
  nic_plane_.assign(nics, 0);
}

int Topology::add_switch(VertexKind kind, int tier, int plane) {
  const int index = switches_of_kind_[static_cast<size_t>(kind)]++;
  const VertexId v = add_vertex({kind, -1, index, plane});
  switch_of_vertex_[v] = static_cast<int>(switches_.size());
  switches_.push_back({v, tier, {}, {}});
  if (kind == VertexKind::leaf) leaves_.push_back(static_cast<int>(switches_.size() - 1));
  return static_cast<int>(switches_.size() - 1);
}

// Endpoint e (a global NIC index) on leaf `leaf` (a global leaf index).
void Topology::attach(int endpoint, int leaf) {
  const int sw = leaves_[static_cast<size_t>(leaf)];
  const VertexId nic = nic_vertices_[static_cast<size_t>(endpoint)];
  const double bw = std::min(spec_.nic.bw_bytes_per_s, spec_.fabric_switch.port_bw_bytes_per_s);
  const size_t first = links_.size();
  add_cable(nic, switches_[static_cast<size_t>(sw)].vertex, LinkType::nic_leaf, bw);
  nic_up_[static_cast<size_t>(endpoint)] = static_cast<LinkId>(first);
  nic_down_[static_cast<size_t>(endpoint)] = static_cast<LinkId>(first + 1);
  nic_leaf_[static_cast<size_t>(endpoint)] = leaf;
}

// One two-tier fat tree over the endpoints, in placement order; returns the number of leaves.
int Topology::add_two_tier(const std::vector<int>& endpoints, int plane) {
  const int k = spec_.fabric_switch.ports, d = down_ports_, up = k - d;
  const int leaves = ceil_div(static_cast<int64_t>(endpoints.size()), d);
  const int spines = ceil_div(static_cast<int64_t>(leaves) * up, k);
  const int first_leaf = static_cast<int>(leaves_.size());
  std::vector<int> leaf_sw, spine_sw;
  for (int l = 0; l < leaves; ++l) leaf_sw.push_back(add_switch(VertexKind::leaf, 0, plane));
  for (int s = 0; s < spines; ++s) spine_sw.push_back(add_switch(VertexKind::spine, 1, plane));
  for (size_t i = 0; i < endpoints.size(); ++i) {
    attach(endpoints[i], first_leaf + static_cast<int>(i) / d);
    nic_plane_[static_cast<size_t>(endpoints[i])] = plane;
    graph_[nic_vertices_[static_cast<size_t>(endpoints[i])]].plane = plane;
  }
  for (int l = 0; l < leaves; ++l) {
    for (int u = 0; u < up; ++u) {
      const int s = static_cast<int>((static_cast<int64_t>(l) * up + u) % spines);
      add_cable(switches_[static_cast<size_t>(leaf_sw[static_cast<size_t>(l)])].vertex,
                switches_[static_cast<size_t>(spine_sw[static_cast<size_t>(s)])].vertex, LinkType::leaf_spine,
                spec_.fabric_switch.port_bw_bytes_per_s);
    }
  }
  return leaves;
}

// Pods of k/2 leaves with enough aggregation switches for their uplinks, and a core taking half
// of every aggregation switch's ports (the counts of fabric_inventory).
void Topology::build_three_tier(const std::vector<int>& endpoints) {
  const int k = spec_.fabric_switch.ports, d = down_ports_, up = k - d, half = k / 2;
  const int leaves = ceil_div(static_cast<int64_t>(endpoints.size()), d);
  std::vector<int> leaf_sw, agg_sw;
  for (int l = 0; l < leaves; ++l) leaf_sw.push_back(add_switch(VertexKind::leaf, 0, 0));
  for (size_t i = 0; i < endpoints.size(); ++i) attach(endpoints[i], static_cast<int>(i) / d);
  const double bw = spec_.fabric_switch.port_bw_bytes_per_s;
  for (int first = 0; first < leaves; first += half) {
    const int in_pod = std::min(half, leaves - first);
    const int aggs = ceil_div(static_cast<int64_t>(in_pod) * up, half);
    const size_t first_agg = agg_sw.size();
    for (int a = 0; a < aggs; ++a) agg_sw.push_back(add_switch(VertexKind::spine, 1, 0));
    for (int l = 0; l < in_pod; ++l) {
      for (int u = 0; u < up; ++u) {
        const size_t a = first_agg + static_cast<size_t>((l * up + u) % aggs);
        add_cable(switches_[static_cast<size_t>(leaf_sw[static_cast<size_t>(first + l)])].vertex,
                  switches_[static_cast<size_t>(agg_sw[a])].vertex, LinkType::leaf_spine, bw);
      }
    }
  }
  const int cores = ceil_div(static_cast<int64_t>(agg_sw.size()) * half, k);
  std::vector<int> core_sw;
  for (int c = 0; c < cores; ++c) core_sw.push_back(add_switch(VertexKind::core, 2, 0));
  for (size_t a = 0; a < agg_sw.size(); ++a) {
    for (int u = 0; u < half; ++u) {
      const size_t c = (a * static_cast<size_t>(half) + static_cast<size_t>(u)) % static_cast<size_t>(cores);
      add_cable(switches_[static_cast<size_t>(agg_sw[a])].vertex, switches_[static_cast<size_t>(core_sw[c])].vertex,
                LinkType::spine_core, bw);
    }
  }
}

void Topology::build_fabric() {
  const int nodes = spec_.nodes, nics = spec_.node.nics;
  std::vector<int> order;
  switch (spec_.fabric) {
    case FabricKind::rail_fat_tree:
    case FabricKind::fat_tree_3:
      // Rail by rail: NIC i of every node, then NIC i + 1.
      for (int j = 0; j < nics; ++j) {
        for (int node = 0; node < nodes; ++node) order.push_back(node * nics + j);
      }
      if (spec_.fabric == FabricKind::rail_fat_tree) {
        add_two_tier(order, 0);
      } else {
        build_three_tier(order);
      }
      break;
    case FabricKind::multiplane_fat_tree:
      for (int p = 0; p < planes_; ++p) {
        order.clear();
        for (int e = p; e < nodes * nics; e += planes_) order.push_back(e);
        if (!order.empty()) add_two_tier(order, p);
      }
      break;
  }
}

VertexId Topology::gpu_vertex(GpuRef g) const {
  FLEETSIM_CHECK(g.node >= 0 && g.node < spec_.nodes && g.local >= 0 && g.local < spec_.node.gpus,
                 fmt::format("no GPU ({}, {}) in a cluster of {} nodes of {} GPUs", g.node, g.local, spec_.nodes,
                             spec_.node.gpus));
  return gpu_vertices_[static_cast<size_t>(g.node * spec_.node.gpus + g.local)];
}

VertexId Topology::nic_vertex(int node, int nic) const { return nic_vertices_[static_cast<size_t>(node * spec_.node.nics + nic)]; }

int Topology::nic_of(int local_gpu) const {
  return static_cast<int>(static_cast<int64_t>(local_gpu) * spec_.node.nics / spec_.node.gpus);
}

int Topology::plane_of(int node, int nic) const { return nic_plane_[static_cast<size_t>(node * spec_.node.nics + nic)]; }

int Topology::leaf_of(int node, int nic) const { return nic_leaf_[static_cast<size_t>(node * spec_.node.nics + nic)]; }

}  // namespace fleetsim::topo
