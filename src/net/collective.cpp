// Expanding collectives into flows (see collective.h for the algorithms and their accounting).
#include "net/collective.h"

#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"

namespace fleetsim::net {

namespace {

using topo::GpuRef;

// The rings of collective.h: one per member of a node when the group spans nodes.
std::vector<std::vector<GpuRef>> rings(const Group& g) {
  if (!g.regular()) return {std::vector<GpuRef>(g.members().begin(), g.members().end())};
  const int nodes = g.node_count(), m = g.per_node();
  const auto& locals = g.locals();
  auto local = [&](int i) { return locals[static_cast<size_t>(((i % m) + m) % m)]; };
  const int channels = nodes > 1 ? m : 1;
  std::vector<std::vector<GpuRef>> out;
  for (int c = 0; c < channels; ++c) {
    std::vector<GpuRef> ring;
    for (int k = 0; k < nodes; ++k) {
      const int node = g.node_ids()[static_cast<size_t>(k)];
      for (int j = 0; j < m; ++j) ring.push_back({node, k % 2 == 0 ? local(c + j) : local(c - 1 - j)});
    }
    out.push_back(std::move(ring));
  }
  return out;
}

CollectivePlan plan_ring(const CollectiveSpec& spec) {
  const double n = static_cast<double>(spec.group.size());
  const bool all_reduce = spec.op == CollectiveOp::all_reduce;
  CollectivePlan p;
  p.busbw_factor = (all_reduce ? 2.0 : 1.0) * (n - 1) / n;
  p.algbw_bytes = spec.bytes;
  p.bandwidth_note = "nccl-tests size";
  if (spec.group.size() < 2) return p;
  const auto channels = rings(spec.group);
  p.channels = static_cast<int>(channels.size());
  p.steps = static_cast<int>(all_reduce ? 2 * (n - 1) : n - 1);
  const double per_flow = p.busbw_factor * spec.bytes / p.channels;
  for (const auto& ring : channels) {
    for (size_t i = 0; i < ring.size(); ++i) p.flows.push_back({ring[i], ring[(i + 1) % ring.size()], per_flow, p.steps});
  }
  return p;
}

CollectivePlan plan_tree(const CollectiveSpec& spec) {
  const Group& g = spec.group;
  if (!g.regular()) throw core::InputError("tree all-reduce needs the same GPUs of every node in the group");
  const double n = static_cast<double>(g.size());
  CollectivePlan p;
  p.busbw_factor = 2.0 * (n - 1) / n;
  p.algbw_bytes = spec.bytes;
  p.bandwidth_note = "nccl-tests size";
  if (g.size() < 2) return p;
  const int nodes = g.node_count(), m = g.per_node();
  p.channels = m;
  p.steps = 2 * (static_cast<int>(std::floor(std::log2(nodes))) + m - 1);
  const double y = spec.bytes / (2.0 * p.channels);  // per channel and tree
  auto member = [&](int k, int pos) {
    return GpuRef{g.node_ids()[static_cast<size_t>(k)], g.locals()[static_cast<size_t>(pos % m)]};
  };
  for (int c = 0; c < p.channels; ++c) {
    for (int k = 0; k < nodes; ++k) {  // the chain of node k, from the channel's GPU
      for (int j = 0; j + 1 < m; ++j) {
        p.flows.push_back({member(k, c + j + 1), member(k, c + j), 2 * y, p.steps});  // reduce, both trees
        p.flows.push_back({member(k, c + j), member(k, c + j + 1), 2 * y, p.steps});  // broadcast
      }
    }
    for (int tree = 0; tree < 2 && nodes > 1; ++tree) {
      for (int k = 0; k < nodes; ++k) {
        const int parent = tree_parent(tree, k, nodes);
        if (parent < 0) continue;
        p.flows.push_back({member(k, c), member(parent, c), y, p.steps});
        p.flows.push_back({member(parent, c), member(k, c), y, p.steps});
      }
    }
  }
  return p;
}

CollectivePlan plan_all_to_all(const CollectiveSpec& spec) {
  const Group& g = spec.group;
  const double n = static_cast<double>(g.size());
  CollectivePlan p;
  p.busbw_factor = (n - 1) / n;
  p.algbw_bytes = spec.bytes;
  p.bandwidth_note = "nccl-tests size";
  const double chunk = spec.bytes / n;
  for (size_t s = 0; s < g.size(); ++s) {
    for (size_t d = 0; d < g.size(); ++d) {
      if (s != d) p.flows.push_back({g[s], g[d], chunk, 1});
    }
  }
  return p;
}

CollectivePlan plan_p2p(const CollectiveSpec& spec) {
  if (spec.group.size() != 2) {
    throw core::InputError(fmt::format("p2p needs a group of two GPUs (sender, receiver), not {}", spec.group.size()));
  }
  CollectivePlan p;
  p.algbw_bytes = spec.bytes;
  p.bandwidth_note = "nccl-tests size";
  p.flows.push_back({spec.group[0], spec.group[1], spec.bytes, 1});
  return p;
}

CollectivePlan plan_moe(const CollectiveSpec& spec) {
  const Group& g = spec.group;
  const bool combine = spec.op == CollectiveOp::moe_combine;
  const MoeTraffic t = moe_traffic(spec.moe, g);
  const double b = bytes_per_token(combine ? spec.moe.combine_format : spec.moe.dispatch_format, spec.moe.hidden);
  const int m = t.per_node, nodes = t.nodes;
  CollectivePlan p;
  const bool ll = spec.moe.low_latency;
  auto add = [&](int from, int to, double tokens) {
    if (tokens <= 0 || from == to) return;
    if (combine) std::swap(from, to);
    p.flows.push_back({g[static_cast<size_t>(from)], g[static_cast<size_t>(to)], tokens * b, 1, ll ? b : 0.0});
  };
  double counted = 0;  // DeepEP's bottleneck bytes, summed over ranks
  if (nodes == 1 || !spec.moe.nvlink_forwarding || ll) {
    for (int s = 0; s < t.ranks; ++s) {
      for (int d = 0; d < t.ranks; ++d) add(s, d, t.rank_tokens(s, d));
    }
  } else {
    for (int s = 0; s < t.ranks; ++s) {  // across the fabric: once per node, to the same local index
      for (int node = 0; node < nodes; ++node) {
        if (node != s / m) add(s, node * m + s % m, t.node_tokens(s, node));
      }
    }
    for (int f = 0; f < t.ranks; ++f) {  // forwarded over NVLink to the targets of the node
      const int node = f / m, i = f % m;
      for (int j = 0; j < m; ++j) {
        double tokens = 0;
        for (int from = 0; from < nodes; ++from) tokens += t.rank_tokens(from * m + i, node * m + j);
        if (j != i) add(f, node * m + j, tokens);
      }
    }
  }
  for (int r = 0; r < t.ranks; ++r) {
    if (ll) {
      for (int d = 0; d < t.ranks; ++d) counted += t.rank_tokens(r, d) * b;  // (token, expert) pairs sent
    } else if (nodes == 1) {
      for (int s = 0; s < t.ranks; ++s) counted += t.rank_tokens(s, r) * b;
    } else {
      for (int node = 0; node < nodes; ++node) counted += t.node_tokens(r, node) * b;
    }
  }
  p.algbw_bytes = counted / t.ranks;
  p.busbw_factor = 1;
  p.bandwidth_note = ll            ? "DeepEP low-latency bytes per rank ((token, expert) pairs, own GPU included)"
                     : nodes == 1 ? "DeepEP NVL bytes per rank (tokens received, self included)"
                                  : "DeepEP RDMA bytes per rank ((token, node) pairs, own node included)";
  return p;
}

}  // namespace

int tree_parent(int tree, int k, int nodes) {
  if (tree == 0) return k == 0 ? -1 : (k - 1) / 2;
  const int p = nodes - 1 - k;
  return p == 0 ? -1 : nodes - 1 - (p - 1) / 2;
}

CollectivePlan plan_collective(const CollectiveSpec& spec, const topo::Topology& topology) {
  spec.group.check_in(topology);
  if (!(spec.bytes >= 0) || !std::isfinite(spec.bytes)) throw core::InputError("collective bytes must be >= 0");
  switch (spec.op) {
    case CollectiveOp::all_reduce:
      return spec.algorithm == Algorithm::tree ? plan_tree(spec) : plan_ring(spec);
    case CollectiveOp::all_gather:
    case CollectiveOp::reduce_scatter: return plan_ring(spec);
    case CollectiveOp::all_to_all: return plan_all_to_all(spec);
    case CollectiveOp::p2p: return plan_p2p(spec);
    case CollectiveOp::moe_dispatch:
    case CollectiveOp::moe_combine: return plan_moe(spec);
  }
  return {};
}

void start_collective(FlowNetwork& network, const CollectivePlan& plan, sim::Action on_done,
                      const TransferOptions& options) {
  if (plan.flows.empty()) {
    network.engine().after(0, std::move(on_done));
    return;
  }
  struct Countdown {
    size_t left;
    sim::Action done;
  };
  auto countdown = std::make_shared<Countdown>(Countdown{plan.flows.size(), std::move(on_done)});
  TransferOptions opts = options;
  for (const PlannedFlow& f : plan.flows) {
    opts.latency_steps = f.latency_steps;
    opts.message_bytes = f.message_bytes > 0 ? f.message_bytes : options.message_bytes;
    network.transfer(f.src, f.dst, f.bytes, [countdown] {
      if (--countdown->left == 0 && countdown->done) countdown->done();
    }, opts);
  }
}

double simulate_collective(const CollectivePlan& plan, const topo::Topology& topology, const CommCosts& costs) {
  sim::Engine engine;
  FlowNetwork network(engine, topology, costs);
  sim::Time end = 0;
  start_collective(network, plan, [&] { end = engine.now(); });
  engine.run();
  return sim::to_seconds(end);
}

}  // namespace fleetsim::net
