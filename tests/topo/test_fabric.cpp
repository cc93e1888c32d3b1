// Fabric inventories against hand counts and ISCA'25 Table 3.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "core/error.h"
#include "topo/fabric.h"

using namespace fleetsim;
using topo::FabricKind;

TEST_CASE("2,048 endpoints on 64-port switches in two tiers: 64 leaves + 32 spines") {
  auto inv = topo::fabric_inventory(FabricKind::rail_fat_tree, 2048, 64);
  CHECK(inv.leaf_switches == 64);
  CHECK(inv.spine_switches == 32);
  CHECK(inv.switches == 96);
  CHECK(inv.switch_links == 2048);  // ISCA'25 Table 3 FT2: 96 switches, 2,048 links
  CHECK(inv.endpoint_links == 2048);
  CHECK(inv.nic_transceivers == 2048);
  CHECK(inv.switch_transceivers == (2048 + 2 * 2048) / 2);  // twin-port modules
  CHECK(inv.fibres == 4096);
}

TEST_CASE("multi-plane: 16,384 endpoints in 8 planes of two tiers") {
  auto inv = topo::fabric_inventory(FabricKind::multiplane_fat_tree, 16384, 64, 1.0, 8);
  CHECK(inv.switches == 768);        // ISCA'25 MPFT
  CHECK(inv.switch_links == 16384);
  CHECK(inv.planes == 8);
  CHECK(topo::max_endpoints(FabricKind::multiplane_fat_tree, 64, 1.0, 8) == 16384);
}

TEST_CASE("three tiers: 65,536 endpoints of 64-port switches") {
  auto inv = topo::fabric_inventory(FabricKind::fat_tree_3, 65536, 64);
  CHECK(inv.leaf_switches == 2048);
  CHECK(inv.spine_switches == 2048);
  CHECK(inv.core_switches == 1024);
  CHECK(inv.switches == 5120);       // ISCA'25 FT3
  CHECK(inv.switch_links == 131072);
}

TEST_CASE("oversubscription trades uplinks for endpoints") {
  // 3:1 on 64 ports: 48 down, 16 up.
  auto inv = topo::fabric_inventory(FabricKind::rail_fat_tree, 3072, 64, 3.0);
  CHECK(inv.leaf_switches == 64);
  CHECK(inv.switch_links == 64 * 16);
  CHECK(inv.spine_switches == 16);
  CHECK(topo::max_endpoints(FabricKind::rail_fat_tree, 64, 3.0) == 3072);
}

TEST_CASE("small fabrics round up; too many endpoints is an input error") {
  auto inv = topo::fabric_inventory(FabricKind::rail_fat_tree, 100, 64);
  CHECK(inv.leaf_switches == 4);  // ceil(100 / 32)
  CHECK(inv.spine_switches == 2); // 4 x 32 uplinks over 64-port spines
  CHECK_THROWS_WITH(topo::fabric_inventory(FabricKind::rail_fat_tree, 2049, 64),
                    Catch::Matchers::ContainsSubstring("at most 2048 endpoints"));
  CHECK_THROWS_AS(topo::fabric_inventory(FabricKind::rail_fat_tree, 0, 64), core::InputError);
}

TEST_CASE("switch counts never fall as endpoints grow") {
  for (auto kind : {FabricKind::rail_fat_tree, FabricKind::fat_tree_3}) {
    int64_t prev = 0;
    for (int64_t e = 1; e <= 2048; e += 37) {
      auto inv = topo::fabric_inventory(kind, e, 64);
      CHECK(inv.switches >= prev);
      prev = inv.switches;
      // Ports are conserved: every used switch port is an endpoint link or an end of a switch link.
      CHECK(inv.switch_ports_used == inv.endpoint_links + 2 * inv.switch_links);
      CHECK(inv.switch_ports_used <= inv.switches * 64);
    }
  }
}
