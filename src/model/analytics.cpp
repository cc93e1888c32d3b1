#include "model/analytics.h"

namespace fleetsim::model {

namespace {
double d(int v) { return static_cast<double>(v); }
int ffn_matrices(const ModelSpec& m) { return m.activation == Activation::swiglu ? 3 : 2; }
}  // namespace

double attention_params(const ModelSpec& m) {
  const auto& a = m.attention;
  const double h = d(m.hidden);
  if (a.kind == AttentionKind::mla) {
    double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + d(a.q_lora_rank) /* q norm */ +
                                       d(a.q_lora_rank) * a.heads * a.qk_head_dim()
                                 : h * a.heads * a.qk_head_dim();
    double kv_down = h * (a.kv_lora_rank + a.qk_rope_head_dim) + d(a.kv_lora_rank) /* kv norm */;
    double kv_up = d(a.kv_lora_rank) * a.heads * (a.qk_nope_head_dim + a.v_head_dim);
    double out = d(a.heads) * a.v_head_dim * h;
    return q + kv_down + kv_up + out;
  }
  double qkv = h * (a.heads + 2.0 * a.kv_heads) * a.head_dim;
  double bias = a.qkv_bias ? (a.heads + 2.0 * a.kv_heads) * a.head_dim : 0.0;
  double out = d(a.heads) * a.head_dim * h;
  return qkv + bias + out;
}

double dense_ffn_params(const ModelSpec& m, int intermediate) {
  return ffn_matrices(m) * d(m.hidden) * intermediate;
}

double expert_params(const ModelSpec& m) { return m.moe ? dense_ffn_params(m, m.moe->expert_intermediate) : 0.0; }

double router_params(const ModelSpec& m) { return m.moe ? d(m.hidden) * m.moe->routed_experts : 0.0; }

double layer_norm_params(const ModelSpec& m) { return 2.0 * m.hidden; }

namespace {
// Parameters of the FFN of layer i, total and active per token.
std::pair<double, double> ffn_params(const ModelSpec& m, int i) {
  if (!m.is_moe_layer(i)) {
    double p = dense_ffn_params(m, m.ffn_intermediate);
    return {p, p};
  }
  const auto& e = *m.moe;
  const double one = expert_params(m);
  double total = one * (e.routed_experts + e.shared_experts) + router_params(m);
  double active = one * (e.top_k + e.shared_experts) + router_params(m);
  return {total, active};
}
}  // namespace

double mtp_module_params(const ModelSpec& m) {
  // One module: RMSNorms of the previous hidden state and of the next token's embedding, a
  // projection of their concatenation (2d -> d), one transformer layer (an MoE layer when the
  // model has MoE layers), and the norm before the shared output head.
  const double h = d(m.hidden);
  const int last = m.layers - 1;
  return 2 * h + 2 * h * h + attention_params(m) + layer_norm_params(m) + ffn_params(m, last).first + h;
}

ParamCounts count_params(const ModelSpec& m) {
  ParamCounts c;
  const double h = d(m.hidden);
  c.embedding = d(m.vocab) * h;
  c.output_head = m.tied_embeddings ? 0.0 : d(m.vocab) * h;
  c.attention = attention_params(m) * m.layers;
  c.norms = layer_norm_params(m) * m.layers + h;  // + the final norm
  double ffn_active = 0;
  for (int i = 0; i < m.layers; ++i) {
    if (m.is_moe_layer(i)) {
      const auto& e = *m.moe;
      c.routed_experts += expert_params(m) * e.routed_experts;
      c.shared_experts += expert_params(m) * e.shared_experts;
      c.router += router_params(m);
    } else {
      c.dense_ffn += dense_ffn_params(m, m.ffn_intermediate);
    }
    ffn_active += ffn_params(m, i).second;
  }
  c.total = c.embedding + c.output_head + c.attention + c.dense_ffn + c.routed_experts + c.shared_experts +
            c.router + c.norms;
  // Matmuls a token runs through: attention projections (their biases and norms are not
  // matmuls), the active FFN/experts and router, and the output head (tied or not).
  double attention_matmul = attention_params(m);
  if (m.attention.kind == AttentionKind::mla) {
    attention_matmul -= d(m.attention.kv_lora_rank) + (m.attention.q_lora_rank > 0 ? d(m.attention.q_lora_rank) : 0.0);
  } else if (m.attention.qkv_bias) {
    attention_matmul -= (m.attention.heads + 2.0 * m.attention.kv_heads) * m.attention.head_dim;
  }
  const double head = d(m.vocab) * h;
  c.active_matmul = attention_matmul * m.layers + ffn_active + head;
  // Read per token: its embedding row, the head, every layer's attention and norms, the active
  // FFN parameters, and the final norm.
  c.active = h + head + (attention_params(m) + layer_norm_params(m)) * m.layers + ffn_active + h;
  if (m.mtp_depth > 0) {
    c.mtp_total = mtp_module_params(m) * m.mtp_depth;
    const auto [ffn_total, ffn_act] = ffn_params(m, m.layers - 1);
    (void)ffn_total;
    c.mtp_active_matmul = (2 * h * h + attention_matmul + ffn_act + head) * m.mtp_depth;
  }
  return c;
}

double attention_core_flops(const ModelSpec& m, double keys) {
  const auto& a = m.attention;
  return 2.0 * a.heads * (a.qk_head_dim() + a.v_dim()) * keys;
}

TrainFlops train_flops_per_token(const ModelSpec& m, int64_t seq, bool causal, bool include_mtp) {
  const ParamCounts c = count_params(m);
  const double keys = causal ? d(static_cast<int>(seq)) / 2.0 : d(static_cast<int>(seq));
  TrainFlops f;
  f.matmul = 6.0 * c.active_matmul;
  f.attention = 3.0 * attention_core_flops(m, keys) * m.layers;
  if (include_mtp && m.mtp_depth > 0) {
    f.mtp = 6.0 * c.mtp_active_matmul + 3.0 * attention_core_flops(m, keys) * m.mtp_depth;
  }
  f.total = f.matmul + f.attention + f.mtp;
  return f;
}

double prefill_flops_per_token(const ModelSpec& m, int64_t seq) {
  const ParamCounts c = count_params(m);
  return 2.0 * c.active_matmul + attention_core_flops(m, static_cast<double>(seq) / 2.0) * m.layers;
}

double decode_flops_per_token(const ModelSpec& m, int64_t context) {
  const ParamCounts c = count_params(m);
  const auto& a = m.attention;
  const double keys = static_cast<double>(context);
  double core = 0;
  if (a.kind == AttentionKind::mla) {
    core = 2.0 * a.heads * ((a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank) * keys;
  } else {
    core = attention_core_flops(m, keys);
  }
  return 2.0 * c.active_matmul + core * m.layers;
}

double kv_cache_bytes_per_token(const ModelSpec& m, core::DType kv) {
  const auto& a = m.attention;
  double elements = a.kind == AttentionKind::mla ? d(a.kv_lora_rank + a.qk_rope_head_dim)
                                                  : 2.0 * a.kv_heads * a.head_dim;
  return elements * m.layers * core::dtype_bytes(kv);
}

StateBytes training_state_bytes(double params, const StatePrecision& p) {
  StateBytes s;
  s.weights = params * core::dtype_bytes(p.weights);
  s.gradients = params * core::dtype_bytes(p.gradients);
  s.master = p.master == p.weights ? 0.0 : params * core::dtype_bytes(p.master);
  s.moments = 2.0 * params * core::dtype_bytes(p.moments);
  s.total = s.weights + s.gradients + s.master + s.moments;
  return s;
}

}  // namespace fleetsim::model
