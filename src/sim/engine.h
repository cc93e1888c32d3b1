// The discrete-event engine: an integer-nanosecond clock and a queue of actions ordered by
// (time, priority, insertion sequence). The order is total, so a run is a function of what was
// scheduled: two events at the same time run by priority (lower first), then in the order they
// were scheduled. Scheduling before the current time is a fleetsim bug and fails a
// FLEETSIM_CHECK that names both times.
//
// Cost: a radix heap on the int64 time (Ahuja, Mehlhorn, Orlin, Tarjan 1990) of 24-byte
// entries. Bucket b > 0 holds the entries whose time first differs from the last time taken out
// (`base`) in bit b - 1; bucket 0 holds the entries at `base` itself, as a 4-ary heap on
// (priority, insertion). When bucket 0 runs empty, the lowest non-empty bucket is split by its
// least time, which becomes the new base: each entry moves down at most 63 times over its life
// and, for delays of up to 2^k ns, about k times at most, so a step costs O(1) amortised however
// many events are pending (a binary heap costs a cache miss per level at 10^6). An event
// scheduled before `base` (possible only after run_until peeked past now()) goes to a small
// 4-ary heap of its own, taken first. Actions live in a slab of reusable slots with inline
// storage (sim::Function), so a small lambda costs no allocation (bench/bench_sim.cpp prints
// the rate against the number pending).
//
// Usage:
//   sim::Engine e;
//   e.after(5 * sim::kMicrosecond, [&] { ... e.now() ... });
//   e.run();
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/function.h"
#include "sim/time.h"

namespace fleetsim::sim {

// Identifies a scheduled event, to cancel it. Stale ids (the event ran or was cancelled) are
// recognised and ignored.
struct EventId {
  uint32_t slot = UINT32_MAX;
  uint32_t generation = 0;
};

// Lower runs first among events at the same time. Models name their priorities; the network
// re-solves its sharing after everything else of an instant (kLate).
inline constexpr int kEarly = -100;
inline constexpr int kNormal = 0;
inline constexpr int kLate = 100;

class Engine {
 public:
  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Time now() const { return now_; }

  // Runs `action` (any callable, or a sim::Action) at absolute time `when` >= now().
  // priority in [-32768, 32767].
  template <class F>
  EventId at(Time when, F&& action, int priority = kNormal) {
    const uint32_t slot = schedule(when, priority);
    slot_at(slot).action.assign(std::forward<F>(action));
    return {slot, slot_at(slot).generation};
  }
  // Runs `action` after `delay` >= 0.
  template <class F>
  EventId after(Time delay, F&& action, int priority = kNormal) {
    FLEETSIM_CHECK(delay >= 0, "an event delay must be >= 0");
    return at(now_ + delay, std::forward<F>(action), priority);
  }
  // Cancels a pending event; false when it already ran or was cancelled.
  bool cancel(EventId id);
  bool is_pending(EventId id) const;

  // Runs the next event; false when none is left.
  bool step();
  // Runs until no event is left or stop() is called from an action.
  void run();
  // Runs the events at times <= `until`, then sets the clock to `until` (>= now()).
  void run_until(Time until);
  void stop() { stopped_ = true; }

  uint64_t executed() const { return executed_; }  // events run so far
  size_t queued() const { return size_; }   // pending, including cancelled not yet skipped

 private:
  // (time, priority, sequence) as one unsigned 128-bit number, so that comparing two entries is
  // one branch-free comparison: time (>= 0) in the high 64 bits, the biased priority in the next
  // 16, the insertion sequence in the low 48.
  __extension__ using Key = unsigned __int128;
  struct Entry {  // 24 bytes: the key in two words keeps it 8-byte aligned
    uint64_t time_bits;
    uint64_t order;
    uint32_t slot;
    Time time() const { return static_cast<Time>(time_bits); }
    Key key() const { return (static_cast<Key>(time_bits) << 64) | order; }
  };
  struct Slot {
    Action action;
    uint32_t generation = 0;
    bool cancelled = false;
  };

  // Slots live in chunks that never move, so an action runs in place while it schedules more.
  static constexpr uint32_t kChunkBits = 10;
  static constexpr uint32_t kChunk = 1u << kChunkBits;

  static bool before(const Entry& a, const Entry& b) { return a.key() < b.key(); }
  Slot& slot_at(uint32_t slot) { return chunks_[slot >> kChunkBits][slot & (kChunk - 1)]; }
  const Slot& slot_at(uint32_t slot) const { return chunks_[slot >> kChunkBits][slot & (kChunk - 1)]; }
  uint32_t schedule(Time when, int priority);  // queues an entry, returns its (empty) slot
  void push(Entry e);
  static void heap_push(std::vector<Entry>& heap, const Entry& e);
  static void sift_up(std::vector<Entry>& heap, size_t hole, const Entry& e);
  static Entry heap_pop(std::vector<Entry>& heap);
  const Entry* top();  // the least pending entry, or null; may split a bucket (never past it)
  Entry pop();         // removes top() (which must exist)
  void skip_cancelled();
  uint32_t take_slot();
  void free_slot(uint32_t slot);

  Time now_ = 0;
  uint64_t sequence_ = 0;
  uint64_t executed_ = 0;
  bool stopped_ = false;
  static constexpr int kBuckets = 65;
  uint64_t base_ = 0;                   // the time of bucket 0; every radix entry is at or after it
  uint64_t nonempty_ = 0;               // bit b set: bucket b > 0 holds entries
  size_t size_ = 0;                     // entries pending, cancelled ones included
  std::vector<Entry> buckets_[kBuckets];  // [0]: a 4-ary min-heap; others unordered
  std::vector<Entry> early_;            // 4-ary min-heap of entries before base_
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  uint32_t slot_count_ = 0;
  std::vector<uint32_t> free_slots_;
};

}  // namespace fleetsim::sim
