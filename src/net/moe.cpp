#include "net/moe.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/rng.h"

namespace fleetsim::net {

double bytes_per_token(TokenFormat format, int hidden) {
  switch (format) {
    case TokenFormat::fp8_scaled: return hidden + 4.0 * hidden / 128.0;  // values + one FP32 scale per 128
    case TokenFormat::bf16: return 2.0 * hidden;
  }
  return 0;
}

int moe_experts(const MoeSpec& spec, const Group& group) {
  const int n = static_cast<int>(group.size());
  return spec.experts > 0 ? spec.experts : (256 / n) * n;
}

namespace {

struct Shape {
  int ranks, nodes, per_node, experts, per_rank, node_limit;
};

Shape check_shape(const MoeSpec& spec, const Group& group) {
  if (!group.node_major()) {
    throw core::InputError("an EP group must list the same GPUs of every node, node by node");
  }
  Shape s{static_cast<int>(group.size()), group.node_count(), group.per_node(), moe_experts(spec, group), 0, 0};
  if (s.experts < s.ranks || s.experts % s.ranks != 0) {
    throw core::InputError(fmt::format("{} routed experts do not divide over an EP group of {} GPUs", s.experts,
                                       s.ranks));
  }
  s.per_rank = s.experts / s.ranks;
  s.node_limit = spec.max_nodes > 0 ? std::min(spec.max_nodes, s.nodes) : s.nodes;
  if (spec.topk < 1 || spec.topk > s.node_limit * s.per_rank * s.per_node) {
    throw core::InputError(fmt::format("top-{} routing needs at least {} experts on the {} node(s) a token may use",
                                       spec.topk, spec.topk, s.node_limit));
  }
  if (spec.tokens_per_gpu < 0 || spec.hidden < 1) throw core::InputError("MoE tokens must be >= 0 and hidden >= 1");
  return s;
}

// C(a, k) / C(b, k) for a <= b: the chance that k distinct picks out of b all avoid b - a items.
double choose_ratio(int a, int b, int k) {
  double r = 1;
  for (int i = 0; i < k; ++i) r *= a - i <= 0 ? 0.0 : static_cast<double>(a - i) / (b - i);
  return r;
}

}  // namespace

MoeProbabilities moe_probabilities(const MoeSpec& spec, const Group& group) {
  const Shape s = check_shape(spec, group);
  const int pool = s.node_limit * s.per_node * s.per_rank;  // experts of the chosen nodes
  const double chosen = static_cast<double>(s.node_limit) / s.nodes;
  return {chosen * (1 - choose_ratio(pool - s.per_node * s.per_rank, pool, spec.topk)),
          chosen * (1 - choose_ratio(pool - s.per_rank, pool, spec.topk))};
}

MoeTraffic moe_traffic(const MoeSpec& spec, const Group& group) {
  const Shape s = check_shape(spec, group);
  MoeTraffic t{s.ranks, s.nodes, s.per_node, s.experts, {}, {}};
  t.to_node.assign(static_cast<size_t>(s.ranks) * s.nodes, 0.0);
  t.to_rank.assign(static_cast<size_t>(s.ranks) * s.ranks, 0.0);
  const double tokens = static_cast<double>(spec.tokens_per_gpu);
  if (spec.routing == MoeRouting::expected) {
    const auto p = moe_probabilities(spec, group);
    std::fill(t.to_node.begin(), t.to_node.end(), tokens * p.node);
    // Low latency: a copy per expert, topk/ranks per rank on average whatever the node limit
    // (each pick lands on every rank alike).
    std::fill(t.to_rank.begin(), t.to_rank.end(),
              tokens * (spec.low_latency ? static_cast<double>(spec.topk) / s.ranks : p.rank));
    return t;
  }
  const core::Rng root(spec.seed);
  const int node_experts = s.per_node * s.per_rank;
  std::vector<int> nodes(static_cast<size_t>(s.nodes)), picks;
  std::vector<char> node_hit(static_cast<size_t>(s.nodes)), rank_hit(static_cast<size_t>(s.ranks));
  for (int src = 0; src < s.ranks; ++src) {
    core::Rng rng = root.split(static_cast<uint64_t>(src));  // each rank its own stream
    double* to_node = &t.to_node[static_cast<size_t>(src) * s.nodes];
    double* to_rank = &t.to_rank[static_cast<size_t>(src) * s.ranks];
    for (int64_t token = 0; token < spec.tokens_per_gpu; ++token) {
      for (int n = 0; n < s.nodes; ++n) nodes[static_cast<size_t>(n)] = n;
      for (int i = 0; i < s.node_limit; ++i) {  // M' distinct nodes: a partial Fisher-Yates shuffle
        std::swap(nodes[static_cast<size_t>(i)], nodes[static_cast<size_t>(i) + rng.below(s.nodes - i)]);
      }
      picks.clear();
      while (static_cast<int>(picks.size()) < spec.topk) {  // k distinct experts among theirs
        const int e = static_cast<int>(rng.below(static_cast<uint64_t>(s.node_limit) * node_experts));
        if (std::find(picks.begin(), picks.end(), e) == picks.end()) picks.push_back(e);
      }
      std::fill(node_hit.begin(), node_hit.end(), 0);
      std::fill(rank_hit.begin(), rank_hit.end(), 0);
      for (int e : picks) {
        const int node = nodes[static_cast<size_t>(e / node_experts)];
        const int rank = node * s.per_node + (e % node_experts) / s.per_rank;
        if (!node_hit[static_cast<size_t>(node)]) ++to_node[node];
        if (!rank_hit[static_cast<size_t>(rank)] || spec.low_latency) ++to_rank[rank];
        node_hit[static_cast<size_t>(node)] = 1;
        rank_hit[static_cast<size_t>(rank)] = 1;
      }
    }
  }
  return t;
}

}  // namespace fleetsim::net
