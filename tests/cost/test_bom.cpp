// Bills of materials against counts worked by hand (topo/fabric.h has the closed forms).
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "cost/bom.h"
#include "tiny_fleet.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

namespace {

const cost::BomLine& line(const cost::Bom& b, const std::string& item) {
  for (const auto& l : b.lines) {
    if (l.item == item) return l;
  }
  FAIL("no BOM line " << item);
  return b.lines.front();
}

}  // namespace

TEST_CASE("2,048 endpoints in a two-tier fat tree of 64-port switches: 96 switches") {
  // 256 HGX H100 nodes x 8 NICs. k = 64: 2,048 / 32 = 64 leaves, 64 x 32 uplinks / 64 = 32
  // spines. Switch ports used: 2,048 + 2 x 2,048 = 6,144 = 3,072 twin-port modules.
  const auto s = test::tiny_fleet({"fleet.tranches[0].node=hgx-h100", "fleet.tranches[0].nodes=256"});
  const auto bom = cost::build_bom(s);
  CHECK(line(bom, "switch qm9700").quantity == 96);
  CHECK(line(bom, "NIC-side module osfp-400g").quantity == 2048);
  CHECK(line(bom, "switch-side module osfp-800g-twin").quantity == 3072);
  CHECK(line(bom, "fibre mpo-fibre-30m").quantity == 4096);
  CHECK(line(bom, "server hgx-h100").quantity == 256);
  // NICs are inside the server price: listed, at no extra cost.
  const auto& nics = line(bom, "NIC cx7-400g");
  CHECK(nics.quantity == 2048);
  CHECK(nics.usd() == 0);
  CHECK_THAT(nics.note, ContainsSubstring("inside the server price"));
  REQUIRE(bom.fabrics.size() == 1);
  CHECK(bom.fabrics[0].inventory.leaf_switches == 64);
  CHECK(bom.fabrics[0].inventory.spine_switches == 32);
}

TEST_CASE("DeepSeek's multi-plane fat tree: 16,384 GPUs in 8 planes of 96 switches") {
  const auto s = test::tiny_fleet({"fleet.tranches[0].node=hgx-h800", "fleet.tranches[0].nodes=2048",
                                   "fleet.tranches[0].fabric.kind=multiplane-fat-tree"});
  const auto bom = cost::build_bom(s);
  CHECK(line(bom, "switch qm9700").quantity == 768);  // ISCA'25 MPFT
  CHECK(bom.fabrics[0].inventory.planes == 8);       // one plane per NIC of a node
}

TEST_CASE("clusters split a tranche into independent fabrics") {
  // 3,750 H20 nodes = 30,000 NIC ports: more than one 8-plane fabric (16,384) holds. Two
  // clusters of 15,000 = 8 planes of 1,875: 59 leaves + 30 spines = 89 switches a plane.
  const std::vector<std::string> base = {"fleet.tranches[0].node=hgx-h20", "fleet.tranches[0].nodes=3750",
                                         "fleet.tranches[0].fabric.kind=multiplane-fat-tree"};
  auto sets = base;
  sets.push_back("fleet.tranches[0].clusters=2");
  const auto two = cost::build_bom(test::tiny_fleet(sets));
  CHECK(line(two, "switch qm9700").quantity == 2 * 8 * 89);
  CHECK(two.fabrics[0].clusters == 2);
  sets = base;
  sets.push_back("fleet.tranches[0].clusters=0");  // as few as hold it: the same two
  const auto autos = cost::build_bom(test::tiny_fleet(sets));
  CHECK(autos.fabrics[0].clusters == 2);
  CHECK(line(autos, "switch qm9700").quantity == 1424);
  // Checked before it is built: kind capacity, for the largest cluster, and for more clusters
  // than endpoints.
  const auto why = cost::check_clustered_fabric(topo::FabricKind::multiplane_fat_tree, 30000, 64, 1.0, 8, 1);
  REQUIRE(why.has_value());
  CHECK(why->kind == core::Infeasible::capacity);
  CHECK_THAT(why->message, ContainsSubstring("at most 16384 endpoints"));
  CHECK_FALSE(cost::check_clustered_fabric(topo::FabricKind::multiplane_fat_tree, 30000, 64, 1.0, 8, 2).has_value());
  const auto crowded = cost::check_clustered_fabric(topo::FabricKind::rail_fat_tree, 4, 64, 1.0, 1, 5);
  REQUIRE(crowded.has_value());
  CHECK(crowded->kind == core::Infeasible::capacity);
  CHECK(crowded->message == "5 clusters for 4 endpoints: a cluster needs at least one");
  // One cluster cannot hold it: an input error at the tranche, with the way out.
  try {
    cost::build_bom(test::tiny_fleet(base));
    FAIL("accepted 30,000 endpoints in one multi-plane fabric");
  } catch (const core::InputError& e) {
    CHECK(e.field() == "fleet.tranches[0]");
    CHECK(e.where().file == "tiny.yaml");
    CHECK(e.where().line == 19);  // the tranche
    CHECK_THAT(e.message(), ContainsSubstring("at most 16384 endpoints"));
    CHECK_THAT(e.message(), ContainsSubstring("clusters"));
  }
}

TEST_CASE("storage on a tranche's fabric adds its NIC ports; single-port optics take one port each") {
  // Fire-Flyer 2: 1,250 nodes x 1 NIC + 180 storage nodes x 2 = 1,610 ports on 40-port
  // switches (at most 40 x 20 = 800 a fabric): 3 fabrics of 537, 537, 536 ports, each
  // ceil(537 / 20) = 27 leaves and ceil(27 x 20 / 40) = 14 spines: 3 x 41 = 123 switches.
  const auto s = test::shipped_scenario("deepseek-fleet");
  const auto bom = cost::build_bom(s);
  const auto& ff2 = bom.fabrics.at(0);
  CHECK(ff2.group == "A100 (Fire-Flyer 2, 2021)");
  CHECK(ff2.inventory.endpoints == 1610);
  CHECK(ff2.clusters == 3);
  CHECK(ff2.inventory.switches == 123);
  CHECK(ff2.switch_modules == ff2.inventory.switch_ports_used);
  // The storage nodes themselves are a line of their own purchase.
  CHECK(line(bom, "storage node 3FS (Fire-Flyer 2)").quantity == 180);
  CHECK(line(bom, "storage node 3FS (Fire-Flyer 2)").group == "3FS (Fire-Flyer 2)");
}

TEST_CASE("prices keep their sources; a tranche's node_price replaces the catalog's") {
  const auto s = test::shipped_scenario("deepseek-fleet");
  const auto bom = cost::build_bom(s);
  const auto& sw = line(bom, "switch qm9700");
  CHECK(sw.price_estimate);
  CHECK(sw.price_key == "hardware.switches.qm9700.price");
  const auto& h100 = line(bom, "server hgx-h100");
  CHECK_THAT(h100.price_source, ContainsSubstring("2024-02"));
  CHECK(h100.unit_price.typical_usd == 270480);
  const auto priced = cost::build_bom(test::tiny_fleet({"fleet.tranches[0].node_price=$80,000"}));
  const auto& server = line(priced, "server tiny-node");
  CHECK(server.unit_price.typical_usd == 80000);
  CHECK(server.price_key == "fleet.tranches[0].node_price");
  CHECK(server.price_source == "--set fleet.tranches[0].node_price=$80,000");
}

TEST_CASE("the default scenario's fleet is the deepseek-fleet scenario's") {
  const auto a = test::shipped_scenario("deepseek");
  const auto b = test::shipped_scenario("deepseek-fleet");
  REQUIRE(a.fleet);
  REQUIRE(b.fleet);
  CHECK(scenario::fleet_schema().emit(*a.fleet, core::EmitMode::json) ==
        scenario::fleet_schema().emit(*b.fleet, core::EmitMode::json));
}
