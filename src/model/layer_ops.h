// The forward ops of a transformer's pieces on one GPU, for a given number of tokens and the
// parallel split. Training and serving both build their step graphs from these, so the work
// they price is the work model analytics counts (a test checks that the sums agree).
//
// Backward passes are derived by the training model (train/), not here.
#pragma once

#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "model/model_spec.h"
#include "model/op.h"

namespace fleetsim::model {

struct LayerShape {
  int64_t tokens = 0;        // tokens through attention and the dense/shared FFN on this GPU
  int64_t sequences = 1;     // sequences (training, prefill) or requests (decode) they belong to
  bool decode = false;       // decode: each request adds tokens/sequences queries to a cached context
  int64_t kv_len = 0;        // keys per sequence: cached context + new tokens; 0 = tokens/sequences
  int tp = 1;                // tensor-parallel degree of attention heads and the dense FFN
  int64_t expert_tokens = 0; // routed (token, expert) pairs computed on this GPU
  int local_experts = 0;     // routed experts held by this GPU; 0 = all of them
  core::DType gemm = core::DType::bf16;  // format of the linear layers (bf16 or fp8)
  core::DType act = core::DType::bf16;   // activations and attention
  core::DType kv = core::DType::bf16;    // KV cache (decode)

  int64_t q_len() const { return sequences > 0 ? tokens / sequences : tokens; }
  int64_t keys() const { return kv_len > 0 ? kv_len : q_len(); }
};

// Pre-attention norm, projections, attention core, output projection and residual add.
// MLA in decode runs absorbed (queries and outputs mapped through the latent), as FlashMLA does.
std::vector<Op> attention_ops(const ModelSpec& m, const LayerShape& s);
// Pre-FFN norm and the FFN of layer `layer`: dense, or router + shared + routed experts.
// Routed experts compute s.expert_tokens rows spread evenly over the local experts.
std::vector<Op> ffn_ops(const ModelSpec& m, int layer, const LayerShape& s);
// Embedding lookup (a gather).
std::vector<Op> embedding_ops(const ModelSpec& m, const LayerShape& s);
// Final norm and output head (vocab split over tp), and the softmax over the logits.
std::vector<Op> head_ops(const ModelSpec& m, const LayerShape& s);
// One MTP module: norms, the 2d -> d projection, one transformer layer, and the shared head.
std::vector<Op> mtp_ops(const ModelSpec& m, const LayerShape& s);

// Sum of FLOPs of ops.
double total_flops(const std::vector<Op>& ops);

}  // namespace fleetsim::model
