// The bill of materials of a fleet: GPU servers by tranche, the compute fabric each tranche
// needs (switches, transceivers, fibres counted by topo::fabric_inventory), and storage nodes.
//
//   servers:  nodes x server price (catalog typical, or the tranche's node_price)
//   NICs:     nodes x NICs per node, inside the server price (listed at $0 so they are visible)
//   network:  switches x switch price + NIC ports x NIC-side module + switch ports used / ports
//             per module x switch-side module + links x fibre
//   storage:  storage nodes x node price (drives and NICs included)
// A tranche's fabric joins its nodes' compute NICs and the NIC ports of storage that names it;
// with `clusters` > 1 those endpoints are split evenly into independent fabrics. Worked number:
// 256 HGX nodes x 8 NICs = 2,048 endpoints on 64-port switches in two tiers: 64 leaves + 32
// spines = 96 switches, 2,048 NIC modules, (2,048 + 2 x 2,048) / 2 = 3,072 twin-port modules,
// 4,096 fibres.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/feasibility.h"
#include "core/names.h"
#include "hw/specs.h"
#include "scenario/scenario.h"
#include "topo/fabric.h"

namespace fleetsim::cost {

// Where money goes. The first four are capital, the rest operating costs.
enum class Category { servers, network, storage, facility, energy, colocation, maintenance, staff, software, transit };
inline constexpr size_t kCategories = 10;
inline constexpr std::array<Category, kCategories> kAllCategories = {
    Category::servers,    Category::network,     Category::storage, Category::facility, Category::energy,
    Category::colocation, Category::maintenance, Category::staff,   Category::software, Category::transit};
inline constexpr core::NameTable<Category, kCategories> kCategoryNames({{Category::servers, "servers"},
                                                                       {Category::network, "network"},
                                                                       {Category::storage, "storage"},
                                                                       {Category::facility, "facility"},
                                                                       {Category::energy, "energy"},
                                                                       {Category::colocation, "colocation"},
                                                                       {Category::maintenance, "maintenance"},
                                                                       {Category::staff, "staff"},
                                                                       {Category::software, "software"},
                                                                       {Category::transit, "transit"}});
inline std::string_view category_name(Category c) { return kCategoryNames.name_of(c); }
bool is_capex(Category c);
inline size_t index_of(Category c) { return static_cast<size_t>(c); }

struct BomLine {
  std::string group;             // the purchase it belongs to (tranche or storage name)
  Category category = Category::servers;  // servers, network or storage
  std::string item;              // "server hgx-h800", "switch qm9700", "fibre mpo-fibre-30m"
  std::string id;                // catalog id, or the storage name
  double quantity = 0;
  hw::PriceRange unit_price;     // typical is used; low and high bound the sensitivity
  std::string price_key;         // the input that sets the price ("hardware.switches.qm9700.price")
  std::string price_source;
  bool price_estimate = false;
  double unit_power_w = 0;       // at full load; 0 when it is inside another line (NICs in servers)
  bool load_dependent = false;   // GPU servers: draw follows the power model
  double unit_idle_power_w = 0;  // load-dependent lines: catalog idle power; 0 = the fleet's idle share
  std::string note;

  double usd() const { return quantity * unit_price.typical_usd; }
};

// The fabric of one tranche, summed over its clusters.
struct FabricCount {
  std::string group;
  topo::FabricKind kind = topo::FabricKind::rail_fat_tree;
  std::string switch_id;
  int clusters = 1;
  topo::FabricInventory inventory;  // summed over the clusters
  int64_t switch_modules = 0;       // switch-side modules: ports used / ports per module, per cluster
};

struct Bom {
  std::vector<BomLine> lines;
  std::vector<FabricCount> fabrics;
};

// Why `endpoints` cannot be split evenly into `clusters` independent fabrics of the kind (0
// clusters: as few as one fabric of the kind can hold), or nullopt when they can. Kind capacity
// (no location or field): more clusters than endpoints, or a cluster too big for the kind (the
// largest, which has ceil(endpoints / clusters), decides).
std::optional<core::Infeasibility> check_clustered_fabric(topo::FabricKind kind, int64_t endpoints, int switch_ports,
                                                          double oversubscription, int planes, int clusters);
// Each cluster's inventory. Throws core::InputError (no location) for what check_clustered_fabric
// reports.
std::vector<topo::FabricInventory> clustered_fabric(topo::FabricKind kind, int64_t endpoints, int switch_ports,
                                                    double oversubscription, int planes, int clusters);

// The bill of materials of the scenario's fleet (which must be present). A fabric that cannot
// hold its tranche is a core::InputError at the tranche (file, line, field).
Bom build_bom(const scenario::Scenario& s);

}  // namespace fleetsim::cost
