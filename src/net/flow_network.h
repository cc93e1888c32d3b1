// Transfers as flows on the cluster graph, in simulated time (the event fidelity; after
// SimGrid's network model). A transfer of B bytes from GPU s to GPU d:
//   1. takes the route topo::Topology::route(s, d) and waits its latency (CommCosts);
//   2. becomes a max-min flow over the route's links, taking 1/f(B) of each link's capacity per
//      unit of rate (f the calibrated efficiency); its rate is re-solved whenever a flow starts
//      or ends, for the flows that share links with it (maxmin::System, incrementally);
//   3. ends when its bytes are through: remaining bytes are brought up to date lazily, only when
//      its rate changes, and the engine is woken at the earliest predicted completion.
// All flows that start at one instant are solved together (one solve per instant, after the
// instant's other events: sim::kLate).
//
// Usage:
//   sim::Engine engine;
//   net::FlowNetwork network(engine, topology, costs);
//   network.transfer({0, 0}, {1, 0}, 64e6, [&] { ... engine.now() ... });
//   engine.run();
// The network must outlive the engine's run; callbacks run inside engine events.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "maxmin/system.h"
#include "net/comm_costs.h"
#include "sim/engine.h"
#include "topo/topology.h"

namespace fleetsim::net {

using TransferId = uint64_t;

struct TransferOptions {
  double weight = 1.0;  // share under contention (max-min weight)
  double max_rate_bytes_per_s = std::numeric_limits<double>::infinity();  // a sender's own limit
  int latency_steps = 1;  // the route latency is paid this many times (the steps of a pipelined ring)
  uint64_t ecmp_key = 0;  // spreads flows over equal-cost paths; 0: the transfer's id
  double message_bytes = 0;  // size for the efficiency curve; 0: the transfer's bytes
};

// What a finished transfer did, for traces and statistics.
struct TransferRecord {
  TransferId id = 0;
  topo::GpuRef src, dst;
  double bytes = 0;
  sim::Time start = 0;       // transfer() was called
  sim::Time first_byte = 0;  // latency paid, flow started
  sim::Time end = 0;
  topo::Route route;
};

class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  virtual void on_transfer_done(const TransferRecord& record) = 0;
};

class FlowNetwork {
 public:
  // Keeps references to the engine and the topology.
  FlowNetwork(sim::Engine& engine, const topo::Topology& topology, CommCosts costs);
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;

  // Moves `bytes` >= 0 from src to dst, starting now; `on_done` runs when the last byte has
  // arrived. A transfer to itself, or of zero bytes, ends once its latency is paid.
  TransferId transfer(topo::GpuRef src, topo::GpuRef dst, double bytes, sim::Action on_done,
                      const TransferOptions& options = {});

  size_t active() const { return active_; }  // started, not finished
  const topo::Topology& topology() const { return topology_; }
  const CommCosts& costs() const { return costs_; }
  sim::Engine& engine() { return engine_; }

  // Bytes carried by each link, counting finished transfers.
  double link_bytes(topo::LinkId link) const { return link_bytes_[link]; }
  uint64_t transfers_done() const { return done_; }
  uint64_t solves() const { return solves_; }
  // Bytes of the network's own structures (to check that memory grows linearly with flows).
  size_t memory_bytes() const;

  // Receives a record of every finished transfer (nullptr: none). Not owned.
  void set_observer(FlowObserver* observer) { observer_ = observer; }

 private:
  struct Transfer {
    topo::Route route;
    double bytes = 0;
    double remaining = 0;
    double rate = 0;            // bytes/s
    sim::Time updated = 0;      // when `remaining` was last brought up to date
    sim::Time start = 0, first_byte = 0;
    sim::Action on_done;
    TransferOptions options;
    TransferId id = 0;
    topo::GpuRef src, dst;
    maxmin::FlowId flow = 0;
    uint32_t version = 0;       // invalidates old completion predictions
    bool live = false;
  };
  struct Completion {  // a predicted end, valid while the transfer's version is unchanged
    sim::Time when;
    uint32_t slot;
    uint32_t version;
  };

  void activate(uint32_t slot);
  void request_solve();
  void solve();
  void wake();
  void schedule_wake();
  void finish(uint32_t slot);
  void push_completion(uint32_t slot);

  sim::Engine& engine_;
  const topo::Topology& topology_;
  CommCosts costs_;
  maxmin::System system_;
  std::vector<Transfer> transfers_;
  std::vector<uint32_t> free_;
  std::vector<uint32_t> slot_of_flow_;
  std::vector<Completion> completions_;  // min-heap on `when`
  std::vector<double> link_bytes_;
  std::vector<maxmin::Use> uses_;        // scratch
  std::vector<uint32_t> finished_;       // scratch
  FlowObserver* observer_ = nullptr;
  TransferId next_id_ = 1;
  size_t active_ = 0;
  uint64_t done_ = 0;
  uint64_t solves_ = 0;
  bool solve_pending_ = false;
  sim::EventId wake_event_;
  sim::Time wake_time_ = sim::kNever;
};

}  // namespace fleetsim::net
