// A cluster: how many nodes of which kind, and the fabric that joins them.
#pragma once

#include <string>

#include "core/schema.h"

namespace fleetsim::scenario {

enum class FabricKind {
  rail_fat_tree,        // rail-optimised two-tier fat tree: NIC i of every node on leaf group i
  multiplane_fat_tree,  // DeepSeek's MPFT: one independent two-tier fat tree per NIC index
  fat_tree_3,           // three-tier fat tree
};

struct FabricSpec {
  FabricKind kind = FabricKind::rail_fat_tree;
  std::string switch_id = "qm9700";  // SwitchSpec id
  double oversubscription = 1.0;     // leaf downlink : uplink bandwidth (1 = non-blocking)
  int planes = 0;                    // multiplane: independent planes; 0 = one per NIC of a node
  core::Provenance provenance;
};

struct ClusterSpec {
  std::string node;  // NodeSpec id
  int nodes = 0;
  FabricSpec fabric;
  core::Provenance provenance;
};

std::string_view fabric_kind_name(FabricKind k);

const core::Schema<FabricSpec>& fabric_schema();
const core::Schema<ClusterSpec>& cluster_schema();

}  // namespace fleetsim::scenario
