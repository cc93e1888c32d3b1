// Transformer architectures: dense or mixture-of-experts FFNs; multi-head, grouped-query or
// multi-head latent attention (MLA, DeepSeek-V2/V3); multi-token prediction (MTP) modules.
// Loaded from models/*.yaml (see catalog.h). Sizes are counts of elements, not bytes.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/schema.h"

namespace fleetsim::model {

enum class AttentionKind { mha, gqa, mla };
enum class Activation { swiglu, gelu };

inline constexpr core::NameTable<AttentionKind, 3> kAttentionKinds({{AttentionKind::mha, "mha"},
                                                                  {AttentionKind::gqa, "gqa"},
                                                                  {AttentionKind::mla, "mla"}});
inline constexpr core::NameTable<Activation, 2> kActivations({{Activation::swiglu, "swiglu"},
                                                             {Activation::gelu, "gelu"}});

struct AttentionSpec {
  AttentionKind kind = AttentionKind::gqa;
  int heads = 0;
  int kv_heads = 0;       // MHA: = heads; GQA: divides heads; MLA: 0 (its cache is the latent)
  int head_dim = 0;       // MHA/GQA: per-head size of q, k and v
  bool qkv_bias = false;  // biases on the q, k, v projections (Qwen2.5)
  // MLA: queries and keys/values pass through low-rank latents; keys carry a decoupled RoPE part
  // shared by all heads. The KV cache holds the latent (kv_lora_rank) and the RoPE key.
  int q_lora_rank = 0;  // 0: queries are projected directly
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;

  int qk_head_dim() const { return kind == AttentionKind::mla ? qk_nope_head_dim + qk_rope_head_dim : head_dim; }
  int v_dim() const { return kind == AttentionKind::mla ? v_head_dim : head_dim; }
};

struct MoeSpec {
  int dense_layers = 0;         // the first layers keep a dense FFN
  int routed_experts = 0;
  int shared_experts = 0;       // always-on experts, each of expert_intermediate
  int top_k = 0;                // routed experts per token
  int expert_intermediate = 0;
  int groups = 1;               // expert groups for group-limited routing
  int limited_groups = 0;       // a token's experts lie in at most this many groups (0: no limit)
};

struct ModelSpec {
  std::string id;
  std::vector<std::string> aliases;  // other names of the same architecture (deepseek-r1)
  std::string name;
  std::string source;
  std::string notes;
  core::Provenance provenance;

  int layers = 0;
  int hidden = 0;
  int vocab = 0;
  bool tied_embeddings = false;
  AttentionSpec attention;
  int ffn_intermediate = 0;  // the dense FFN (every layer of a dense model; the first layers of an MoE);
                             // 0 when no layer has one
  Activation activation = Activation::swiglu;
  std::optional<MoeSpec> moe;
  int mtp_depth = 0;         // multi-token-prediction modules (DeepSeek-V3: 1)
  int max_context = 0;       // tokens; 0: not stated

  bool is_moe() const { return moe.has_value(); }
  // Is layer i (0-based) an MoE layer?
  bool is_moe_layer(int i) const { return moe && i >= moe->dense_layers; }
  int moe_layers() const { return moe ? layers - moe->dense_layers : 0; }
  int dense_ffn_layers() const { return layers - moe_layers(); }
};

const core::Schema<AttentionSpec>& attention_schema();
const core::Schema<MoeSpec>& moe_schema();
const core::Schema<ModelSpec>& model_schema();

inline std::string_view attention_kind_name(AttentionKind k) { return kAttentionKinds.name_of(k); }

}  // namespace fleetsim::model
