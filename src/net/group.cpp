#include "net/group.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.h"

namespace fleetsim::net {

Group::Group(std::vector<topo::GpuRef> members) : members_(std::move(members)) {
  FLEETSIM_CHECK(!members_.empty(), "a group needs at least one GPU");
  std::set<topo::GpuRef> seen(members_.begin(), members_.end());
  FLEETSIM_CHECK(seen.size() == members_.size(), "a GPU appears twice in a group");
  std::map<int, std::vector<int>> by_node;
  for (const auto& g : members_) {
    if (!by_node.count(g.node)) node_ids_.push_back(g.node);
    by_node[g.node].push_back(g.local);
  }
  std::vector<int> first = by_node.begin()->second;
  std::sort(first.begin(), first.end());
  bool regular = true;
  for (auto& [node, locals] : by_node) {
    std::sort(locals.begin(), locals.end());
    regular = regular && locals == first;
  }
  if (regular) {
    locals_ = first;
    per_node_ = static_cast<int>(first.size());
    node_major_ = true;
    for (size_t r = 0; r < members_.size(); ++r) {
      node_major_ = node_major_ && members_[r].node == node_ids_[r / static_cast<size_t>(per_node_)];
    }
  }
}

Group Group::nodes(int first_node, int count, int gpus_per_node) {
  std::vector<topo::GpuRef> m;
  for (int n = first_node; n < first_node + count; ++n) {
    for (int i = 0; i < gpus_per_node; ++i) m.push_back({n, i});
  }
  return Group(std::move(m));
}

Group Group::rail(int local, int first_node, int count) {
  std::vector<topo::GpuRef> m;
  for (int n = first_node; n < first_node + count; ++n) m.push_back({n, local});
  return Group(std::move(m));
}

void Group::check_in(const topo::Topology& t) const {
  for (const auto& g : members_) {
    if (g.node < 0 || g.node >= t.nodes() || g.local < 0 || g.local >= t.gpus_per_node()) {
      throw core::InputError(fmt::format("GPU ({}, {}) is not in the cluster ({} nodes of {} GPUs)", g.node, g.local,
                                         t.nodes(), t.gpus_per_node()));
    }
  }
}

}  // namespace fleetsim::net
