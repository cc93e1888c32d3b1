#include "sim/engine.h"

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
void Engine::sift_up(size_t hole, const Entry& e) {
  while (hole > 0) {
    const size_t parent = (hole - 1) / 4;
    if (!before(e, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = e;
}

void Engine::push(Entry e) {
  heap_.push_back(e);
  sift_up(heap_.size() - 1, e);
}

// Bottom-up deletion (Wegener): move the hole from the root down to a leaf along the smallest
// children without comparing against the last entry, then sift the last entry up from there. The
// last entry almost always belongs near the bottom, so this saves a comparison per level.
Engine::Entry Engine::pop() {
  const Entry top = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  const size_t n = heap_.size();
  if (n == 0) return top;
  size_t hole = 0;
  for (;;) {
    const size_t first = 4 * hole + 1;
    if (first >= n) break;
    size_t best = first;
    if (first + 4 <= n) {  // the common case: four children, chosen without branches
      const size_t a = before(heap_[first + 1], heap_[first]) ? first + 1 : first;
      const size_t b = before(heap_[first + 3], heap_[first + 2]) ? first + 3 : first + 2;
      best = before(heap_[b], heap_[a]) ? b : a;
    } else {
      for (size_t c = first + 1; c < n; ++c) {
        if (before(heap_[c], heap_[best])) best = c;
      }
    }
    heap_[hole] = heap_[best];
    hole = best;
  }
  sift_up(hole, last);
  return top;
}

bool Engine::step() {
  while (!heap_.empty()) {
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
  while (!heap_.empty() && slot_at(heap_.front().slot).cancelled) free_slot(pop().slot);
}

void Engine::run_until(Time until) {
  FLEETSIM_CHECK(until >= now_, "run_until a time before now()");
  stopped_ = false;
  for (;;) {
    skip_cancelled();
    if (stopped_ || heap_.empty() || heap_.front().time() > until) break;
    step();
  }
  if (!stopped_) now_ = until;
}

}  // namespace fleetsim::sim
