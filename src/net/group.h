// A group of GPUs taking part in a collective, in rank order: a DP group, an EP group, a
// pipeline pair. Callers know GPUs as (node, local index); the group keeps them in the order
// they were given and describes its shape (nodes, GPUs per node).
//
//   Group::nodes(0, 8, 8)       // EP64: all 8 GPUs of nodes 0..7, node by node
//   Group::rail(3, 0, 128)      // DP128: GPU 3 of nodes 0..127 (one GPU per node)
//   Group({{0, 5}, {1, 5}})     // a pipeline pair: rank 0 sends to rank 1
#pragma once

#include <span>
#include <vector>

#include "topo/topology.h"

namespace fleetsim::net {

class Group {
 public:
  Group() = default;
  // Members in rank order. Requires at least one member and no GPU twice (FLEETSIM_CHECK).
  explicit Group(std::vector<topo::GpuRef> members);
  // Every GPU of `count` consecutive nodes from `first_node`, node by node.
  static Group nodes(int first_node, int count, int gpus_per_node);
  // GPU `local` of `count` consecutive nodes from `first_node`.
  static Group rail(int local, int first_node, int count);

  size_t size() const { return members_.size(); }
  const topo::GpuRef& operator[](size_t rank) const { return members_[rank]; }
  std::span<const topo::GpuRef> members() const { return members_; }

  // The nodes the group spans, in order of first appearance.
  const std::vector<int>& node_ids() const { return node_ids_; }
  int node_count() const { return static_cast<int>(node_ids_.size()); }
  // Regular: every node has the same set of local indices. Then per_node() is their number and
  // locals() the indices, sorted; per_node() is 0 for an irregular group.
  bool regular() const { return per_node_ > 0; }
  int per_node() const { return per_node_; }
  const std::vector<int>& locals() const { return locals_; }
  // Node by node: regular, and rank r is on node_ids()[r / per_node()].
  bool node_major() const { return node_major_; }

  // Throws core::InputError when a member is not a GPU of the topology.
  void check_in(const topo::Topology& topology) const;

 private:
  std::vector<topo::GpuRef> members_;
  std::vector<int> node_ids_;
  std::vector<int> locals_;
  int per_node_ = 0;
  bool node_major_ = false;
};

}  // namespace fleetsim::net
