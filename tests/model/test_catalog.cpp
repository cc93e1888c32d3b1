#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "core/config.h"
#include "model/catalog.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("every shipped model loads, with its source") {
  const auto& models = test::shipped_catalogs().models;
  for (const char* id : {"deepseek-v3", "deepseek-r1", "deepseek-v2", "llama-3.1-8b", "llama-3.1-70b",
                         "llama-3.1-405b", "llama-2-70b", "mixtral-8x7b", "qwen2.5-72b", "deepseek-llm-67b"}) {
    INFO(id);
    const auto* m = models.find(id);
    REQUIRE(m);
    CHECK_FALSE(m->source.empty());
  }
  CHECK(models.at("deepseek-r1").id == "deepseek-v3");
}

TEST_CASE("model files are validated across fields") {
  auto fails = [](std::string yaml) {
    try {
      model::ModelCatalog c;
      c.add(core::ConfigDoc::load_string(yaml, "m.yaml"));
    } catch (const core::InputError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  const std::string base = "id: m\nname: M\nsource: s\nlayers: 2\nhidden: 64\nvocab: 10\nffn_intermediate: 128\n";
  CHECK_THAT(fails(base + "attention: {kind: gqa, heads: 6, kv_heads: 4, head_dim: 16}\n"),
             ContainsSubstring("must divide heads"));
  CHECK_THAT(fails(base + "attention: {kind: mla, heads: 4, kv_lora_rank: 8}\n"),
             ContainsSubstring("qk_nope_head_dim > 0"));
  CHECK_THAT(fails(base + "attention: {kind: gqa, heads: 4, kv_heads: 2, head_dim: 16}\n"
                          "moe: {routed_experts: 4, top_k: 5, expert_intermediate: 8}\n"),
             ContainsSubstring("top_k (5) exceeds routed_experts (4)"));
  CHECK_THAT(fails("id: m\nname: M\nsource: s\nlayers: 2\nhidden: 64\nvocab: 10\n"
                   "attention: {kind: gqa, heads: 4, kv_heads: 2, head_dim: 16}\n"),
             ContainsSubstring("give ffn_intermediate"));
}
