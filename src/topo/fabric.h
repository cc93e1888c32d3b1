// Scale-out fabrics between nodes and what they are made of: how many switches in each tier,
// links, transceivers and fibres a fabric of E endpoints needs. Closed forms for fat trees of
// radix-k switches (Al-Fares et al. 2008; NVIDIA rail-optimised reference designs; DeepSeek's
// multi-plane fat tree, ISCA'25). The topology graphs built for simulation (topo/graph) are
// checked against these counts.
//
// Two-tier, non-blocking: a leaf gives k/2 ports down and k/2 up; L = ceil(E / (k/2)) leaves,
// S = ceil(L (k/2) / k) spines; at most k^2/2 endpoints. With oversubscription o (down:up), a
// leaf has d = round(k o / (o + 1)) ports down and k - d up.
// Worked number: E = 2,048, k = 64: 64 leaves + 32 spines = 96 switches, 2,048 leaf-spine links
// (ISCA'25 Table 3, FT2).
// Multi-plane: P independent two-tier fabrics of E/P endpoints each: 16,384 endpoints in 8
// planes = 8 x 96 = 768 switches, 16,384 switch links (ISCA'25 MPFT).
// Three-tier: leaves and aggregation switches in pods, a core layer: at most k^3/4 endpoints;
// 65,536 endpoints of k = 64: 2,048 + 2,048 + 1,024 = 5,120 switches, 131,072 switch links
// (ISCA'25 FT3).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/feasibility.h"
#include "core/names.h"

namespace fleetsim::topo {

enum class FabricKind {
  rail_fat_tree,        // rail-optimised two-tier fat tree: NIC i of every node on the leaves of rail i
  multiplane_fat_tree,  // one independent two-tier fat tree per plane (NIC index)
  fat_tree_3,           // three-tier fat tree
};

// The names of fabric kinds, in scenario files and on the command line.
inline constexpr core::NameTable<FabricKind, 3> kFabricKinds({{FabricKind::rail_fat_tree, "rail-fat-tree"},
                                                              {FabricKind::multiplane_fat_tree, "multiplane-fat-tree"},
                                                              {FabricKind::fat_tree_3, "fat-tree-3"}});

inline std::string_view fabric_kind_name(FabricKind k) { return kFabricKinds.name_of(k); }

struct FabricInventory {
  int64_t endpoints = 0;        // NIC ports attached
  int planes = 1;
  int tiers = 2;
  int64_t leaf_switches = 0;
  int64_t spine_switches = 0;   // aggregation switches in a three-tier fabric
  int64_t core_switches = 0;    // three-tier only
  int64_t switches = 0;
  int64_t endpoint_links = 0;   // NIC to leaf
  int64_t switch_links = 0;     // leaf to spine (and spine to core)
  int64_t switch_ports_used = 0;
  int64_t nic_transceivers = 0;     // one single-port module per NIC port
  int64_t switch_transceivers = 0;  // twin-port modules: two switch ports each
  int64_t fibres = 0;               // one per link
};

// Why one fabric of this kind cannot join `endpoints` (no location or field): none given (kind
// input), or more than it can hold (kind capacity): two tiers of k-port switches reach k^2/2
// endpoints per plane, three tiers k^3/4. nullopt when it can.
std::optional<core::Infeasibility> check_fabric(FabricKind kind, int64_t endpoints, int switch_ports,
                                                double oversubscription = 1.0, int planes = 1);

// Throws core::InputError (no location) for what check_fabric reports.
FabricInventory fabric_inventory(FabricKind kind, int64_t endpoints, int switch_ports, double oversubscription = 1.0,
                                 int planes = 1);

// Ports of a leaf facing down (to endpoints) with oversubscription o = down : up:
// round(k o / (o + 1)), at least 1 and at most k - 1. 32 of 64 when non-blocking.
int leaf_down_ports(int switch_ports, double oversubscription);

// The most endpoints a fabric of this kind can join.
int64_t max_endpoints(FabricKind kind, int switch_ports, double oversubscription = 1.0, int planes = 1);

}  // namespace fleetsim::topo
