#include "scenario/cluster_spec.h"

namespace fleetsim::scenario {

const core::Schema<FabricSpec>& fabric_schema() {
  static const auto s =
      core::Schema<FabricSpec>("fabric", "The scale-out network between nodes (InfiniBand or RoCE).")
          .provenance(&FabricSpec::provenance)
          .choice("kind", &FabricSpec::kind, topo::kFabricKinds.options(),
                  "Topology: rail-optimised two-tier, multi-plane two-tier (DeepSeek MPFT), or three-tier.",
                  FabricKind::rail_fat_tree)
          .text("switch", &FabricSpec::switch_id, "Switch id from the hardware catalog.", std::string("qm9700"))
          .number("oversubscription", &FabricSpec::oversubscription,
                  "Leaf downlink to uplink bandwidth ratio; 1 is non-blocking.", core::at_least(1), 1.0)
          .integer("planes", &FabricSpec::planes, "Multi-plane: independent planes; 0 = one per NIC of a node.",
                   core::at_least(0), 0);
  return s;
}

const core::Schema<ClusterSpec>& cluster_schema() {
  static const auto s = core::Schema<ClusterSpec>("cluster", "Nodes of one kind joined by a fabric.")
                            .provenance(&ClusterSpec::provenance)
                            .text("node", &ClusterSpec::node, "Node id from the hardware catalog (hgx-h800).")
                            .integer("nodes", &ClusterSpec::nodes, "Number of nodes.", core::at_least(1))
                            .object("fabric", &ClusterSpec::fabric, fabric_schema(), "Scale-out network.", false);
  return s;
}

}  // namespace fleetsim::scenario
