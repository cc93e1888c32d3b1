#include "topo/fabric.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/error.h"

namespace fleetsim::topo {

int leaf_down_ports(int k, double o) {
  return static_cast<int>(std::clamp<int64_t>(std::llround(k * o / (o + 1.0)), 1, k - 1));
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t down_ports(int k, double o) { return leaf_down_ports(k, o); }

void finish(FabricInventory& inv) {
  inv.switches = inv.leaf_switches + inv.spine_switches + inv.core_switches;
  inv.switch_ports_used = inv.endpoint_links + 2 * inv.switch_links;
  inv.nic_transceivers = inv.endpoint_links;
  inv.switch_transceivers = ceil_div(inv.switch_ports_used, 2);
  inv.fibres = inv.endpoint_links + inv.switch_links;
}

// One two-tier fat tree of e endpoints.
FabricInventory two_tier(int64_t e, int k, double o) {
  FabricInventory inv;
  const int64_t down = down_ports(k, o), up = k - down;
  inv.endpoints = e;
  inv.leaf_switches = ceil_div(e, down);
  inv.switch_links = inv.leaf_switches * up;
  inv.spine_switches = ceil_div(inv.switch_links, k);
  inv.endpoint_links = e;
  return inv;
}

}  // namespace

int64_t max_endpoints(FabricKind kind, int k, double o, int planes) {
  const int64_t down = down_ports(k, o);
  // Two tiers: a full fabric has one link from every leaf to every spine; a spine's k ports
  // then reach k leaves, each with `down` endpoints.
  const int64_t two = static_cast<int64_t>(k) * down;
  switch (kind) {
    case FabricKind::rail_fat_tree: return two;
    case FabricKind::multiplane_fat_tree: return two * planes;
    // Three tiers: k pods of k/2 leaves, each leaf with `down` endpoints (k^3/4 when non-blocking).
    case FabricKind::fat_tree_3: return static_cast<int64_t>(k) * k * down / 2;
  }
  return 0;
}

std::optional<core::Infeasibility> check_fabric(FabricKind kind, int64_t endpoints, int k, double o, int planes) {
  FLEETSIM_CHECK(k >= 2 && o >= 1.0 && planes >= 1, "check_fabric needs k >= 2, o >= 1, planes >= 1");
  core::Infeasibility why;
  if (endpoints <= 0) {
    why.kind = core::Infeasible::input;
    why.message = "a fabric needs at least one endpoint";
    return why;
  }
  const int64_t limit = max_endpoints(kind, k, o, planes);
  if (endpoints > limit) {
    why.kind = core::Infeasible::capacity;
    why.message = fmt::format(
        "a {} of {}-port switches joins at most {} endpoints (oversubscription {}, {} plane(s)); {} requested: "
        "use more planes, a three-tier fabric, or oversubscribe",
        fabric_kind_name(kind), k, limit, o, planes, endpoints);
    return why;
  }
  return std::nullopt;
}

FabricInventory fabric_inventory(FabricKind kind, int64_t endpoints, int k, double o, int planes) {
  FLEETSIM_CHECK(k >= 2 && o >= 1.0 && planes >= 1, "fabric_inventory needs k >= 2, o >= 1, planes >= 1");
  if (auto why = check_fabric(kind, endpoints, k, o, planes)) core::raise(*why);
  FabricInventory inv;
  switch (kind) {
    case FabricKind::rail_fat_tree:
      // Rails assign each leaf to one NIC index; the counts are those of a two-tier fat tree.
      inv = two_tier(endpoints, k, o);
      break;
    case FabricKind::multiplane_fat_tree: {
      // Endpoints are spread over the planes as evenly as they divide.
      for (int p = 0; p < planes; ++p) {
        const int64_t e = endpoints / planes + (p < endpoints % planes ? 1 : 0);
        if (e == 0) continue;
        FabricInventory one = two_tier(e, k, o);
        inv.leaf_switches += one.leaf_switches;
        inv.spine_switches += one.spine_switches;
        inv.switch_links += one.switch_links;
        inv.endpoint_links += one.endpoint_links;
      }
      inv.endpoints = endpoints;
      inv.planes = planes;
      break;
    }
    case FabricKind::fat_tree_3: {
      const int64_t down = down_ports(k, o), up = k - down;
      inv.tiers = 3;
      inv.endpoints = endpoints;
      inv.endpoint_links = endpoints;
      inv.leaf_switches = ceil_div(endpoints, down);
      // Aggregation mirrors the leaves' uplinks (non-blocking above the leaves); the core takes
      // half of the aggregation ports.
      const int64_t leaf_up_links = inv.leaf_switches * up;
      inv.spine_switches = ceil_div(leaf_up_links, k / 2);
      const int64_t agg_up_links = inv.spine_switches * (k / 2);
      inv.core_switches = ceil_div(agg_up_links, k);
      inv.switch_links = leaf_up_links + agg_up_links;
      break;
    }
  }
  finish(inv);
  return inv;
}

}  // namespace fleetsim::topo
