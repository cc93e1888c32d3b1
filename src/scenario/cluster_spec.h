// A cluster: how many nodes of which kind, and the fabric that joins them.
#pragma once

#include <string>

#include "core/schema.h"
#include "topo/fabric.h"

namespace fleetsim::scenario {

using topo::FabricKind;

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

const core::Schema<FabricSpec>& fabric_schema();
const core::Schema<ClusterSpec>& cluster_schema();

}  // namespace fleetsim::scenario
