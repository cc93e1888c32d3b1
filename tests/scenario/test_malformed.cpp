// Bad input never crashes and never passes silently: each malformed file gives one InputError
// naming the file, the line and the field.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "scenario/scenario.h"
#include "support/bad_input.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("each malformed scenario is rejected with file, line and field") {
  const test::BadInput cases[] = {
      {"bad_unit.yaml", 6, "training.memory_reserve", "is a bandwidth; expected a size"},
      {"unknown_key.yaml", 6, "training.parallelsm", "did you mean 'parallelism'"},
      {"wrong_type.yaml", 7, "training.cluster.nodes", "'many' is not an integer"},
      {"missing_model.yaml", 4, "training.model", "unknown model 'deepseek-v4' (did you mean 'deepseek-v2' or 'deepseek-v3'?)"},
      {"negative_count.yaml", 7, "training.cluster.nodes", "must be >= 1, got -4"},
      {"empty.yaml", 0, "", "the file is empty"},
      {"syntax_error.yaml", 5, "", "YAML syntax error"},
      {"duplicate_key.yaml", 8, "training.model", "given twice"},
      {"unknown_node.yaml", 6, "training.cluster.node", "unknown node 'hgx-h900' (did you mean 'hgx-h100', 'hgx-h200' or 'hgx-h800'?)"},
      {"missing_field.yaml", 7, "training.stages[0].seq_len", "missing field 'seq_len'"},
      {"bad_dtype.yaml", 7, "training.precision.gemm", "'fp9' is not a number format"},
      {"unknown_currency.yaml", 5, "fleet.tranches[0].node_price", "unknown currency 'CNY'"},
      {"utilization_above_one.yaml", 7, "fleet.finance.utilization", "must be in (0, 1]"},
      {"zero_useful_life.yaml", 7, "fleet.finance.useful_life", "must be > 0"},
      {"negative_price.yaml", 6, "fleet.facility.power_price", "must be >= 0"},
      {"no_sections.yaml", 1, "", "at least one of 'training', 'serving' or 'fleet'"},
      {"tokens_and_steps.yaml", 7, "training.stages[0]", "exactly one of 'tokens' or 'steps'"},
      {"section_is_list.yaml", 3, "training", "expected a map of training fields, got a list"},
      {"hardware_override_bad_unit.yaml", 5, "hardware.gpus.h800.nvlink_bw", "is a size; expected a bandwidth"},
  };
  for (const auto& c : cases) {
    test::expect_rejected(c, [](const std::string& path) { scenario::load_scenario(path, test::shipped_catalogs()); });
  }
}

TEST_CASE("bad overrides name the override") {
  const std::string path = std::string(FLEETSIM_TEST_DATA) + "/scenarios/minimal.yaml";
  auto error = [&](std::vector<std::string> sets) {
    try {
      scenario::load_scenario(path, test::shipped_catalogs(), sets);
    } catch (const core::InputError& e) {
      return e;
    }
    FAIL("accepted");
    return core::InputError("unreachable");
  };
  auto e = error({"training.cluster.nodes=zero"});
  CHECK(e.where().file == "--set training.cluster.nodes=zero");
  CHECK(e.field() == "training.cluster.nodes");
  e = error({"training.clustr.nodes=2"});
  CHECK_THAT(e.message(), ContainsSubstring("did you mean 'cluster'"));
  CHECK(e.where().file == "--set training.clustr.nodes=2");
  e = error({"training.stages[3].tokens=1T"});
  CHECK_THAT(e.message(), ContainsSubstring("list of 1 elements"));
}
