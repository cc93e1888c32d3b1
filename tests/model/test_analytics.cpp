// Closed forms worked by hand for small models, and invariants of the analytics.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "model/analytics.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;

namespace {
// A tiny dense GQA model: d=64, 2 layers, 4 heads of 16, 2 KV heads, FFN 128, vocab 100.
model::ModelSpec tiny_dense() {
  model::ModelSpec m;
  m.id = "tiny";
  m.layers = 2;
  m.hidden = 64;
  m.vocab = 100;
  m.attention.kind = model::AttentionKind::gqa;
  m.attention.heads = 4;
  m.attention.kv_heads = 2;
  m.attention.head_dim = 16;
  m.ffn_intermediate = 128;
  return m;
}
}  // namespace

TEST_CASE("parameters of a tiny dense model, by hand") {
  auto m = tiny_dense();
  // attention: qkv 64 x (4 + 2*2) x 16 = 8192, o 64 x 64 = 4096 -> 12288 per layer
  CHECK(model::attention_params(m) == 12288);
  // swiglu FFN: 3 x 64 x 128 = 24576 per layer
  CHECK(model::dense_ffn_params(m, 128) == 24576);
  auto p = model::count_params(m);
  // embedding 6400 + head 6400 + 2 x (12288 + 24576 + 128 norms) + 64 final norm
  CHECK(p.total == 6400 + 6400 + 2 * (12288 + 24576 + 128) + 64);
  // active: embedding row (64) instead of the table; everything else is read
  CHECK(p.active == p.total - 6400 + 64);
  // matmuls: attention + FFN of both layers + head
  CHECK(p.active_matmul == 2 * (12288 + 24576) + 6400);
}

TEST_CASE("training FLOPs: 6 x active matmul parameters plus causal attention") {
  auto m = tiny_dense();
  auto p = model::count_params(m);
  auto f = model::train_flops_per_token(m, 32, true);
  CHECK(f.matmul == 6 * p.active_matmul);
  // forward attention per token per layer: 2 x heads x (d_qk + d_v) x S/2 = 2 x 4 x 32 x 16
  CHECK(f.attention == 3.0 * 2 * (2.0 * 4 * 32 * 16));
  auto nc = model::train_flops_per_token(m, 32, false);
  CHECK(nc.attention == 2 * f.attention);
  // Inference is one third of training at the same sequence.
  CHECK(model::prefill_flops_per_token(m, 32) == Approx(f.total / 3));
}

TEST_CASE("KV cache bytes per token, by hand") {
  auto m = tiny_dense();
  // 2 (K and V) x 2 KV heads x 16 x 2 layers x 2 bytes
  CHECK(model::kv_cache_bytes_per_token(m, core::DType::bf16) == 256);
  CHECK(model::kv_cache_bytes_per_token(m, core::DType::fp8) == 128);
  CHECK(model::kv_cache_bytes_per_token(m, core::DType::int6) == 96);
}

TEST_CASE("MoE active parameters count only top-k and shared experts") {
  const auto& v3 = test::shipped_model("deepseek-v3");
  auto p = model::count_params(v3);
  const double expert = 3.0 * 7168 * 2048;
  CHECK(model::expert_params(v3) == expert);
  CHECK(p.routed_experts == 58 * 256 * expert);
  CHECK(p.shared_experts == 58 * 1 * expert);
  // Moving from top-8 to top-9 adds one expert per MoE layer to the active count.
  auto wider = v3;
  wider.moe->top_k = 9;
  CHECK(model::count_params(wider).active - p.active == Approx(58 * expert));
  CHECK(model::count_params(wider).total == p.total);
}

TEST_CASE("decode FLOPs grow linearly with context; training state bytes by format") {
  const auto& m = test::shipped_model("llama-3.1-8b");
  double a = model::decode_flops_per_token(m, 1000), b = model::decode_flops_per_token(m, 2000),
         c = model::decode_flops_per_token(m, 3000);
  CHECK(c - b == Approx(b - a));
  auto s = model::training_state_bytes(1e9, {});
  CHECK(s.weights == 2e9);
  CHECK(s.gradients == 2e9);
  CHECK(s.master == 4e9);
  CHECK(s.moments == 8e9);
  CHECK(s.total == 16e9);  // the classic 16 bytes per parameter of mixed-precision Adam
  model::StatePrecision deepseek{core::DType::bf16, core::DType::fp32, core::DType::fp32, core::DType::bf16};
  CHECK(model::training_state_bytes(1e9, deepseek).total == 2e9 + 4e9 + 4e9 + 4e9);
}
