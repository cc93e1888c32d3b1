// Topology graphs: their counts against the closed-form inventory, and their routes against
// Boost's breadth-first search (shortest paths) and the layout rules of topology.h.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <set>

#include "core/error.h"
#include "support/catalogs.h"
#include "topo/topology.h"

using namespace fleetsim;
using topo::FabricKind;
using topo::GpuRef;

namespace {

topo::Topology build(const std::string& node, int nodes, FabricKind kind, double o = 1.0, int planes = 0,
                     const std::string& sw = "qm9700") {
  return topo::Topology(topo::topology_spec(test::shipped_catalogs().hardware, node, nodes, kind, sw, o, planes));
}

void check_same(const topo::FabricInventory& graph, const topo::FabricInventory& closed) {
  CHECK(graph.endpoints == closed.endpoints);
  CHECK(graph.planes == closed.planes);
  CHECK(graph.tiers == closed.tiers);
  CHECK(graph.leaf_switches == closed.leaf_switches);
  CHECK(graph.spine_switches == closed.spine_switches);
  CHECK(graph.core_switches == closed.core_switches);
  CHECK(graph.switches == closed.switches);
  CHECK(graph.endpoint_links == closed.endpoint_links);
  CHECK(graph.switch_links == closed.switch_links);
  CHECK(graph.switch_ports_used == closed.switch_ports_used);
  CHECK(graph.nic_transceivers == closed.nic_transceivers);
  CHECK(graph.switch_transceivers == closed.switch_transceivers);
  CHECK(graph.fibres == closed.fibres);
}

// The route is a chain of links from the source GPU to the destination GPU.
void check_chain(const topo::Topology& t, const topo::Route& r, GpuRef src, GpuRef dst) {
  REQUIRE(r.hops > 0);
  CHECK(t.link(r.links[0]).from == t.gpu_vertex(src));
  CHECK(t.link(r.links[r.hops - 1]).to == t.gpu_vertex(dst));
  for (int i = 1; i < r.hops; ++i) CHECK(t.link(r.links[i - 1]).to == t.link(r.links[i]).from);
}

// Fabric hops between two NICs: BFS on the graph restricted to NICs and fabric switches.
int fabric_distance(const topo::Topology& t, topo::VertexId a, topo::VertexId b) {
  const auto& g = t.graph();
  auto in_fabric = [&g](topo::VertexId v) {
    const auto k = g[v].kind;
    return k == topo::VertexKind::nic || k == topo::VertexKind::leaf || k == topo::VertexKind::spine ||
           k == topo::VertexKind::core;
  };
  boost::filtered_graph<topo::Graph, boost::keep_all, std::function<bool(topo::VertexId)>> fabric(
      g, boost::keep_all(), in_fabric);
  std::vector<int> dist(boost::num_vertices(g), -1);
  dist[a] = 0;
  boost::breadth_first_search(
      fabric, a,
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(
          boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)), boost::on_tree_edge()))));
  return dist[b];
}

}  // namespace

TEST_CASE("2,048 H800 endpoints of 64-port switches in two tiers: 64 leaves + 32 spines, as the closed form") {
  const auto t = build("hgx-h800", 256, FabricKind::rail_fat_tree);
  const auto inv = t.inventory();
  CHECK(inv.leaf_switches == 64);
  CHECK(inv.spine_switches == 32);
  CHECK(t.gpu_count() == 2048);
  check_same(inv, topo::fabric_inventory(FabricKind::rail_fat_tree, 2048, 64));
}

TEST_CASE("graph counts equal fabric_inventory for many sizes, kinds and oversubscriptions") {
  int checked = 0;
  for (FabricKind kind : {FabricKind::rail_fat_tree, FabricKind::multiplane_fat_tree, FabricKind::fat_tree_3}) {
    for (double o : {1.0, 3.0}) {
      for (int nodes : {1, 2, 3, 5, 8, 13, 16, 31, 64, 100, 256}) {
        for (const char* sw : {"qm9700", "qm8700"}) {
          const auto& spec = *test::shipped_catalogs().hardware.switches.find(sw);
          const int64_t e = static_cast<int64_t>(nodes) * 8;
          const int planes = kind == FabricKind::multiplane_fat_tree ? 8 : 1;
          if (e > topo::max_endpoints(kind, spec.ports, o, planes)) continue;
          INFO(topo::fabric_kind_name(kind) << " o=" << o << " nodes=" << nodes << " switch=" << sw);
          const auto t = build("hgx-h800", nodes, kind, o, 0, sw);
          check_same(t.inventory(), topo::fabric_inventory(kind, e, spec.ports, o, planes));
          ++checked;
        }
      }
    }
  }
  // Multi-plane with fewer planes than NICs, and a PCIe node with one NIC.
  check_same(build("hgx-h800", 40, FabricKind::multiplane_fat_tree, 1.0, 4).inventory(),
             topo::fabric_inventory(FabricKind::multiplane_fat_tree, 320, 64, 1.0, 4));
  check_same(build("fire-flyer-2", 100, FabricKind::rail_fat_tree, 1.0, 0, "qm8700").inventory(),
             topo::fabric_inventory(FabricKind::rail_fat_tree, 100, 40));
  CHECK(checked > 80);
}

TEST_CASE("routes inside a node take one NVLink hop through the NVSwitch") {
  const auto t = build("hgx-h800", 2, FabricKind::rail_fat_tree);
  const auto r = t.route({0, 1}, {0, 6});
  check_chain(t, r, {0, 1}, {0, 6});
  CHECK(r.hops == 2);
  CHECK(r.nvlink_segments == 1);
  CHECK(r.scale_out_segments == 0);
  for (auto id : r.span()) {
    CHECK(t.link(id).type == topo::LinkType::nvlink);
    CHECK(t.link(id).bw_bytes_per_s == 200e9);  // H800: 400 GB/s bidirectional
  }
  CHECK(t.route({0, 3}, {0, 3}).hops == 0);
}

TEST_CASE("rail-aligned traffic stays under one leaf; other traffic climbs to a spine") {
  // 8 nodes: rail i's 8 NICs sit on leaf i / 4 (32 ports down per leaf).
  const auto t = build("hgx-h800", 8, FabricKind::rail_fat_tree);
  const auto same_rail = t.route({0, 2}, {5, 2});
  check_chain(t, same_rail, {0, 2}, {5, 2});
  CHECK(same_rail.hops == 4);  // GPU -> NIC -> leaf -> NIC -> GPU
  CHECK(same_rail.fabric_switches == 1);
  CHECK(same_rail.scale_out_segments == 1);
  const auto cross = t.route({0, 2}, {5, 6});  // rail 2 on leaf 0, rail 6 on leaf 1
  check_chain(t, cross, {0, 2}, {5, 6});
  CHECK(cross.hops == 6);
  CHECK(cross.fabric_switches == 3);
  CHECK(cross.latency_s == Catch::Approx(3 * 150e-9));  // leaf, spine, leaf: port-to-port each
}

TEST_CASE("multi-plane: traffic to another plane crosses NVLink on the source node first (PXN)") {
  const auto t = build("hgx-h800", 16, FabricKind::multiplane_fat_tree);
  CHECK(t.planes() == 8);
  CHECK(t.plane_of(3, 5) == 5);
  const auto r = t.route({0, 1}, {9, 4});
  check_chain(t, r, {0, 1}, {9, 4});
  CHECK(r.nvlink_segments == 1);
  CHECK(r.scale_out_segments == 1);
  CHECK(t.link(r.links[1]).to == t.gpu_vertex({0, 4}));  // forwarded by the GPU of plane 4
  const auto same_plane = t.route({0, 4}, {9, 4});
  CHECK(same_plane.nvlink_segments == 0);
  // Every switch on the way belongs to the destination's plane.
  for (auto id : r.span()) {
    const auto& v = t.graph()[t.link(id).to];
    if (v.kind == topo::VertexKind::leaf || v.kind == topo::VertexKind::spine) CHECK(v.plane == 4);
  }
}

TEST_CASE("every fabric route is a shortest path (Boost BFS), on every fabric kind") {
  for (FabricKind kind : {FabricKind::rail_fat_tree, FabricKind::multiplane_fat_tree, FabricKind::fat_tree_3}) {
    // 300 nodes x 8 NICs on 40-port switches: two tiers hold 800 per plane, three hold 8,000.
    const int nodes = kind == FabricKind::rail_fat_tree ? 100 : 300;
    const auto t = build("hgx-h800", nodes, kind, 1.0, 0, "qm8700");
    for (int a = 0; a < nodes; a += 37) {
      for (int b = 0; b < nodes; b += 23) {
        if (a == b) continue;
        for (int i : {0, 3, 7}) {
          const GpuRef src{a, i}, dst{b, (i * 5) % 8};
          const auto r = t.route(src, dst, static_cast<uint64_t>(a * 1000 + b));
          check_chain(t, r, src, dst);
          // NIC to NIC: the links after the GPU -> NIC hop(s), up to the NIC -> GPU hop.
          const int first = r.nvlink_segments ? 2 : 0;
          const auto from = t.link(r.links[first]).to, to = t.link(r.links[r.hops - 1]).from;
          INFO(topo::fabric_kind_name(kind) << " " << a << "." << i << " -> " << b << "." << dst.local);
          CHECK(r.fabric_switches + 1 == fabric_distance(t, from, to));
        }
      }
    }
  }
}

TEST_CASE("ECMP: one pair of leaves, many flow keys, many spines; the same key, the same route") {
  const auto t = build("hgx-h800", 64, FabricKind::rail_fat_tree);  // 512 endpoints: 16 leaves, 8 spines
  std::set<topo::LinkId> uplinks;
  for (uint64_t key = 0; key < 64; ++key) {
    const auto r = t.route({0, 0}, {60, 7}, key);
    REQUIRE(r.fabric_switches == 3);
    uplinks.insert(r.links[2]);  // leaf -> spine
    CHECK(t.route({0, 0}, {60, 7}, key).links == r.links);
  }
  CHECK(uplinks.size() >= 20);  // 32 uplinks to choose from; 64 keys spread over most
}

TEST_CASE("a PCIe node: GPUs share a PCIe switch and one NIC") {
  const auto t = build("fire-flyer-2", 4, FabricKind::rail_fat_tree, 1.0, 0, "qm8700");
  const auto in_node = t.route({1, 0}, {1, 5});
  CHECK(in_node.pcie_segments == 1);
  CHECK(t.link(in_node.links[0]).type == topo::LinkType::pcie);
  const auto across = t.route({1, 0}, {2, 5});
  check_chain(t, across, {1, 0}, {2, 5});
  CHECK(across.hops == 6);  // GPU -> PCIe switch -> NIC -> leaf, then leaf -> NIC -> PCIe switch -> GPU
}

TEST_CASE("impossible clusters are input errors") {
  const auto& hw = test::shipped_catalogs().hardware;
  CHECK_THROWS_AS(topo::Topology(topo::topology_spec(hw, "hgx-h800", 0, FabricKind::rail_fat_tree)), core::InputError);
  CHECK_THROWS_WITH(topo::Topology(topo::topology_spec(hw, "hgx-h800", 257, FabricKind::rail_fat_tree)),
                    Catch::Matchers::ContainsSubstring("at most 2048 endpoints"));
  CHECK_THROWS_WITH(topo::topology_spec(hw, "hgx-h80", 4, FabricKind::rail_fat_tree),
                    Catch::Matchers::ContainsSubstring("did you mean") && Catch::Matchers::ContainsSubstring("'hgx-h800'"));
  CHECK_THROWS_WITH(topo::Topology(topo::topology_spec(hw, "hgx-h800", 4, FabricKind::multiplane_fat_tree, "qm9700",
                                                       1.0, 16)),
                    Catch::Matchers::ContainsSubstring("every node needs a NIC in every plane"));
  // The multi-plane fabric lifts the two-tier limit: 2,048 nodes of 8 GPUs on 8 planes.
  CHECK(topo::Topology(topo::topology_spec(hw, "hgx-h800", 2048, FabricKind::multiplane_fat_tree)).gpu_count() ==
        16384);
}
