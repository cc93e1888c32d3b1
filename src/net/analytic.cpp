// Closed forms of the collectives of collective.h (see analytic.h). Each collective is described
// by its traffic on one node: an m x m matrix of bytes between the node's members (intra) and an
// m x m matrix of bytes from its members to the members of each other node it talks to (inter,
// times `peers` such nodes). Loads on the node's ports follow; the slowest port sets the time.
#include "net/analytic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/error.h"

namespace fleetsim::net {

namespace {

using calib::LinkClass;
using topo::LinkType;

struct NodePattern {
  int m = 0;
  std::vector<double> intra;  // [i * m + j]: bytes from member i to member j of the same node
  std::vector<double> inter;  // [i * m + j]: bytes from member i to member j of one other node
  double peers = 0;           // other nodes receiving `inter`
  double intra_message = 0;   // flow sizes, for the efficiency curves
  double inter_message = 0;
  bool neighbours = false;    // inter traffic goes to the next node of a ring, not to every node

  NodePattern(int members, double peer_nodes) : m(members), peers(peer_nodes) {
    intra.assign(static_cast<size_t>(m) * m, 0.0);
    inter.assign(static_cast<size_t>(m) * m, 0.0);
  }
  double& in(int i, int j) { return intra[static_cast<size_t>(((i % m + m) % m) * m + (j % m + m) % m)]; }
  double& out(int i, int j) { return inter[static_cast<size_t>(((i % m + m) % m) * m + (j % m + m) % m)]; }
};

// Flows by when their first byte arrives: inside a node, across nodes directly, across nodes
// through a PXN hop (the latest). A port's time is, over these classes, the latest arrival plus
// the work of every flow arriving no earlier (exact for one work-conserving shared port).
enum Arrival { kIntra = 0, kDirect = 1, kPxn = 2 };
using Load = std::array<double, 3>;  // capacity-equivalent bytes (bytes / efficiency) by arrival

// One node's ports.
struct Loads {
  std::vector<Load> gpu_out, gpu_in;  // per member: NVLink port (PCIe port on a PCIe node)
  std::vector<Load> g2n_out, g2n_in;  // per member: PCIe link to its NIC (NVSwitch nodes)
  std::map<int, Load> nic_out, nic_in;  // per NIC
  std::map<int, std::map<int, double>> nic_to_nic;  // raw bytes from a NIC to a NIC index (other nodes)
};

double total(const Load& l) { return l[0] + l[1] + l[2]; }

class Pricer {
 public:
  Pricer(const topo::Topology& t, const CommCosts& c, const Group& g) : t_(t), c_(c), g_(g) {
    if (!g.regular()) {
      throw core::InputError("the analytic fidelity needs a group with the same GPUs on every node");
    }
    node_a_ = g.node_ids()[0];
    node_b_ = g.node_count() > 1 ? g.node_ids()[1] : node_a_;
  }

  int local(int i) const { return g_.locals()[static_cast<size_t>(i)]; }
  LinkType port_type() const { return t_.nvswitch() ? LinkType::nvlink : LinkType::pcie; }
  double port_rate() const { return t_.nvswitch() ? t_.spec().gpu.nvlink_bw_per_direction() : pcie_rate(); }
  double pcie_rate() const { return t_.spec().gpu.pcie_bw_bytes_per_s / 2; }
  double nic_rate() const {
    return std::min(t_.spec().nic.bw_bytes_per_s, t_.spec().fabric_switch.port_bw_bytes_per_s);
  }

  Loads loads(const NodePattern& p) const {
    const int m = p.m;
    Loads l;
    l.gpu_out.assign(static_cast<size_t>(m), Load{});
    l.gpu_in = l.g2n_out = l.g2n_in = l.gpu_out;
    const double port_eff_intra = c_.efficiency(port_type(), p.intra_message);
    const double port_eff_inter = c_.efficiency(port_type(), p.inter_message);
    const double pcie_eff = c_.efficiency(LinkType::pcie, p.inter_message);
    const double nic_eff = c_.efficiency(LinkType::nic_leaf, p.inter_message);
    std::map<int, int> member_of_local;
    for (int i = 0; i < m; ++i) member_of_local[local(i)] = i;
    auto at = [](std::vector<Load>& v, int i) -> Load& { return v[static_cast<size_t>(i)]; };
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < m; ++j) {
        const double intra = p.intra[static_cast<size_t>(i * m + j)];
        at(l.gpu_out, i)[kIntra] += intra / port_eff_intra;
        at(l.gpu_in, j)[kIntra] += intra / port_eff_intra;
        const double inter = p.inter[static_cast<size_t>(i * m + j)] * p.peers;
        if (inter == 0) continue;
        // Across nodes: through the egress GPU's NIC (PXN when it is not i), into j's NIC.
        const int e_local = t_.egress_local({node_a_, local(i)}, {node_b_, local(j)});
        const auto e_it = member_of_local.find(e_local);
        const int nic_e = t_.nic_of(e_local), nic_j = t_.nic_of(local(j));
        const Arrival k = e_local != local(i) ? kPxn : kDirect;
        if (k == kPxn) {
          at(l.gpu_out, i)[k] += inter / port_eff_inter;
          if (e_it != member_of_local.end()) at(l.gpu_in, e_it->second)[k] += inter / port_eff_inter;
        }
        const int e = e_it != member_of_local.end() ? e_it->second : i;
        if (t_.nvswitch()) {
          at(l.g2n_out, e)[k] += inter / pcie_eff;
          at(l.g2n_in, j)[k] += inter / pcie_eff;
        } else {  // the GPU's one PCIe port carries its NIC traffic too
          at(l.gpu_out, e)[k] += inter / port_eff_inter;
          at(l.gpu_in, j)[k] += inter / port_eff_inter;
        }
        l.nic_out[nic_e][k] += inter / nic_eff;
        l.nic_in[nic_j][k] += inter / nic_eff;
        l.nic_to_nic[nic_e][nic_j] += inter;
      }
    }
    return l;
  }

  // Per-uplink load of the busiest leaf, when leaves are oversubscribed (otherwise a leaf has as
  // many uplinks as endpoints and its NICs bind first). Every group node sends the pattern.
  double leaf_uplink_s(const Loads& l, const NodePattern& p) const {
    const auto& spec = t_.spec();
    if (spec.oversubscription <= 1.0 || g_.node_count() < 2) return 0.0;
    const int up = spec.fabric_switch.ports - topo::leaf_down_ports(spec.fabric_switch.ports, spec.oversubscription);
    const auto& nodes = g_.node_ids();
    const double n_other = static_cast<double>(nodes.size() - 1);
    std::map<int, std::map<int, double>> nodes_on_leaf;  // NIC index -> leaf -> group nodes
    for (const auto& [nic, row] : l.nic_to_nic) {
      for (const auto& [to, bytes] : row) {
        if (nodes_on_leaf.count(to)) continue;
        for (int node : nodes) nodes_on_leaf[to][t_.leaf_of(node, to)] += 1;
      }
    }
    std::map<int, double> leaving;  // leaf -> bytes sent to other leaves
    for (size_t k = 0; k < nodes.size(); ++k) {
      for (const auto& [nic, row] : l.nic_to_nic) {
        const int leaf = t_.leaf_of(nodes[k], nic);
        for (const auto& [to, bytes] : row) {
          double away;
          if (p.neighbours) {
            away = t_.leaf_of(nodes[(k + 1) % nodes.size()], to) != leaf ? 1.0 : 0.0;
          } else {
            const double same = nodes_on_leaf[to][leaf] - (t_.leaf_of(nodes[k], to) == leaf ? 1 : 0);
            away = (n_other - same) / n_other;
          }
          leaving[leaf] += bytes * away;
        }
      }
    }
    double worst = 0;
    for (const auto& [leaf, bytes] : leaving) worst = std::max(worst, bytes);
    const double rate = up * spec.fabric_switch.port_bw_bytes_per_s * c_.efficiency(LinkType::leaf_spine, p.inter_message);
    return worst / rate;
  }

  // The latency of one step of the pattern's routes inside a node and across nodes. The longest
  // fabric path of a uniform pattern is found against the first node (two nodes on different
  // leaves or pods imply that one of them differs from the first); a ring's between neighbours.
  struct Alpha {
    double intra = 0, inter = 0, pxn_inter = 0;  // one step, by arrival class
    bool has_intra = false, has_inter = false, pxn = false;
  };
  Alpha alpha(const NodePattern& p) const {
    const int m = p.m;
    Alpha a;
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < m; ++j) {
        a.has_intra = a.has_intra || p.intra[static_cast<size_t>(i * m + j)] > 0;
        if (p.peers > 0 && p.inter[static_cast<size_t>(i * m + j)] > 0) {
          a.has_inter = true;
          a.pxn = a.pxn || t_.egress_local({node_a_, local(i)}, {node_b_, local(j)}) != local(i);
        }
      }
    }
    const LinkClass port = t_.nvswitch() ? LinkClass::nvlink : LinkClass::pcie;
    a.intra = c_.latency_s(port);
    if (!a.has_inter) return a;
    int switches = 1;
    const auto& nodes = g_.node_ids();
    for (size_t k = 1; k < nodes.size(); ++k) {
      const int from = p.neighbours ? nodes[k - 1] : nodes[0];
      for (int i = 0; i < m; ++i) {
        const int nic = t_.nic_of(local(i));
        switches = std::max(switches, t_.fabric_switches_between(from, nic, nodes[k], nic));
      }
    }
    a.inter = c_.latency_s(LinkClass::scale_out) + (switches - 1) * t_.spec().fabric_switch.latency_s;
    a.pxn_inter = a.inter + c_.latency_s(port);
    return a;
  }

  // Resource times of the pattern (bandwidth alone, for the report) and its time (arrivals
  // included, see Load).
  void price(const NodePattern& p, int steps, AnalyticEstimate& e) const {
    const Loads l = loads(p);
    const Alpha a = alpha(p);
    const Load arrival{steps * a.intra, steps * a.inter, steps * a.pxn_inter};
    auto busy = [&](const Load& load, double rate) {  // latest arrival + the work arriving since
      double t = 0;
      for (int k = 0; k < 3; ++k) {
        if (load[static_cast<size_t>(k)] <= 0) continue;
        double work = 0;
        for (int q = 0; q < 3; ++q) {
          if (arrival[static_cast<size_t>(q)] >= arrival[static_cast<size_t>(k)]) work += load[static_cast<size_t>(q)];
        }
        t = std::max(t, arrival[static_cast<size_t>(k)] + work / rate);
      }
      return t;
    };
    auto worst = [&](double& bandwidth_s, double rate, const auto&... groups) {
      double bw = 0;
      auto scan = [&](const auto& group) {
        for (const auto& item : group) {
          const Load& load = load_of(item);
          bw = std::max(bw, total(load) / rate);
          e.time_s = std::max(e.time_s, busy(load, rate));
        }
      };
      (scan(groups), ...);
      bandwidth_s = std::max(bandwidth_s, bw);
    };
    worst(e.gpu_port_s, port_rate(), l.gpu_out, l.gpu_in);
    worst(e.gpu_to_nic_s, pcie_rate(), l.g2n_out, l.g2n_in);
    worst(e.nic_s, nic_rate(), l.nic_out, l.nic_in);
    const double leaf = leaf_uplink_s(l, p);
    e.leaf_uplinks_s = std::max(e.leaf_uplinks_s, leaf);
    if (leaf > 0) e.time_s = std::max(e.time_s, steps * a.inter + leaf);
  }

  static const Load& load_of(const Load& l) { return l; }
  static const Load& load_of(const std::pair<const int, Load>& l) { return l.second; }

  const topo::Topology& t_;
  const CommCosts& c_;
  const Group& g_;
  int node_a_ = 0, node_b_ = 0;
};

// The three node roles of the rings of collective.h: even nodes, odd nodes, and the last node
// of an odd count, which closes the ring from GPU c-1 to GPU c of the first node.
std::vector<NodePattern> ring_patterns(const Group& g, double per_flow) {
  const int m = g.per_node(), nodes = g.node_count();
  std::vector<NodePattern> out;
  if (nodes == 1) {
    NodePattern p(m, 0);
    for (int j = 0; j < m; ++j) p.in(j, j + 1) += per_flow;
    p.intra_message = per_flow;
    out.push_back(p);
    return out;
  }
  for (int role = 0; role < (nodes % 2 ? 3 : 2); ++role) {
    NodePattern p(m, 1);
    p.neighbours = true;
    for (int c = 0; c < m; ++c) {
      for (int j = 0; j + 1 < m; ++j) {
        if (role == 1) p.in(c - 1 - j, c - 2 - j) += per_flow;
        else p.in(c + j, c + j + 1) += per_flow;
      }
      if (role == 0) p.out(c - 1, c - 1) += per_flow;
      if (role == 1) p.out(c, c) += per_flow;
      if (role == 2) p.out(c - 1, c) += per_flow;
    }
    p.intra_message = p.inter_message = per_flow;
    out.push_back(p);
  }
  return out;
}

NodePattern tree_pattern(const Group& g, double bytes) {
  const int m = g.per_node(), nodes = g.node_count();
  const double y = bytes / (2.0 * m);
  // The busiest node of the two trees: its parents and children over both.
  std::vector<int> degree(static_cast<size_t>(nodes), 0);
  for (int tree = 0; tree < 2 && nodes > 1; ++tree) {
    for (int q = 0; q < nodes; ++q) {
      const int parent = tree_parent(tree, q, nodes);
      if (parent < 0) continue;
      ++degree[static_cast<size_t>(q)];
      ++degree[static_cast<size_t>(parent)];
    }
  }
  const int busiest = *std::max_element(degree.begin(), degree.end());
  NodePattern p(m, 1);
  for (int c = 0; c < m; ++c) {
    for (int j = 0; j + 1 < m; ++j) {
      p.in(c + j + 1, c + j) += 2 * y;
      p.in(c + j, c + j + 1) += 2 * y;
    }
    p.out(c, c) += busiest * y;
  }
  p.intra_message = 2 * y;
  p.inter_message = y;
  return p;
}

}  // namespace

AnalyticModel::AnalyticModel(const topo::Topology& topology, CommCosts costs)
    : topology_(topology), costs_(std::move(costs)) {}

AnalyticEstimate AnalyticModel::estimate(const CollectiveSpec& spec) const {
  spec.group.check_in(topology_);
  if (!(spec.bytes >= 0) || !std::isfinite(spec.bytes)) throw core::InputError("collective bytes must be >= 0");
  AnalyticEstimate e;
  const Group& g = spec.group;
  const double n = static_cast<double>(g.size());
  if (spec.op == CollectiveOp::p2p) {
    if (g.size() != 2) throw core::InputError("p2p needs a group of two GPUs (sender, receiver)");
    // One flow: alpha-beta along its route, the slowest link setting the rate.
    const topo::Route r = topology_.route(g[0], g[1]);
    e.latency_s = costs_.route_latency_s(r, topology_.spec().fabric_switch.latency_s);
    for (topo::LinkId id : r.span()) {
      const topo::Link& l = topology_.link(id);
      const double s = spec.bytes / (l.bw_bytes_per_s * costs_.efficiency(l.type, spec.bytes));
      double& slot = l.type == LinkType::nvlink || (l.type == LinkType::pcie && !topology_.nvswitch() &&
                                                     topology_.graph()[l.from].kind == topo::VertexKind::gpu)
                         ? e.gpu_port_s
                     : l.type == LinkType::pcie ? e.gpu_to_nic_s
                     : l.type == LinkType::nic_leaf ? e.nic_s
                                                    : e.leaf_uplinks_s;
      slot = std::max(slot, s);
    }
    e.time_s = e.latency_s + std::max({e.gpu_port_s, e.gpu_to_nic_s, e.nic_s, e.leaf_uplinks_s});
  } else if (g.size() >= 2) {
    Pricer pr(topology_, costs_, g);
    const int m = g.per_node(), nodes = g.node_count();
    std::vector<NodePattern> patterns;
    int steps = 1;
    switch (spec.op) {
      case CollectiveOp::all_reduce:
      case CollectiveOp::all_gather:
      case CollectiveOp::reduce_scatter: {
        const bool ar = spec.op == CollectiveOp::all_reduce;
        if (ar && spec.algorithm == Algorithm::tree) {
          patterns.push_back(tree_pattern(g, spec.bytes));
          steps = 2 * (static_cast<int>(std::floor(std::log2(nodes))) + m - 1);
        } else {
          const double factor = (ar ? 2.0 : 1.0) * (n - 1) / n;
          patterns = ring_patterns(g, factor * spec.bytes / (nodes > 1 ? m : 1));
          steps = static_cast<int>(ar ? 2 * (n - 1) : n - 1);
        }
        break;
      }
      case CollectiveOp::all_to_all: {
        NodePattern p(m, nodes - 1);
        const double chunk = spec.bytes / n;
        for (int i = 0; i < m; ++i) {
          for (int j = 0; j < m; ++j) {
            if (i != j) p.in(i, j) = chunk;
            p.out(i, j) = chunk;
          }
        }
        p.intra_message = p.inter_message = chunk;
        patterns.push_back(p);
        break;
      }
      case CollectiveOp::moe_dispatch:
      case CollectiveOp::moe_combine: {
        const bool combine = spec.op == CollectiveOp::moe_combine;
        const double b = bytes_per_token(combine ? spec.moe.combine_format : spec.moe.dispatch_format, spec.moe.hidden);
        const auto prob = moe_probabilities(spec.moe, g);  // also checks the group and experts
        const double tokens = static_cast<double>(spec.moe.tokens_per_gpu);
        NodePattern p(m, nodes - 1);
        if (spec.moe.low_latency) {
          // A copy per (token, expert), topk/ranks per rank, each a message of one token.
          const double pair = tokens * spec.moe.topk / n * b;
          for (int i = 0; i < m; ++i) {
            for (int j = 0; j < m; ++j) {
              if (i != j) p.in(i, j) = pair;
              p.out(i, j) = pair;
            }
          }
          p.intra_message = p.inter_message = b;
        } else if (nodes == 1 || !spec.moe.nvlink_forwarding) {
          for (int i = 0; i < m; ++i) {
            for (int j = 0; j < m; ++j) {
              if (i != j) p.in(i, j) = tokens * prob.rank * b;
              p.out(i, j) = tokens * prob.rank * b;
            }
          }
          p.intra_message = p.inter_message = tokens * prob.rank * b;
        } else {
          for (int i = 0; i < m; ++i) {
            p.out(i, i) = tokens * prob.node * b;  // once per node, same local index
            for (int j = 0; j < m; ++j) {
              if (i != j) p.in(i, j) = nodes * tokens * prob.rank * b;  // forwarded from every node
            }
          }
          p.intra_message = nodes * tokens * prob.rank * b;
          p.inter_message = tokens * prob.node * b;
        }
        patterns.push_back(p);  // combine is the same pattern reversed: the same loads
        break;
      }
      case CollectiveOp::p2p: break;
    }
    for (const auto& p : patterns) pr.price(p, steps, e);
  }
  e.bottleneck = "none";
  e.bottleneck_s = 0;
  for (auto [name, s] : {std::pair{"gpu_port", e.gpu_port_s}, std::pair{"gpu_to_nic", e.gpu_to_nic_s},
                         std::pair{"nic", e.nic_s}, std::pair{"leaf_uplinks", e.leaf_uplinks_s}}) {
    if (s > e.bottleneck_s) {
      e.bottleneck_s = s;
      e.bottleneck = name;
    }
  }
  if (spec.op != CollectiveOp::p2p) e.latency_s = e.time_s - e.bottleneck_s;
  return e;
}

}  // namespace fleetsim::net
