#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "scenario/describe.h"
#include "scenario/scenario.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

namespace {
const std::string kMinimal = std::string(FLEETSIM_TEST_DATA) + "/scenarios/minimal.yaml";
const std::string kDeepseek = std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/deepseek.yaml";
}  // namespace

TEST_CASE("a scenario resolves its catalog references into copies") {
  auto s = scenario::load_scenario(kMinimal, test::shipped_catalogs());
  REQUIRE(s.training);
  CHECK(s.training->parallelism.tp == 1);  // defaults applied
  CHECK(s.model("llama-3.1-8b").layers == 32);
  CHECK(s.gpu_of_node("hgx-h100").id == "h100");
  CHECK(s.switches.count("qm9700") == 1);
  CHECK(s.hash.size() == 16);
}

TEST_CASE("every shipped scenario loads and says which question it answers") {
  for (const auto& e : std::filesystem::directory_iterator(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path());
    auto s = scenario::load_scenario(e.path(), test::shipped_catalogs());
    CHECK_FALSE(s.question.empty());
  }
}

TEST_CASE("overrides change the scenario and its hash") {
  auto base = scenario::load_scenario(kDeepseek, test::shipped_catalogs());
  auto pp8 = scenario::load_scenario(kDeepseek, test::shipped_catalogs(), {"training.parallelism.pp=8"});
  CHECK(pp8.training->parallelism.pp == 8);
  CHECK(pp8.hash != base.hash);
  CHECK(pp8.training->parallelism.provenance.at("pp").source == "--set training.parallelism.pp=8");
  // Same inputs, same hash.
  CHECK(scenario::load_scenario(kDeepseek, test::shipped_catalogs()).hash == base.hash);
}

TEST_CASE("hardware what-ifs change a copy of the catalog entry only") {
  auto s = scenario::load_scenario(kDeepseek, test::shipped_catalogs(), {"hardware.gpus.h800.nvlink_bw=900 GB/s"});
  CHECK(s.gpus.at("h800").nvlink_bw_bytes_per_s == 900e9);
  CHECK(test::shipped_catalogs().hardware.gpus.find("h800")->nvlink_bw_bytes_per_s == 400e9);
  CHECK_THAT(s.gpus.at("h800").provenance.at("nvlink_bw").source, ContainsSubstring("override"));
}

TEST_CASE("model what-ifs and inline models") {
  // Ids with dots are bracketed in override paths.
  auto s = scenario::load_scenario(kMinimal, test::shipped_catalogs(), {"models[llama-3.1-8b].layers=40"});
  CHECK(s.model("llama-3.1-8b").layers == 40);
  CHECK(test::shipped_model("llama-3.1-8b").layers == 32);
  try {
    scenario::load_scenario(kMinimal, test::shipped_catalogs(), {"models[llama-3.1-8b].layers=zero"});
    FAIL("accepted");
  } catch (const core::InputError& e) {
    CHECK(e.field() == "models[llama-3.1-8b].layers");
    CHECK(e.where().file == "--set models[llama-3.1-8b].layers=zero");
  }
}

TEST_CASE("the resolved scenario printed as YAML loads back to the same scenario") {
  for (const auto& path : {kMinimal, kDeepseek}) {
    auto s = scenario::load_scenario(path, test::shipped_catalogs());
    const std::string yaml = scenario::scenario_to_yaml(s);
    auto back = scenario::load_scenario_text(yaml, "resolved.yaml", test::shipped_catalogs());
    CHECK(back.hash == s.hash);
    CHECK(scenario::scenario_to_json(back, core::EmitMode::json) == scenario::scenario_to_json(s, core::EmitMode::json));
  }
}

TEST_CASE("every documented section describes itself") {
  const auto all = scenario::documented_schemas();
  CHECK(all.size() >= 20);
  for (const char* name : {"scenario", "training", "serving", "fleet", "gpu", "node", "model", "parallelism"}) {
    const auto* s = scenario::find_schema(name);
    REQUIRE(s);
    CHECK_FALSE(s->describe().empty());
  }
  CHECK(scenario::find_schema("nonsense") == nullptr);
}

TEST_CASE("a scenario's assumptions carry their sources") {
  auto s = scenario::load_scenario(kDeepseek, test::shipped_catalogs());
  auto all = scenario::collect_assumptions(s);
  auto find = [&](const std::string& path) -> const core::Assumption* {
    for (const auto& a : all) {
      if (a.path == path) return &a;
    }
    return nullptr;
  };
  REQUIRE(find("hardware.gpus.h800.nvlink_bw"));
  CHECK(find("hardware.gpus.h800.nvlink_bw")->value == "400000000000 B/s");
  CHECK_THAT(find("hardware.gpus.h800.nvlink_bw")->source, ContainsSubstring("ISCA'25"));
  REQUIRE(find("training.rental"));
  CHECK(find("training.rental")->source == "V3 report Table 1");
  REQUIRE(find("models.deepseek-v3.layers"));
  CHECK(find("training.parallelism.cp")->defaulted);
}
