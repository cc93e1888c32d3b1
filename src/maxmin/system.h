// Weighted max-min fair sharing of link capacities among flows (progressive filling). Pure math:
// no topology, no time. net/ builds a System from routes and re-solves it as flows come and go.
//
// The problem. Link j has capacity C_j >= 0. Flow i has weight w_i > 0, an optional rate bound
// b_i, and a coefficient a_ij > 0 on each link it uses: at rate r_i it takes a_ij r_i of C_j.
// The weighted max-min fair allocation raises one level L for all flows together, flow i at
// rate r_i = w_i L (the weight is a share: twice the weight, twice the rate), until
//   - a link saturates: sum_i a_ij r_i = C_j; its flows are fixed at their current rates, or
//   - a flow reaches its bound: it is fixed at b_i;
// fixed flows leave the problem (their use of every link is subtracted) and the level keeps
// rising for the others. Each round fixes at least one flow. (SimGrid's lmm calls 1/w_i the
// "penalty"; fleetsim's weight is its inverse.)
//
// A link j with unfixed flows U_j and remaining capacity R_j saturates at the level
//   L_j = R_j / sum_{i in U_j} a_ij w_i,
// and L_j only grows as flows elsewhere are fixed (they leave at most what they took), so the
// solver keeps links in a heap keyed by a lower bound of L_j and re-checks the top lazily:
// O((links + uses) log links) per solve.
//
// Worked number: links A (10) and B (2); flow x uses A and B, flows y and z use A only, all of
// weight 1. A would saturate at L = 10/3, B (x alone) at L = 2: B first, fixing x = 2; A has 8
// left for y and z, which rise to 4 each.
//
// Incremental: adding or removing a flow or changing a capacity marks it dirty. solve() first
// re-solves only the affected subgraph: the dirty links and flows, and, closed transitively,
// every flow whose bottleneck (the link that fixed it in the last solve) is a link of the
// subgraph, with all of that flow's links. A flow outside it keeps its rate and is held fixed:
// its use of a subgraph link is taken off that link's capacity. The result is the max-min
// allocation when every held flow on a link that saturates in the sub-solve at level L has
// rate/weight <= L (then every flow still has a saturated link on which its level is the
// highest); if a held flow breaks that, its rate would have to fall, and solve() re-solves the
// whole connected component instead. Worked case: in a 2-sender, 2-receiver all-to-all where
// both sender NICs are the bottlenecks, a completion of a flow from sender 0 re-solves sender
// 0's flows and their links only; sender 1's flows are held.
// set_incremental(false) always re-solves the whole component (the reference path).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace fleetsim::maxmin {

using LinkId = uint32_t;
using FlowId = uint32_t;

// The one tolerance of the solver, relative to the quantities compared: a link whose saturation
// level is within it of the current level saturates in the same round.
inline constexpr double kRelativeEpsilon = 1e-9;
inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// A flow's use of a link: it takes `coefficient` x its rate of the link's capacity.
struct Use {
  LinkId link = 0;
  double coefficient = 1.0;
};

class System {
 public:
  // --- links: capacities in any unit of rate (net uses bytes/s) -------------------------
  LinkId add_link(double capacity);
  void set_capacity(LinkId link, double capacity);  // marks the link's flows for re-solving
  double capacity(LinkId link) const { return links_[link].capacity; }
  size_t link_count() const { return links_.size(); }

  // --- flows ----------------------------------------------------------------------------
  // Requires weight > 0, bound > 0, coefficients > 0 and known links; a link may appear once.
  // A flow with no link takes its bound (infinity when unbounded). Ids of removed flows are
  // reused: a caller must forget an id once it removes the flow.
  FlowId add_flow(std::span<const Use> uses, double weight = 1.0, double bound = kUnbounded);
  void remove_flow(FlowId flow);
  bool alive(FlowId flow) const { return flow < flows_.size() && flows_[flow].alive; }
  size_t flow_count() const { return live_flows_; }
  double weight(FlowId flow) const { return flows_[flow].weight; }
  double bound(FlowId flow) const { return flows_[flow].bound; }

  // Re-solves the flows connected to what changed since the last solve.
  void solve();
  // The flows whose rates the last solve() computed (every flow whose rate may have changed).
  std::span<const FlowId> last_solved() const { return component_flows_; }
  // Whether solve() tries the affected subgraph first (default) or always the whole component.
  void set_incremental(bool on) { incremental_ = on; }
  // Solves that kept to the affected subgraph, and those that fell back to the component.
  uint64_t partial_solves() const { return partial_solves_; }
  uint64_t component_solves() const { return component_solves_; }

  // Valid after solve(); a flow added since has rate 0 until the next solve.
  double rate(FlowId flow) const { return flows_[flow].rate; }
  // sum_i a_ij r_i over the flows on the link, computed on demand.
  double load(LinkId link) const;

  // Bytes held by the solver's structures (to check that memory grows linearly in flows).
  size_t memory_bytes() const;

 private:
  struct Member {  // a flow on a link, and which of the flow's uses it is
    FlowId flow;
    uint32_t use;
  };
  static constexpr LinkId kNoLink = std::numeric_limits<LinkId>::max();
  struct LinkRec {
    double capacity = 0;
    std::vector<Member> members;
    // Scratch of a solve.
    double saturated_at = kUnbounded;  // level at which the link saturated in this solve
    double remaining = 0;
    double weight_sum = 0;  // sum a_ij w_i over unfixed flows
    uint32_t unfixed = 0;
    uint32_t stamp = 0;     // component marker
  };
  struct UseRec {
    LinkId link;
    uint32_t position;  // index in the link's members
    double coefficient;
  };
  struct FlowRec {
    double weight = 1;
    double bound = kUnbounded;
    double rate = 0;
    uint32_t first_use = 0;  // into uses_
    uint32_t use_count = 0;
    uint32_t stamp = 0;
    LinkId bottleneck = kNoLink;  // the link that fixed the flow in its last solve (none: its bound)
    bool alive = false;
    bool fixed = false;
  };
  struct HeapItem {  // a link's saturation level (a lower bound) or a flow's bound level
    double level;
    uint32_t id;
  };

  void mark_dirty_link(LinkId link);
  void next_stamp();
  void collect(bool bottlenecks_only);
  bool held_flows_fair() const;
  void fill_component();
  void fix(FlowId flow, double rate);
  double saturation_level(LinkRec& link);
  void compact_uses();

  std::vector<LinkRec> links_;
  std::vector<FlowRec> flows_;
  std::vector<UseRec> uses_;  // arena: each flow's uses are contiguous
  std::vector<FlowId> free_flows_;
  size_t live_flows_ = 0;
  size_t live_uses_ = 0;

  std::vector<FlowId> dirty_flows_;
  std::vector<LinkId> dirty_links_;
  uint32_t stamp_ = 1;
  bool incremental_ = true;
  uint64_t partial_solves_ = 0;
  uint64_t component_solves_ = 0;  // advanced per solve; items with stamp_ are in this solve's component

  // Scratch, reused between solves.
  std::vector<FlowId> component_flows_;
  std::vector<LinkId> component_links_;
  std::vector<LinkId> stack_;
  std::vector<HeapItem> link_heap_;
  std::vector<HeapItem> bound_heap_;
};

}  // namespace fleetsim::maxmin
