#include "sim/engine.h"

#include <algorithm>

#include <fmt/format.h>

namespace fleetsim::sim {

namespace {
constexpr uint64_t kSequenceBits = 48;
constexpr uint64_t kSequenceMask = (uint64_t{1} << kSequenceBits) - 1;
}  // namespace

uint32_t Engine::take_slot() {
  if (!free_slots_.empty()) {
    const uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  FLEETSIM_CHECK(slot_count_ < UINT32_MAX - kChunk, "too many pending events");
  if ((slot_count_ & (kChunk - 1)) == 0) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
  return slot_count_++;
}

void Engine::free_slot(uint32_t slot) {
  Slot& s = slot_at(slot);
  s.action.reset();
  s.cancelled = false;
  ++s.generation;
  free_slots_.push_back(slot);
}

uint32_t Engine::schedule(Time when, int priority) {
  if (when < now_) {
    core::fail_check("when >= now()", __FILE__, __LINE__,
                     fmt::format("time went backwards: an event was scheduled at {} ns, before the current time {} ns",
                                 when, now_));
  }
  FLEETSIM_CHECK(priority >= -32768 && priority <= 32767, "an event priority must fit in 16 bits");
  FLEETSIM_CHECK(sequence_ < kSequenceMask, "the event sequence overflowed");
  const uint32_t slot = take_slot();
  const uint64_t biased = static_cast<uint64_t>(priority + 32768);
  const uint64_t order = (biased << kSequenceBits) | sequence_++;
  push({static_cast<uint64_t>(when), order, slot});
  return slot;
}

bool Engine::is_pending(EventId id) const {
  if (id.slot >= slot_count_) return false;
  const Slot& s = slot_at(id.slot);
  return s.generation == id.generation && !s.cancelled && static_cast<bool>(s.action);
}

bool Engine::cancel(EventId id) {
  if (!is_pending(id)) return false;
  // The heap entry stays until it reaches the top; the slot is freed then, so that a new event
  // cannot take the slot while a stale entry still points to it.
  slot_at(id.slot).cancelled = true;
  slot_at(id.slot).action.reset();
  return true;
}

// Moves the hole at `hole` up while `e` belongs above it, then puts `e` there.
void Engine::sift_up(std::vector<Entry>& heap, size_t hole, const Entry& e) {
  while (hole > 0) {
    const size_t parent = (hole - 1) / 4;
    if (!before(e, heap[parent])) break;
    heap[hole] = heap[parent];
    hole = parent;
  }
  heap[hole] = e;
}

void Engine::heap_push(std::vector<Entry>& heap, const Entry& e) {
  heap.push_back(e);
  sift_up(heap, heap.size() - 1, e);
}

// Bottom-up deletion (Wegener): move the hole from the root down to a leaf along the smallest
// children without comparing against the last entry, then sift the last entry up from there. The
// last entry almost always belongs near the bottom, so this saves a comparison per level.
Engine::Entry Engine::heap_pop(std::vector<Entry>& heap) {
  const Entry top = heap.front();
  const Entry last = heap.back();
  heap.pop_back();
  const size_t n = heap.size();
  if (n == 0) return top;
  size_t hole = 0;
  for (;;) {
    const size_t first = 4 * hole + 1;
    if (first >= n) break;
    size_t best = first;
    if (first + 4 <= n) {  // the common case: four children, chosen without branches
      const size_t a = before(heap[first + 1], heap[first]) ? first + 1 : first;
      const size_t b = before(heap[first + 3], heap[first + 2]) ? first + 3 : first + 2;
      best = before(heap[b], heap[a]) ? b : a;
    } else {
      for (size_t c = first + 1; c < n; ++c) {
        if (before(heap[c], heap[best])) best = c;
      }
    }
    heap[hole] = heap[best];
    hole = best;
  }
  sift_up(heap, hole, last);
  return top;
}

namespace {
// The radix bucket of time `t` > `base`: one more than the highest bit in which they differ
// (t = 13 = 0b1101 against base 9 = 0b1001 differ first in bit 2: bucket 3).
inline int bucket_of(uint64_t t, uint64_t base) { return 64 - __builtin_clzll(t ^ base); }
}  // namespace

void Engine::push(Entry e) {
  ++size_;
  const uint64_t t = e.time_bits;
  if (t == base_) {
    heap_push(buckets_[0], e);
  } else if (t > base_) {
    const int b = bucket_of(t, base_);
    buckets_[b].push_back(e);
    nonempty_ |= uint64_t{1} << b;
  } else {
    heap_push(early_, e);  // before base_: only after run_until looked ahead of now()
  }
}

const Engine::Entry* Engine::top() {
  if (!early_.empty()) return &early_.front();
  std::vector<Entry>& zero = buckets_[0];
  if (zero.empty()) {
    if (nonempty_ == 0) return nullptr;
    // Split the lowest non-empty bucket by its least time. Its entries share base_'s bits above
    // bit b - 1 and differ from the new base below that bit only, so each lands in a lower
    // bucket; the buckets above keep their entries (their highest differing bit is unchanged).
    const int b = __builtin_ctzll(nonempty_);
    std::vector<Entry>& from = buckets_[b];
    uint64_t least = from.front().time_bits;
    for (const Entry& e : from) least = std::min(least, e.time_bits);
    base_ = least;
    nonempty_ &= ~(uint64_t{1} << b);
    for (const Entry& e : from) {
      if (e.time_bits == least) {
        // The slots of bucket 0's events are read in the next steps: fetch them now, so that
        // with 10^6 pending their cache misses overlap instead of costing one each.
        __builtin_prefetch(&slot_at(e.slot));
        heap_push(zero, e);
      } else {
        const int to = bucket_of(e.time_bits, least);
        buckets_[to].push_back(e);
        nonempty_ |= uint64_t{1} << to;
      }
    }
    from.clear();
  }
  return &zero.front();
}

Engine::Entry Engine::pop() {
  top();  // makes bucket 0 non-empty when early_ is empty
  --size_;
  return early_.empty() ? heap_pop(buckets_[0]) : heap_pop(early_);
}

bool Engine::step() {
  while (size_ > 0) {
    const Entry e = pop();
    Slot& s = slot_at(e.slot);
    if (s.cancelled) {
      free_slot(e.slot);
      continue;
    }
    now_ = e.time();
    ++executed_;
    ++s.generation;  // no longer pending while it runs: cancelling itself is a no-op
    s.action();      // in place: the slot is not free until it returns, and chunks never move
    free_slot(e.slot);
    return true;
  }
  return false;
}

void Engine::run() {
  stopped_ = false;
  while (!stopped_ && step()) {
  }
}

void Engine::skip_cancelled() {
  for (const Entry* t = top(); t != nullptr && slot_at(t->slot).cancelled; t = top()) free_slot(pop().slot);
}

void Engine::run_until(Time until) {
  FLEETSIM_CHECK(until >= now_, "run_until a time before now()");
  stopped_ = false;
  for (;;) {
    skip_cancelled();
    const Entry* t = top();
    if (stopped_ || t == nullptr || t->time() > until) break;
    step();
  }
  if (!stopped_) now_ = until;
}

}  // namespace fleetsim::sim
