// The ops the engines price must add up to what the analytics count.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include "model/analytics.h"
#include "model/layer_ops.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;

namespace {

double matmul_flops(const std::vector<model::Op>& ops) {
  double f = 0;
  for (const auto& op : ops) {
    if (op.kind == model::OpKind::gemm || op.kind == model::OpKind::grouped_gemm) f += op.flops;
  }
  return f;
}
double attention_flops(const std::vector<model::Op>& ops) {
  double f = 0;
  for (const auto& op : ops) {
    if (op.kind == model::OpKind::attention_prefill || op.kind == model::OpKind::attention_decode) f += op.flops;
  }
  return f;
}

// Forward ops of a whole model on one GPU (no parallelism), for `tokens` tokens in sequences of seq.
std::vector<model::Op> whole_model(const model::ModelSpec& m, int64_t tokens, int64_t seq) {
  model::LayerShape s;
  s.tokens = tokens;
  s.sequences = tokens / seq;
  if (m.moe) s.expert_tokens = tokens * m.moe->top_k;
  std::vector<model::Op> ops = model::embedding_ops(m, s);
  for (int l = 0; l < m.layers; ++l) {
    for (auto& op : model::attention_ops(m, s)) ops.push_back(op);
    for (auto& op : model::ffn_ops(m, l, s)) ops.push_back(op);
  }
  for (auto& op : model::head_ops(m, s)) ops.push_back(op);
  return ops;
}

}  // namespace

TEST_CASE("forward op FLOPs equal a third of the analytic training FLOPs") {
  for (const char* id : {"deepseek-v3", "deepseek-v2", "llama-3.1-8b", "mixtral-8x7b", "qwen2.5-72b"}) {
    INFO(id);
    const auto& m = test::shipped_model(id);
    const int64_t seq = 4096, tokens = 4096;
    auto ops = whole_model(m, tokens, seq);
    auto f = model::train_flops_per_token(m, seq, true);
    CHECK(matmul_flops(ops) / tokens == Approx(f.matmul / 3).epsilon(1e-9));
    CHECK(attention_flops(ops) / tokens == Approx(f.attention / 3).epsilon(1e-9));
  }
}

TEST_CASE("tensor parallelism splits attention heads and the dense FFN") {
  const auto& m = test::shipped_model("llama-3.1-70b");
  model::LayerShape s1;
  s1.tokens = 8192;
  s1.sequences = 2;
  model::LayerShape s8 = s1;
  s8.tp = 8;
  CHECK(matmul_flops(model::attention_ops(m, s8)) == Approx(matmul_flops(model::attention_ops(m, s1)) / 8));
  CHECK(matmul_flops(model::ffn_ops(m, 0, s8)) == Approx(matmul_flops(model::ffn_ops(m, 0, s1)) / 8));
}

TEST_CASE("MLA decode is absorbed and reads the latent cache") {
  const auto& m = test::shipped_model("deepseek-v3");
  model::LayerShape s;
  s.tokens = 128;
  s.sequences = 128;
  s.decode = true;
  s.kv_len = 4989;
  auto ops = model::attention_ops(m, s);
  const model::Op* core = nullptr;
  for (const auto& op : ops) {
    if (op.kind == model::OpKind::attention_decode) core = &op;
  }
  REQUIRE(core);
  CHECK(core->d_qk == 576);
  CHECK(core->d_v == 512);
  // 128 requests x 4989 cached tokens x 576 elements x 2 bytes, plus each request's queries
  // (128 heads x 576) and outputs (128 heads x 512) in BF16.
  CHECK(core->bytes == 128.0 * 4989 * 576 * 2 + 128.0 * 128 * (576 + 512) * 2);
  // The whole decode step's attention FLOPs per token match the analytic decode figure.
  const double per_token = attention_flops(ops) / 128 * m.layers;
  const double analytic = model::decode_flops_per_token(m, 4989) - 2 * model::count_params(m).active_matmul;
  CHECK(per_token == Approx(analytic));
}

TEST_CASE("a cached prefix raises the keys each new query sees") {
  auto a = model::make_attention_prefill("a", 1, 8, 1000, 1000, 128, 128, true, core::DType::bf16);
  auto b = model::make_attention_prefill("b", 1, 8, 1000, 5000, 128, 128, true, core::DType::bf16);
  // keys per query: 500 without prefix, 4500 with a 4000-token prefix
  CHECK(b.flops / a.flops == Approx(9.0));
}

TEST_CASE("GEMM bytes count inputs in their format and the output in BF16") {
  auto g = model::make_gemm("g", 4096, 7168, 2048, core::DType::fp8);
  CHECK(g.flops == 2.0 * 4096 * 7168 * 2048);
  CHECK(g.bytes == 4096.0 * 2048 + 2048.0 * 7168 + 4096.0 * 7168 * 2);
}

TEST_CASE("ops carry the roles the training model tells apart") {
  // DeepSeek-V3 (MLA with a query latent): norms before attention, on the two latents and before
  // the FFN; two up-projections from the latents; one residual add. MTP modules keep the roles.
  const auto& m = test::shipped_model("deepseek-v3");
  model::LayerShape s;
  s.tokens = 4096;
  auto ops = model::attention_ops(m, s);
  for (auto& op : model::ffn_ops(m, 0, s)) ops.push_back(op);
  auto names_of = [&](model::OpRole r) {
    std::vector<std::string> out;
    for (const auto& op : ops) {
      if (op.role == r) out.push_back(op.name);
    }
    return out;
  };
  CHECK(names_of(model::OpRole::norm) == std::vector<std::string>{"attn.norm", "attn.q_norm", "attn.kv_norm", "ffn.norm"});
  CHECK(names_of(model::OpRole::latent_up_projection) == std::vector<std::string>{"attn.q_b_proj", "attn.kv_b_proj"});
  CHECK(names_of(model::OpRole::residual) == std::vector<std::string>{"attn.residual"});
  CHECK(model::op_role_name(model::OpRole::latent_up_projection) == "latent_up_projection");
  int mtp_norms = 0;
  for (const auto& op : model::mtp_ops(m, s)) mtp_norms += op.role == model::OpRole::norm;
  // hidden and embedding norms, four of the layer, the head's
  CHECK(mtp_norms == 7);
  // Decode runs MLA absorbed: the keys' and values' up-projection folds into the queries and
  // outputs; the queries' stays.
  s.decode = true;
  s.sequences = 4096;
  s.kv_len = 1000;
  ops = model::attention_ops(m, s);
  CHECK(names_of(model::OpRole::latent_up_projection) == std::vector<std::string>{"attn.q_b_proj"});
}
