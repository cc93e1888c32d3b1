#include "model/model_spec.h"

#include <fmt/format.h>

namespace fleetsim::model {

using core::at_least;

const core::Schema<AttentionSpec>& attention_schema() {
  static const auto s =
      core::Schema<AttentionSpec>("attention", "Attention: multi-head (mha), grouped-query (gqa) or latent (mla).")
          .choice("kind", &AttentionSpec::kind, kAttentionKinds, "Attention variant.")
          .integer("heads", &AttentionSpec::heads, "Query heads.", at_least(1))
          .integer("kv_heads", &AttentionSpec::kv_heads, "Key/value heads (gqa); equal to heads for mha.",
                   at_least(0), 0)
          .integer("head_dim", &AttentionSpec::head_dim, "Per-head size of q, k, v (mha, gqa).", at_least(0), 0)
          .flag("qkv_bias", &AttentionSpec::qkv_bias, "Biases on the q, k, v projections.", false)
          .integer("q_lora_rank", &AttentionSpec::q_lora_rank, "MLA query latent size; 0: no query compression.",
                   at_least(0), 0)
          .integer("kv_lora_rank", &AttentionSpec::kv_lora_rank, "MLA key/value latent size (d_c).", at_least(0), 0)
          .integer("qk_nope_head_dim", &AttentionSpec::qk_nope_head_dim, "MLA per-head key size without RoPE.",
                   at_least(0), 0)
          .integer("qk_rope_head_dim", &AttentionSpec::qk_rope_head_dim, "MLA decoupled RoPE key size (d_h^R).",
                   at_least(0), 0)
          .integer("v_head_dim", &AttentionSpec::v_head_dim, "MLA per-head value size.", at_least(0), 0)
          .check([](const core::ConfigNode& n, AttentionSpec& a) {
            if (a.kind == AttentionKind::mla) {
              for (auto [key, v] : {std::pair{"kv_lora_rank", a.kv_lora_rank},
                                    std::pair{"qk_nope_head_dim", a.qk_nope_head_dim},
                                    std::pair{"qk_rope_head_dim", a.qk_rope_head_dim},
                                    std::pair{"v_head_dim", a.v_head_dim}}) {
                if (v <= 0) n.fail_at(key, fmt::format("mla attention needs {} > 0", key));
              }
              if (a.head_dim != 0 || a.kv_heads != 0) {
                n.fail_at(a.head_dim != 0 ? "head_dim" : "kv_heads",
                          "mla attention takes qk_nope_head_dim, qk_rope_head_dim and v_head_dim, not head_dim or kv_heads");
              }
              return;
            }
            if (a.head_dim <= 0) n.fail_at("head_dim", "mha and gqa attention need head_dim > 0");
            if (a.kind == AttentionKind::mha) {
              if (a.kv_heads == 0) a.kv_heads = a.heads;
              if (a.kv_heads != a.heads) n.fail_at("kv_heads", "mha has as many kv_heads as heads; use kind: gqa");
            } else {
              if (a.kv_heads <= 0) n.fail_at("kv_heads", "gqa needs kv_heads > 0");
              if (a.heads % a.kv_heads != 0) {
                n.fail_at("kv_heads", fmt::format("kv_heads ({}) must divide heads ({})", a.kv_heads, a.heads));
              }
            }
            if (a.q_lora_rank || a.kv_lora_rank || a.qk_nope_head_dim || a.qk_rope_head_dim || a.v_head_dim) {
              n.fail("the *_rank and *_head_dim fields of MLA apply only to kind: mla");
            }
          });
  return s;
}

const core::Schema<MoeSpec>& moe_schema() {
  static const auto s =
      core::Schema<MoeSpec>("moe", "Mixture-of-experts FFN layers.")
          .integer("dense_layers", &MoeSpec::dense_layers, "Leading layers that keep a dense FFN.", at_least(0), 0)
          .integer("routed_experts", &MoeSpec::routed_experts, "Routed experts per MoE layer.", at_least(1))
          .integer("shared_experts", &MoeSpec::shared_experts, "Always-active experts per MoE layer.", at_least(0), 0)
          .integer("top_k", &MoeSpec::top_k, "Routed experts per token.", at_least(1))
          .integer("expert_intermediate", &MoeSpec::expert_intermediate, "FFN width of one expert.", at_least(1))
          .integer("groups", &MoeSpec::groups, "Expert groups for group-limited routing.", at_least(1), 1)
          .integer("limited_groups", &MoeSpec::limited_groups,
                   "A token's experts lie in at most this many groups; 0: no limit.", at_least(0), 0)
          .check([](const core::ConfigNode& n, MoeSpec& m) {
            if (m.top_k > m.routed_experts) {
              n.fail_at("top_k", fmt::format("top_k ({}) exceeds routed_experts ({})", m.top_k, m.routed_experts));
            }
            if (m.routed_experts % m.groups != 0) {
              n.fail_at("groups", fmt::format("groups ({}) must divide routed_experts ({})", m.groups, m.routed_experts));
            }
            if (m.limited_groups > m.groups) {
              n.fail_at("limited_groups", fmt::format("limited_groups ({}) exceeds groups ({})", m.limited_groups, m.groups));
            }
            if (m.limited_groups > 0 && m.limited_groups * (m.routed_experts / m.groups) < m.top_k) {
              n.fail_at("limited_groups", "the limited groups hold fewer experts than top_k");
            }
          });
  return s;
}

const core::Schema<ModelSpec>& model_schema() {
  static const auto s =
      core::Schema<ModelSpec>("model", "A transformer architecture.")
          .provenance(&ModelSpec::provenance)
          .text("id", &ModelSpec::id, "Catalog id that scenarios use (deepseek-v3).")
          .texts("aliases", &ModelSpec::aliases, "Other ids of the same architecture (deepseek-r1).")
          .text("name", &ModelSpec::name, "Full name.")
          .source(&ModelSpec::source)
          .text("notes", &ModelSpec::notes, "Remarks.", std::string())
          .integer("layers", &ModelSpec::layers, "Transformer layers (MTP modules excluded).", at_least(1))
          .integer("hidden", &ModelSpec::hidden, "Model width d.", at_least(1))
          .integer("vocab", &ModelSpec::vocab, "Vocabulary size.", at_least(1))
          .flag("tied_embeddings", &ModelSpec::tied_embeddings, "Output head shares the input embedding.", false)
          .object("attention", &ModelSpec::attention, attention_schema(), "Attention of every layer.")
          .integer("ffn_intermediate", &ModelSpec::ffn_intermediate,
                   "Width of the dense FFN; needed when any layer is dense.", at_least(0), 0)
          .choice("activation", &ModelSpec::activation, kActivations,
                  "FFN activation: swiglu has gate, up and down matrices; gelu up and down.", Activation::swiglu)
          .object("moe", &ModelSpec::moe, moe_schema(), "Mixture-of-experts layers; absent for a dense model.")
          .integer("mtp_depth", &ModelSpec::mtp_depth, "Multi-token-prediction modules.", at_least(0), 0)
          .integer("max_context", &ModelSpec::max_context, "Longest context in tokens; 0 if not stated.",
                   at_least(0), 0)
          .check([](const core::ConfigNode& n, ModelSpec& m) {
            if (m.moe && m.moe->dense_layers > m.layers) {
              n.fail_at("moe", fmt::format("moe.dense_layers ({}) exceeds layers ({})", m.moe->dense_layers, m.layers));
            }
            if (m.dense_ffn_layers() > 0 && m.ffn_intermediate <= 0) {
              n.fail_at("ffn_intermediate",
                        fmt::format("{} layer(s) have a dense FFN; give ffn_intermediate", m.dense_ffn_layers()));
            }
          });
  return s;
}

}  // namespace fleetsim::model
