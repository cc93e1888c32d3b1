// MoE token traffic: which tokens of which GPU go to which node and GPU, under node-limited
// routing (DeepSeek-V3 §2.1.2: a token's experts lie on at most M nodes), as DeepEP's normal
// kernels move them (github.com/deepseek-ai/DeepEP, tests/test_internode.py).
//
// Routing model (DeepEP's tests, uniform gates): the EP group of n ranks on N nodes (m ranks
// per node, node by node) holds E routed experts, e = E / n per rank, contiguous. A token picks
// M' = min(M, N) nodes uniformly, then its top-k experts uniformly among the M' E/N experts of
// those nodes. Expected values (for the analytic fidelity and for symmetric tests):
//   P(a node receives the token) = (M'/N) (1 - C((M'-1) E/N, k) / C(M' E/N, k))
//   P(a rank receives the token) = (M'/N) (1 - C(M' E/N - e, k) / C(M' E/N, k))
// Worked number (EP64: N = 8, m = 8, E = 256, k = 8, M = 4): a node's 32 experts out of 128:
// P(node) = 1/2 x (1 - C(96,8)/C(128,8)) = 1/2 x (1 - 0.0927) = 0.4536; a token reaches
// 8 x 0.4536 = 3.63 nodes on average.
//
// Bytes per token: FP8 with one FP32 scale per 128 channels (DeepSeek-V3 §3.3, DeepEP's FP8
// dispatch) = h (1 + 4/128) = 7,392 B for h = 7168; BF16 = 2h = 14,336 B.
#pragma once

#include <cstdint>
#include <vector>

#include "net/group.h"

namespace fleetsim::net {

enum class TokenFormat { fp8_scaled, bf16 };
enum class MoeRouting {
  sampled,   // every token's experts drawn with core::Rng(seed), as DeepEP's tests do
  expected,  // expected token counts: smooth and symmetric
};

struct MoeSpec {
  int64_t tokens_per_gpu = 4096;
  int hidden = 7168;
  int topk = 8;
  int max_nodes = 4;  // M of node-limited routing; 0: no limit
  int experts = 0;    // routed experts over the group; 0: 256 rounded down to a multiple of the group (DeepEP's tests)
  TokenFormat dispatch_format = TokenFormat::fp8_scaled;
  TokenFormat combine_format = TokenFormat::bf16;
  // DeepEP: a token crosses the fabric once, to the GPU with its local index on the target node,
  // which forwards it over NVLink. false: one direct transfer per (token, target GPU).
  bool nvlink_forwarding = true;
  // DeepEP's low-latency kernels (decode): one RDMA write per (token, expert), each token sent
  // directly to every GPU holding one of its experts (NVLink inside the node, no forwarding), in
  // messages of one token. Implies nvlink_forwarding = false; to_rank counts (token, expert)
  // pairs. The normal kernels batch each (token, node) pair into large transfers.
  bool low_latency = false;
  MoeRouting routing = MoeRouting::sampled;
  uint64_t seed = 1;
};

double bytes_per_token(TokenFormat format, int hidden);

// Tokens per (source rank, destination node) and (source rank, destination rank), counting a
// token once per node and once per rank however many of its experts are there (DeepEP sends
// one copy). Self and own node included. Expected counts may be fractional.
struct MoeTraffic {
  int ranks = 0;
  int nodes = 0;
  int per_node = 0;
  int experts = 0;
  std::vector<double> to_node;  // [src rank * nodes + dst node index]
  std::vector<double> to_rank;  // [src rank * ranks + dst rank]

  double node_tokens(int src, int node) const { return to_node[static_cast<size_t>(src * nodes + node)]; }
  double rank_tokens(int src, int dst) const { return to_rank[static_cast<size_t>(src * ranks + dst)]; }
};

// Throws core::InputError when the group is not node by node and regular, or the experts do not
// divide over it, or top-k exceeds the experts the routing may choose from.
MoeTraffic moe_traffic(const MoeSpec& spec, const Group& group);

// The experts a spec gives a group (resolving experts = 0).
int moe_experts(const MoeSpec& spec, const Group& group);

// The expected probabilities of the header, for one token.
struct MoeProbabilities {
  double node = 0;  // a given node receives the token
  double rank = 0;  // a given rank receives the token
};
MoeProbabilities moe_probabilities(const MoeSpec& spec, const Group& group);

}  // namespace fleetsim::net
