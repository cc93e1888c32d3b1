// An Op is one unit of GPU work: its kind and shape, the FLOPs it performs and the HBM bytes it
// must move at least. Ops are built here and by train/ and serve/; calib/ prices them
// (OpCost::seconds). Shapes are per GPU, after any parallel split.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/dtype.h"
#include "core/names.h"

namespace fleetsim::model {

enum class OpKind {
  gemm,               // [m x k] * [k x n]
  grouped_gemm,       // `groups` independent [m x k] * [k x n], one per expert (m per group)
  attention_prefill,  // flash attention over q_len queries and kv_len keys per sequence
  attention_decode,   // q_len (1, or 1 + MTP drafts) queries against a cached context of kv_len
  elementwise,        // norms, activations, residual adds, casts: bandwidth-bound
  memcpy,             // a copy within HBM
};

inline constexpr core::NameTable<OpKind, 6> kOpKinds({{OpKind::gemm, "gemm"},
                                                    {OpKind::grouped_gemm, "grouped_gemm"},
                                                    {OpKind::attention_prefill, "attention_prefill"},
                                                    {OpKind::attention_decode, "attention_decode"},
                                                    {OpKind::elementwise, "elementwise"},
                                                    {OpKind::memcpy, "memcpy"}});
inline std::string_view op_kind_name(OpKind k) { return kOpKinds.name_of(k); }

// What an op is in its layer, where an engine treats ops of one kind differently (the training
// model's recomputation and sequence parallelism do). Set where the op is built
// (model/layer_ops.cpp); names are for outputs only.
enum class OpRole {
  other,
  norm,                  // an RMSNorm over a [tokens x width] activation
  residual,              // the residual add after attention
  latent_up_projection,  // MLA's up-projection from a latent (q_b_proj, kv_b_proj)
};

inline constexpr core::NameTable<OpRole, 4> kOpRoles({{OpRole::other, "other"},
                                                    {OpRole::norm, "norm"},
                                                    {OpRole::residual, "residual"},
                                                    {OpRole::latent_up_projection, "latent_up_projection"}});
inline std::string_view op_role_name(OpRole r) { return kOpRoles.name_of(r); }

struct Op {
  OpKind kind = OpKind::elementwise;
  std::string name;                     // "attn.q_b_proj"
  OpRole role = OpRole::other;
  core::DType dtype = core::DType::bf16;  // tensor-core input format (gemm, attention)
  int64_t m = 0, n = 0, k = 0, groups = 1;
  int64_t batch = 0, heads = 0, q_len = 0, kv_len = 0, d_qk = 0, d_v = 0;
  bool causal = false;
  double flops = 0;  // work
  double bytes = 0;  // minimum HBM traffic
};

// groups x [m x k] * [k x n]: 2mnk FLOPs per group; reads A and B in `in`, writes C in `out`.
Op make_gemm(std::string name, int64_t m, int64_t n, int64_t k, core::DType in, core::DType out = core::DType::bf16);
Op make_grouped_gemm(std::string name, int64_t groups, int64_t m_per_group, int64_t n, int64_t k, core::DType in,
                     core::DType out = core::DType::bf16);
// `groups` experts sharing `total_rows` rows as evenly as they divide: FLOPs and bytes count the
// rows exactly; m is the largest group's rows (what shapes the kernel).
Op make_grouped_gemm_rows(std::string name, int64_t groups, int64_t total_rows, int64_t n, int64_t k, core::DType in,
                          core::DType out = core::DType::bf16);
// batch sequences of q_len queries over kv_len keys (kv_len >= q_len; the excess is a cached
// prefix). Causal: a query sees the keys up to its own position, kv_len - q_len/2 on average. Reads Q, K, V and writes O once (flash attention keeps scores on chip).
Op make_attention_prefill(std::string name, int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len,
                          int64_t d_qk, int64_t d_v, bool causal, core::DType dtype);
// batch requests of q_len new tokens over kv_len cached tokens; reads the cache
// (kv_bytes_per_token of one layer, per GPU) and the queries, writes the outputs.
Op make_attention_decode(std::string name, int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len,
                         int64_t d_qk, int64_t d_v, double kv_bytes_per_token, core::DType dtype);
Op make_elementwise(std::string name, double bytes, double flops = 0);
Op make_memcpy(std::string name, double bytes);
// op with its role set.
Op with_role(Op op, OpRole role);

}  // namespace fleetsim::model
