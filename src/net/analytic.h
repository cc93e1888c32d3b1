// The analytic fidelity: the time of a collective in closed form (alpha-beta with the calibrated
// bandwidths of net/comm_costs.h), microseconds per call, for screening many configurations. It
// prices the same patterns as collective.h, on a group with the same GPUs on every node:
//
//   t = steps x alpha + max over resources of (bytes through the resource) / (rate x f(message))
//
// where a resource's flows start when their route latency is paid (NVLink inside a node, the
// fabric across nodes, both for a PXN hop): its time is the latest start plus the bytes of the
// flows starting no earlier.
// The resources are those of one node, loaded by the pattern's traffic between its members
// (intra) and to members of other nodes (inter): a GPU's NVLink port (or PCIe port on a PCIe
// node), its PCIe link to the NIC, the NIC, and on an oversubscribed fabric the uplinks of each
// leaf (ECMP taken as perfect; above the leaves a fat tree is non-blocking by construction).
// Symmetric, uncontended collectives agree
// with the event fidelity within a few percent (tests/net/test_fidelity.cpp); contention between
// collectives, ECMP collisions and uneven MoE routing are the event fidelity's to see.
//
// Worked number: ring all-reduce of S = 1 GiB over 2 H800 nodes (n = 16, C = 8 channels of
// S/8): each ring flow carries X = 2 x 15/16 x S/8 = 251.7 MB in 30 steps. Every GPU sends 7 of
// its 8 channels over NVLink (7X = 1.762 GB at 200 GB/s x 0.68: 12.95 ms) and one through its
// NIC (X at 50 GB/s x 0.87: 5.79 ms): NVLink binds; t = 30 x 3.33 us + 12.95 ms = 13.05 ms.
#pragma once

#include <string>

#include "net/collective.h"

namespace fleetsim::net {

struct AnalyticEstimate {
  double time_s = 0;
  double latency_s = 0;    // time not spent moving the bottleneck's bytes: latencies, late arrivals
  double bottleneck_s = 0;  // the largest of the resource times below
  std::string bottleneck;  // "gpu_port", "gpu_to_nic", "nic", "leaf_uplinks", or "none"
  double gpu_port_s = 0;   // NVLink (PCIe on a PCIe node) port of the busiest GPU
  double gpu_to_nic_s = 0;  // PCIe link between a GPU and its NIC
  double nic_s = 0;
  double leaf_uplinks_s = 0;
};

class AnalyticModel {
 public:
  // Keeps a reference to the topology.
  AnalyticModel(const topo::Topology& topology, CommCosts costs);

  // Throws core::InputError when the group is not regular (the same GPUs of every node), or
  // for the cases plan_collective rejects.
  AnalyticEstimate estimate(const CollectiveSpec& spec) const;

 private:
  const topo::Topology& topology_;
  CommCosts costs_;
};

}  // namespace fleetsim::net
