#include "net/flow_network.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace fleetsim::net {

namespace {
bool later(const auto& a, const auto& b) { return a.when > b.when; }
}  // namespace

FlowNetwork::FlowNetwork(sim::Engine& engine, const topo::Topology& topology, CommCosts costs)
    : engine_(engine), topology_(topology), costs_(std::move(costs)) {
  for (const auto& l : topology_.links()) system_.add_link(l.bw_bytes_per_s);
  link_bytes_.assign(topology_.link_count(), 0.0);
}

TransferId FlowNetwork::transfer(topo::GpuRef src, topo::GpuRef dst, double bytes, sim::Action on_done,
                                 const TransferOptions& options) {
  FLEETSIM_CHECK(bytes >= 0 && std::isfinite(bytes), "a transfer moves a finite number of bytes >= 0");
  FLEETSIM_CHECK(options.latency_steps >= 1, "a transfer pays its latency at least once");
  FLEETSIM_CHECK(options.weight > 0 && options.max_rate_bytes_per_s > 0, "a transfer needs a weight and rate > 0");
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(transfers_.size());
    transfers_.emplace_back();
  }
  Transfer& t = transfers_[slot];
  t.id = next_id_++;
  t.src = src;
  t.dst = dst;
  t.route = topology_.route(src, dst, options.ecmp_key ? options.ecmp_key : t.id);
  t.bytes = bytes;
  t.remaining = bytes;
  t.rate = 0;
  t.options = options;
  t.on_done = std::move(on_done);
  t.start = engine_.now();
  t.live = true;
  ++active_;
  const double latency =
      options.latency_steps * costs_.route_latency_s(t.route, topology_.spec().fabric_switch.latency_s);
  engine_.after(sim::ceil_ns(latency), [this, slot] { activate(slot); });
  return t.id;
}

void FlowNetwork::activate(uint32_t slot) {
  Transfer& t = transfers_[slot];
  t.first_byte = engine_.now();
  t.updated = engine_.now();
  if (t.bytes == 0 || t.route.hops == 0) {
    finish(slot);
    return;
  }
  uses_.clear();
  const double message = t.options.message_bytes > 0 ? t.options.message_bytes : t.bytes;
  for (topo::LinkId id : t.route.span()) {
    uses_.push_back({id, 1.0 / costs_.efficiency(topology_.link(id).type, message)});
  }
  t.flow = system_.add_flow(uses_, t.options.weight, t.options.max_rate_bytes_per_s);
  if (slot_of_flow_.size() <= t.flow) slot_of_flow_.resize(t.flow + 1);
  slot_of_flow_[t.flow] = slot;
  request_solve();
}

void FlowNetwork::request_solve() {
  if (solve_pending_) return;
  solve_pending_ = true;
  engine_.at(engine_.now(), [this] { solve(); }, sim::kLate);
}

void FlowNetwork::solve() {
  solve_pending_ = false;
  system_.solve();
  ++solves_;
  const sim::Time now = engine_.now();
  for (maxmin::FlowId f : system_.last_solved()) {
    const uint32_t slot = slot_of_flow_[f];
    Transfer& t = transfers_[slot];
    const double rate = system_.rate(f);
    // A flow whose rate did not change keeps its predicted end (and its place in the heap): in
    // an all-to-all most flows are bottlenecked away from the one that ended.
    if (rate == t.rate) continue;
    t.remaining -= t.rate * sim::to_seconds(now - t.updated);  // at the old rate, until now
    t.updated = now;
    t.rate = rate;
    ++t.version;
    push_completion(slot);
  }
  schedule_wake();
}

void FlowNetwork::push_completion(uint32_t slot) {
  const Transfer& t = transfers_[slot];
  if (t.rate <= 0) return;  // stalled (a link of zero capacity): no end until rates change
  const sim::Time when = t.updated + (t.remaining > 0 ? sim::ceil_ns(t.remaining / t.rate) : 0);
  completions_.push_back({when, slot, t.version});
  std::push_heap(completions_.begin(), completions_.end(), [](const auto& a, const auto& b) { return later(a, b); });
}

void FlowNetwork::schedule_wake() {
  auto stale = [&](const Completion& c) {
    const Transfer& t = transfers_[c.slot];
    return !t.live || t.version != c.version;
  };
  // Stale predictions pile up under churn: rebuild the heap when they outnumber live flows.
  if (completions_.size() > 1024 && completions_.size() > 4 * active_) {
    std::erase_if(completions_, stale);
    std::make_heap(completions_.begin(), completions_.end(), [](const auto& a, const auto& b) { return later(a, b); });
  }
  while (!completions_.empty() && stale(completions_.front())) {
    std::pop_heap(completions_.begin(), completions_.end(), [](const auto& a, const auto& b) { return later(a, b); });
    completions_.pop_back();
  }
  if (completions_.empty()) return;
  const sim::Time next = completions_.front().when;
  if (next >= wake_time_ && engine_.is_pending(wake_event_)) return;  // an earlier wake-up will look again
  engine_.cancel(wake_event_);
  wake_time_ = next;
  wake_event_ = engine_.at(next, [this] { wake(); });
}

void FlowNetwork::wake() {
  wake_time_ = sim::kNever;
  const sim::Time now = engine_.now();
  finished_.clear();
  while (!completions_.empty()) {
    const Completion c = completions_.front();
    const Transfer& t = transfers_[c.slot];
    const bool valid = t.live && t.version == c.version;
    if (valid && c.when > now) break;
    std::pop_heap(completions_.begin(), completions_.end(), [](const auto& a, const auto& b) { return later(a, b); });
    completions_.pop_back();
    if (valid) finished_.push_back(c.slot);
  }
  // finish() runs callbacks, which may start transfers (and grow transfers_), never wake().
  for (uint32_t slot : finished_) finish(slot);
  if (finished_.empty()) schedule_wake();
}

void FlowNetwork::finish(uint32_t slot) {
  Transfer& t = transfers_[slot];
  const bool had_flow = t.bytes > 0 && t.route.hops > 0;
  if (had_flow) {
    system_.remove_flow(t.flow);
    for (topo::LinkId id : t.route.span()) link_bytes_[id] += t.bytes;
    request_solve();
  }
  if (observer_) {
    observer_->on_transfer_done({t.id, t.src, t.dst, t.bytes, t.start, t.first_byte, engine_.now(), t.route});
  }
  sim::Action on_done = std::move(t.on_done);
  t.live = false;
  ++t.version;
  free_.push_back(slot);
  --active_;
  ++done_;
  if (on_done) on_done();  // last: it may start transfers, which may reuse this slot
}

size_t FlowNetwork::memory_bytes() const {
  return sizeof(*this) + system_.memory_bytes() + transfers_.capacity() * sizeof(Transfer) +
         free_.capacity() * sizeof(uint32_t) + slot_of_flow_.capacity() * sizeof(uint32_t) +
         completions_.capacity() * sizeof(Completion) + link_bytes_.capacity() * sizeof(double) +
         uses_.capacity() * sizeof(maxmin::Use) + finished_.capacity() * sizeof(uint32_t);
}

}  // namespace fleetsim::net
