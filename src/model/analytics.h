// What a model costs by construction, before any hardware: parameters, FLOPs per token, KV-cache
// bytes per token, and the bytes of training state.
//
// Conventions (those of the DeepSeek-V3 paper, ISCA'25 "Insights into DeepSeek-V3", Megatron and
// PaLM's MFU):
//  - a matrix of P parameters costs 2P FLOPs per token forward; backward costs twice forward,
//    so training costs 3x forward: 6P per token for the matmuls;
//  - attention's core (QK^T and PV) costs 2 * heads * (d_qk + d_v) FLOPs per query per key;
//    causal attention over a sequence of S tokens sees S/2 keys per query on average;
//  - "active" parameters are those a token's forward pass reads: of the input embedding only its
//    own row, of the MoE layers the shared and top-k routed experts and the router.
//
// Worked number (DeepSeek-V3, sequence 4096): active matmul parameters 36.63B -> 6 x 36.63B =
// 219.8 GFLOP; attention 3 x 61 layers x 2 x 128 x (192 + 128) x 2048 = 30.7 GFLOP; total 250.4
// GFLOP per token, against ISCA'25's 250.
#pragma once

#include <cstdint>

#include "core/dtype.h"
#include "model/model_spec.h"

namespace fleetsim::model {

// Parameters of one piece of one layer.
double attention_params(const ModelSpec& m);               // projections and their norms
double dense_ffn_params(const ModelSpec& m, int intermediate);
double expert_params(const ModelSpec& m);                  // one routed or shared expert
double router_params(const ModelSpec& m);                  // the gate of one MoE layer
double layer_norm_params(const ModelSpec& m);              // the two RMSNorms around attention and FFN
double mtp_module_params(const ModelSpec& m);              // one MTP module, embedding and head shared

struct ParamCounts {
  double embedding = 0;       // input table
  double output_head = 0;     // 0 when tied
  double attention = 0;       // all layers
  double dense_ffn = 0;
  double routed_experts = 0;
  double shared_experts = 0;
  double router = 0;
  double norms = 0;
  double total = 0;           // the model, MTP modules excluded (how papers quote size)
  double active = 0;          // read per token: embedding row, head, attention, active experts
  double active_matmul = 0;   // in matrix multiplies per token: what 2P FLOPs counts
  double mtp_total = 0;       // unique parameters of the MTP modules (embedding and head shared)
  double mtp_active_matmul = 0;  // including the shared output head they run through
};
ParamCounts count_params(const ModelSpec& m);

// Attention core FLOPs of one layer for one query token seeing `keys` keys, forward.
double attention_core_flops(const ModelSpec& m, double keys);

struct TrainFlops {
  double matmul = 0;     // 6 x active matmul parameters
  double attention = 0;  // 3 x forward attention core
  double mtp = 0;        // the MTP modules, when included
  double total = 0;
};
// FLOPs per trained token at sequence length seq. include_mtp adds the MTP modules' cost
// (papers' per-token figures leave it out).
TrainFlops train_flops_per_token(const ModelSpec& m, int64_t seq, bool causal = true, bool include_mtp = false);

// Forward FLOPs per token of a prompt of length seq (causal).
double prefill_flops_per_token(const ModelSpec& m, int64_t seq);
// Forward FLOPs of one generated token at context length `context`. For MLA the attention runs
// in the latent space (weights absorbed, as FlashMLA does): scores over kv_lora_rank + rope
// dimensions, values over kv_lora_rank. For MHA/GQA, over head_dim.
double decode_flops_per_token(const ModelSpec& m, int64_t context);

// KV-cache bytes one token occupies over all layers: MLA caches the latent and the RoPE key
// ((kv_lora_rank + qk_rope_head_dim) x layers); MHA/GQA caches K and V
// (2 x kv_heads x head_dim x layers). dtype bytes each (int6: 0.75).
double kv_cache_bytes_per_token(const ModelSpec& m, core::DType kv);

// Bytes of training state per parameter by format: weights, gradients, FP32 master copy
// (none when master is the weight format) and the two Adam moments.
struct StatePrecision {
  core::DType weights = core::DType::bf16;
  core::DType gradients = core::DType::bf16;
  core::DType master = core::DType::fp32;
  core::DType moments = core::DType::fp32;
};
struct StateBytes {
  double weights = 0;
  double gradients = 0;
  double master = 0;
  double moments = 0;
  double total = 0;
};
StateBytes training_state_bytes(double params, const StatePrecision& p);

}  // namespace fleetsim::model
