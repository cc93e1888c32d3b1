#include "maxmin/system.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace fleetsim::maxmin {

namespace {

// Min-heap on level, ties broken by id so that a solve is a function of its input.
bool later(const auto& a, const auto& b) { return a.level > b.level || (a.level == b.level && a.id > b.id); }

template <class Item>
void heap_push(std::vector<Item>& heap, Item item) {
  heap.push_back(item);
  std::push_heap(heap.begin(), heap.end(), [](const Item& a, const Item& b) { return later(a, b); });
}

template <class Item>
Item heap_pop(std::vector<Item>& heap) {
  std::pop_heap(heap.begin(), heap.end(), [](const Item& a, const Item& b) { return later(a, b); });
  Item top = heap.back();
  heap.pop_back();
  return top;
}

}  // namespace

LinkId System::add_link(double capacity) {
  FLEETSIM_CHECK(capacity >= 0 && std::isfinite(capacity), "a link capacity must be finite and >= 0");
  FLEETSIM_CHECK(links_.size() < std::numeric_limits<LinkId>::max(), "too many links");
  links_.emplace_back();
  links_.back().capacity = capacity;
  return static_cast<LinkId>(links_.size() - 1);
}

void System::set_capacity(LinkId link, double capacity) {
  FLEETSIM_CHECK(link < links_.size(), "unknown link");
  FLEETSIM_CHECK(capacity >= 0 && std::isfinite(capacity), "a link capacity must be finite and >= 0");
  links_[link].capacity = capacity;
  mark_dirty_link(link);
}

void System::mark_dirty_link(LinkId link) { dirty_links_.push_back(link); }

FlowId System::add_flow(std::span<const Use> uses, double weight, double bound) {
  FLEETSIM_CHECK(weight > 0 && std::isfinite(weight), "a flow weight must be finite and > 0");
  FLEETSIM_CHECK(bound > 0, "a flow bound must be > 0 (kUnbounded for none)");
  FLEETSIM_CHECK(uses_.size() + uses.size() < std::numeric_limits<uint32_t>::max(), "too many flow uses");
  FlowId id;
  if (!free_flows_.empty()) {
    id = free_flows_.back();
    free_flows_.pop_back();
  } else {
    FLEETSIM_CHECK(flows_.size() < std::numeric_limits<FlowId>::max(), "too many flows");
    id = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
  }
  FlowRec& f = flows_[id];
  f = FlowRec{};
  f.weight = weight;
  f.bound = bound;
  f.first_use = static_cast<uint32_t>(uses_.size());
  f.use_count = static_cast<uint32_t>(uses.size());
  f.alive = true;
  for (uint32_t k = 0; k < uses.size(); ++k) {
    const Use& u = uses[k];
    FLEETSIM_CHECK(u.link < links_.size(), "a flow uses an unknown link");
    FLEETSIM_CHECK(u.coefficient > 0 && std::isfinite(u.coefficient), "a use coefficient must be finite and > 0");
    for (uint32_t j = 0; j < k; ++j) FLEETSIM_CHECK(uses[j].link != u.link, "a flow lists a link twice");
    auto& members = links_[u.link].members;
    uses_.push_back({u.link, static_cast<uint32_t>(members.size()), u.coefficient});
    members.push_back({id, k});
  }
  ++live_flows_;
  live_uses_ += uses.size();
  dirty_flows_.push_back(id);
  return id;
}

void System::remove_flow(FlowId id) {
  FLEETSIM_CHECK(alive(id), "removing a flow that is not in the system");
  FlowRec& f = flows_[id];
  for (uint32_t k = 0; k < f.use_count; ++k) {
    const UseRec& u = uses_[f.first_use + k];
    auto& members = links_[u.link].members;
    // Swap-remove, and tell the moved member's use where it now is.
    const Member moved = members.back();
    members[u.position] = moved;
    uses_[flows_[moved.flow].first_use + moved.use].position = u.position;
    members.pop_back();
    mark_dirty_link(u.link);
  }
  live_uses_ -= f.use_count;
  f.alive = false;
  f.rate = 0;
  f.use_count = 0;
  --live_flows_;
  free_flows_.push_back(id);
  if (uses_.size() > 1024 && uses_.size() > 2 * live_uses_) compact_uses();
}

void System::compact_uses() {
  std::vector<UseRec> packed;
  packed.reserve(live_uses_ + live_uses_ / 2);
  for (auto& f : flows_) {
    if (!f.alive) continue;
    const uint32_t first = static_cast<uint32_t>(packed.size());
    packed.insert(packed.end(), uses_.begin() + f.first_use, uses_.begin() + f.first_use + f.use_count);
    f.first_use = first;
  }
  uses_ = std::move(packed);
}

double System::load(LinkId link) const {
  double sum = 0;
  for (const Member& m : links_[link].members) {
    const FlowRec& f = flows_[m.flow];
    sum += uses_[f.first_use + m.use].coefficient * f.rate;
  }
  return sum;
}

void System::solve() {
  component_flows_.clear();
  component_links_.clear();
  if (dirty_flows_.empty() && dirty_links_.empty()) return;
  if (incremental_) {
    collect(true);
    fill_component();
    if (held_flows_fair()) {
      ++partial_solves_;
      dirty_flows_.clear();
      dirty_links_.clear();
      return;
    }
    component_flows_.clear();
    component_links_.clear();
  }
  ++component_solves_;
  collect(false);
  dirty_flows_.clear();
  dirty_links_.clear();
  fill_component();
}

void System::next_stamp() {
  if (++stamp_ == 0) {  // wrapped: clear the old marks once every 4 billion solves
    for (auto& l : links_) l.stamp = 0;
    for (auto& f : flows_) f.stamp = 0;
    stamp_ = 1;
  }
}

// From the dirty flows and links, through links to their flows and from flows to all their links,
// until nothing is added. bottlenecks_only: a link leads only to the flows it fixed in the last
// solve (their bottleneck), which gives the affected subgraph; otherwise to all its flows, which
// gives the connected component.
void System::collect(bool bottlenecks_only) {
  next_stamp();
  stack_.clear();
  auto visit_link = [&](LinkId l) {
    if (links_[l].stamp == stamp_) return;
    links_[l].stamp = stamp_;
    component_links_.push_back(l);
    stack_.push_back(l);
  };
  auto visit_flow = [&](FlowId id) {
    FlowRec& f = flows_[id];
    if (!f.alive || f.stamp == stamp_) return;
    f.stamp = stamp_;
    component_flows_.push_back(id);
    for (uint32_t k = 0; k < f.use_count; ++k) visit_link(uses_[f.first_use + k].link);
  };
  for (FlowId id : dirty_flows_) visit_flow(id);
  for (LinkId l : dirty_links_) visit_link(l);
  while (!stack_.empty()) {
    const LinkId l = stack_.back();
    stack_.pop_back();
    for (const Member& m : links_[l].members) {
      if (!bottlenecks_only || flows_[m.flow].bottleneck == l) visit_flow(m.flow);
    }
  }
}

// After a sub-solve: no link of the subgraph is over its capacity (a lowered capacity under held
// flows alone), and no held flow (outside the subgraph) on a link that saturated is above that
// link's level, so each held flow's rate may stay (see the header).
bool System::held_flows_fair() const {
  for (LinkId l : component_links_) {
    const LinkRec& link = links_[l];
    if (link.remaining < -kRelativeEpsilon * link.capacity) return false;
    if (link.saturated_at == kUnbounded) continue;
    const double limit = link.saturated_at * (1 + kRelativeEpsilon);
    for (const Member& m : link.members) {
      const FlowRec& f = flows_[m.flow];
      if (f.stamp != stamp_ && f.rate > f.weight * limit) return false;
    }
  }
  return true;
}

double System::saturation_level(LinkRec& link) {
  if (link.weight_sum <= 0) {
    // Rounding has eaten the sum while flows remain: recompute it exactly.
    link.weight_sum = 0;
    for (const Member& m : link.members) {
      const FlowRec& f = flows_[m.flow];
      if (!f.fixed) link.weight_sum += uses_[f.first_use + m.use].coefficient * f.weight;
    }
  }
  return std::max(0.0, link.remaining) / link.weight_sum;
}

void System::fix(FlowId id, double rate) {
  FlowRec& f = flows_[id];
  f.fixed = true;
  f.rate = rate;
  for (uint32_t k = 0; k < f.use_count; ++k) {
    const UseRec& u = uses_[f.first_use + k];
    LinkRec& l = links_[u.link];
    l.remaining -= u.coefficient * rate;
    l.weight_sum -= u.coefficient * f.weight;
    --l.unfixed;
  }
}

// Weighted progressive filling over the current component (see the header).
void System::fill_component() {
  link_heap_.clear();
  bound_heap_.clear();
  for (LinkId l : component_links_) {
    LinkRec& link = links_[l];
    link.remaining = link.capacity;
    link.weight_sum = 0;
    link.unfixed = 0;
    link.saturated_at = kUnbounded;
    // A flow outside the solved set (held: only in a sub-solve) keeps its rate and its share.
    for (const Member& m : link.members) {
      const FlowRec& f = flows_[m.flow];
      if (f.stamp != stamp_) link.remaining -= uses_[f.first_use + m.use].coefficient * f.rate;
    }
  }
  for (FlowId id : component_flows_) {
    FlowRec& f = flows_[id];
    f.fixed = false;
    f.rate = 0;
    f.bottleneck = kNoLink;
    for (uint32_t k = 0; k < f.use_count; ++k) {
      const UseRec& u = uses_[f.first_use + k];
      links_[u.link].weight_sum += u.coefficient * f.weight;
      ++links_[u.link].unfixed;
    }
    if (f.bound < kUnbounded) {
      bound_heap_.push_back({f.bound / f.weight, id});
    } else if (f.use_count == 0) {
      f.fixed = true;
      f.rate = kUnbounded;
    }
  }
  std::make_heap(bound_heap_.begin(), bound_heap_.end(), [](const auto& a, const auto& b) { return later(a, b); });
  for (LinkId l : component_links_) {
    LinkRec& link = links_[l];
    if (link.unfixed > 0) link_heap_.push_back({link.remaining / link.weight_sum, l});
  }
  std::make_heap(link_heap_.begin(), link_heap_.end(), [](const auto& a, const auto& b) { return later(a, b); });

  double level = 0;
  for (;;) {
    while (!bound_heap_.empty() && flows_[bound_heap_.front().id].fixed) heap_pop(bound_heap_);
    while (!link_heap_.empty() && links_[link_heap_.front().id].unfixed == 0) heap_pop(link_heap_);
    if (bound_heap_.empty() && link_heap_.empty()) break;
    const bool bound_first =
        !bound_heap_.empty() && (link_heap_.empty() || bound_heap_.front().level <= link_heap_.front().level);
    if (bound_first) {
      const HeapItem b = heap_pop(bound_heap_);
      level = std::max(level, b.level);
      fix(b.id, flows_[b.id].bound);
      continue;
    }
    const HeapItem top = heap_pop(link_heap_);
    LinkRec& link = links_[top.id];
    const double current = saturation_level(link);
    if (current > top.level * (1 + kRelativeEpsilon) && current > level * (1 + kRelativeEpsilon)) {
      heap_push(link_heap_, {current, top.id});  // the key was stale: flows elsewhere were fixed
      continue;
    }
    level = std::max(level, std::min(current, top.level));
    link.saturated_at = level;
    // A flow at its bound level or below would be fixed by the bound first: ties go to bounds.
    for (size_t i = 0; i < link.members.size(); ++i) {
      const FlowId id = link.members[i].flow;
      FlowRec& f = flows_[id];
      if (f.fixed) continue;
      fix(id, std::min(f.weight * level, f.bound));
      f.bottleneck = top.id;
    }
  }
}

size_t System::memory_bytes() const {
  size_t bytes = sizeof(*this) + links_.capacity() * sizeof(LinkRec) + flows_.capacity() * sizeof(FlowRec) +
                 uses_.capacity() * sizeof(UseRec) + free_flows_.capacity() * sizeof(FlowId) +
                 (dirty_flows_.capacity() + component_flows_.capacity()) * sizeof(FlowId) +
                 (dirty_links_.capacity() + component_links_.capacity() + stack_.capacity()) * sizeof(LinkId) +
                 (link_heap_.capacity() + bound_heap_.capacity()) * sizeof(HeapItem);
  for (const auto& l : links_) bytes += l.members.capacity() * sizeof(Member);
  return bytes;
}

}  // namespace fleetsim::maxmin
