#include "model/layer_ops.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "model/analytics.h"

namespace fleetsim::model {

namespace {

using core::DType;

double d(int64_t v) { return static_cast<double>(v); }

// An RMSNorm (or any pass that reads and writes a [tokens x width] activation).
Op norm(const char* name, int64_t tokens, int64_t width, DType act) {
  return with_role(make_elementwise(name, 2.0 * d(tokens) * d(width) * core::dtype_bytes(act), 4.0 * d(tokens) * d(width)),
                   OpRole::norm);
}

int64_t split(int64_t value, int tp) { return std::max<int64_t>(1, value / tp); }

}  // namespace

std::vector<Op> attention_ops(const ModelSpec& m, const LayerShape& s) {
  FLEETSIM_CHECK(s.tokens > 0 && s.sequences > 0 && s.tp >= 1, "attention needs tokens, sequences and tp >= 1");
  const auto& a = m.attention;
  const int64_t t = s.tokens;
  const int64_t h = m.hidden;
  const int64_t heads = split(a.heads, s.tp);
  std::vector<Op> ops;
  ops.push_back(norm("attn.norm", t, h, s.act));
  if (a.kind == AttentionKind::mla) {
    const int64_t qk = a.qk_head_dim();
    if (a.q_lora_rank > 0) {
      ops.push_back(make_gemm("attn.q_a_proj", t, a.q_lora_rank, h, s.gemm));
      ops.push_back(norm("attn.q_norm", t, a.q_lora_rank, s.act));
      ops.push_back(
          with_role(make_gemm("attn.q_b_proj", t, heads * qk, a.q_lora_rank, s.gemm), OpRole::latent_up_projection));
    } else {
      ops.push_back(make_gemm("attn.q_proj", t, heads * qk, h, s.gemm));
    }
    ops.push_back(make_gemm("attn.kv_a_proj", t, a.kv_lora_rank + a.qk_rope_head_dim, h, s.gemm));
    ops.push_back(norm("attn.kv_norm", t, a.kv_lora_rank, s.act));
    if (s.decode) {
      // Absorbed: q_nope -> latent through W_UK, attention over the cached latent, latent -> v
      // through W_UV. Together they read the kv_b_proj weights once.
      ops.push_back(make_grouped_gemm("attn.q_absorb", heads, t, a.kv_lora_rank, a.qk_nope_head_dim, s.act));
      const double cache = d(a.kv_lora_rank + a.qk_rope_head_dim) * core::dtype_bytes(s.kv);
      ops.push_back(make_attention_decode("attn.core", s.sequences, heads, s.q_len(), s.keys(),
                                          a.kv_lora_rank + a.qk_rope_head_dim, a.kv_lora_rank, cache, s.act));
      ops.push_back(make_grouped_gemm("attn.v_absorb", heads, t, a.v_head_dim, a.kv_lora_rank, s.act));
    } else {
      ops.push_back(with_role(
          make_gemm("attn.kv_b_proj", t, heads * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank, s.gemm),
          OpRole::latent_up_projection));
      ops.push_back(make_attention_prefill("attn.core", s.sequences, heads, s.q_len(), s.keys(), qk, a.v_head_dim,
                                           true, s.act));
    }
    ops.push_back(make_gemm("attn.o_proj", t, h, heads * a.v_head_dim, s.gemm));
  } else {
    const int64_t kv_heads = split(a.kv_heads, s.tp);
    ops.push_back(make_gemm("attn.qkv_proj", t, (heads + 2 * kv_heads) * a.head_dim, h, s.gemm));
    if (s.decode) {
      const double cache = 2.0 * d(kv_heads) * a.head_dim * core::dtype_bytes(s.kv);
      ops.push_back(make_attention_decode("attn.core", s.sequences, heads, s.q_len(), s.keys(), a.head_dim,
                                          a.head_dim, cache, s.act));
    } else {
      ops.push_back(make_attention_prefill("attn.core", s.sequences, heads, s.q_len(), s.keys(), a.head_dim,
                                           a.head_dim, true, s.act));
    }
    ops.push_back(make_gemm("attn.o_proj", t, h, heads * a.head_dim, s.gemm));
  }
  ops.push_back(with_role(make_elementwise("attn.residual", 3.0 * d(t) * d(h) * core::dtype_bytes(s.act), d(t) * d(h)),
                          OpRole::residual));
  return ops;
}

namespace {
// Up projection, activation and down projection of `groups` FFNs sharing `rows` rows.
void add_mlp(std::vector<Op>& ops, const char* up_name, const char* act_name, const char* down_name,
             const ModelSpec& m, int64_t groups, int64_t rows, int64_t width, const LayerShape& s) {
  const bool swiglu = m.activation == Activation::swiglu;
  const int64_t up_width = swiglu ? 2 * width : width;
  ops.push_back(make_grouped_gemm_rows(up_name, groups, rows, up_width, m.hidden, s.gemm));
  // The activation reads the up projection and writes the gated result.
  const double cells = d(rows) * d(width);
  ops.push_back(make_elementwise(act_name, (swiglu ? 3.0 : 2.0) * cells * core::dtype_bytes(s.act),
                                 (swiglu ? 5.0 : 8.0) * cells));
  ops.push_back(make_grouped_gemm_rows(down_name, groups, rows, m.hidden, width, s.gemm));
}
}  // namespace

std::vector<Op> ffn_ops(const ModelSpec& m, int layer, const LayerShape& s) {
  const int64_t t = s.tokens;
  std::vector<Op> ops;
  ops.push_back(norm("ffn.norm", t, m.hidden, s.act));
  if (!m.is_moe_layer(layer)) {
    add_mlp(ops, "ffn.up_proj", "ffn.act", "ffn.down_proj", m, 1, t, split(m.ffn_intermediate, s.tp), s);
  } else {
    const auto& e = *m.moe;
    // The router stays in BF16 (DeepSeek-V3 keeps gating out of FP8).
    ops.push_back(make_gemm("moe.router", t, e.routed_experts, m.hidden, DType::bf16, DType::fp32));
    ops.push_back(make_elementwise("moe.topk", d(t) * e.routed_experts * 4.0, d(t) * e.routed_experts * 4.0));
    if (e.shared_experts > 0) {
      add_mlp(ops, "moe.shared_up", "moe.shared_act", "moe.shared_down", m, 1, t,
              split(static_cast<int64_t>(e.shared_experts) * e.expert_intermediate, s.tp), s);
    }
    const int64_t local = s.local_experts > 0 ? s.local_experts : e.routed_experts;
    if (s.expert_tokens > 0) {
      // Rows spread evenly: balanced routing, as DeepSeek's auxiliary-loss-free balancing aims for.
      // Experts that receive no row are not read.
      const int64_t groups = std::min<int64_t>(local, s.expert_tokens);
      add_mlp(ops, "moe.experts_up", "moe.experts_act", "moe.experts_down", m, groups, s.expert_tokens,
              e.expert_intermediate, s);
    }
    ops.push_back(make_elementwise("moe.combine", 3.0 * d(t) * m.hidden * core::dtype_bytes(s.act),
                                   d(t) * m.hidden * (e.top_k + 1)));
  }
  return ops;
}

std::vector<Op> embedding_ops(const ModelSpec& m, const LayerShape& s) {
  return {make_memcpy("embedding.gather", 2.0 * d(s.tokens) * m.hidden * core::dtype_bytes(s.act))};
}

std::vector<Op> head_ops(const ModelSpec& m, const LayerShape& s) {
  const int64_t t = s.tokens;
  const int64_t vocab = split(m.vocab, s.tp);
  // The output head stays in BF16 (DeepSeek-V3 keeps it out of FP8).
  return {norm("head.norm", t, m.hidden, s.act), make_gemm("head.proj", t, vocab, m.hidden, DType::bf16),
          make_elementwise("head.softmax", 2.0 * d(t) * d(vocab) * 4.0, 5.0 * d(t) * d(vocab))};
}

std::vector<Op> mtp_ops(const ModelSpec& m, const LayerShape& s) {
  const int64_t t = s.tokens;
  std::vector<Op> ops = {norm("mtp.hidden_norm", t, m.hidden, s.act), norm("mtp.embed_norm", t, m.hidden, s.act),
                         make_gemm("mtp.proj", t, m.hidden, 2 * static_cast<int64_t>(m.hidden), s.gemm)};
  for (auto& op : attention_ops(m, s)) ops.push_back(std::move(op));
  for (auto& op : ffn_ops(m, m.layers - 1, s)) ops.push_back(std::move(op));
  for (auto& op : head_ops(m, s)) ops.push_back(std::move(op));
  for (auto& op : ops) op.name = op.name.rfind("mtp.", 0) == 0 ? op.name : "mtp." + op.name;
  return ops;
}

double total_flops(const std::vector<Op>& ops) {
  return std::accumulate(ops.begin(), ops.end(), 0.0, [](double acc, const Op& op) { return acc + op.flops; });
}

}  // namespace fleetsim::model
