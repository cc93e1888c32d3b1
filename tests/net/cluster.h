// Clusters built from the shipped catalogs and calibration, for the net tests.
#pragma once

#include <string>

#include "calib/table.h"
#include "net/comm_costs.h"
#include "support/catalogs.h"
#include "topo/topology.h"

namespace fleetsim::test {

inline topo::Topology cluster(const std::string& node, int nodes,
                              topo::FabricKind kind = topo::FabricKind::multiplane_fat_tree, double o = 1.0,
                              const std::string& sw = "qm9700") {
  return topo::Topology(topo::topology_spec(shipped_catalogs().hardware, node, nodes, kind, sw, o));
}

// The shipped calibration of a GPU (H800's table; defaults for the others).
inline net::CommCosts calibrated(const std::string& gpu) {
  static const auto set = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
  return net::CommCosts(set.for_gpu(*shipped_catalogs().hardware.gpus.find(gpu)).comm);
}

}  // namespace fleetsim::test
