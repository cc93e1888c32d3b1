// The public validation suite's file and its baseline check (plan/suite.h). The suite's numbers
// themselves are checked by the "validation: suite" CLI test against suite-baseline.json.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "plan/suite.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

namespace {

const std::filesystem::path kSuite = std::filesystem::path(FLEETSIM_SOURCE_DIR) / "scenarios/validation/suite.yaml";

// A suite file with one family and the given rows, in a scratch folder; returns its path.
std::filesystem::path write_suite(const std::string& name, const std::string& rows) {
  const auto dir = std::filesystem::temp_directory_path() / "fleetsim-test-suite";
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + ".yaml");
  std::ofstream(path) << "name: test suite\nfamilies:\n  - {id: f, title: a family}\nrows:\n" << rows;
  return path;
}

void expect_error(const std::string& name, const std::string& rows, int line, const std::string& part) {
  const auto path = write_suite(name, rows);
  INFO(name);
  try {
    plan::load_suite(path);
    FAIL("accepted " << name);
  } catch (const core::InputError& e) {
    INFO(e.what());
    CHECK(e.where().file == path.string());
    CHECK(e.where().line == line);
    CHECK_THAT(std::string(e.what()), ContainsSubstring(part));
  }
}

}  // namespace

TEST_CASE("the shipped suite lists every row of the validation set, none dropped") {
  const auto spec = plan::load_suite(kSuite);
  std::set<std::string> ids;
  for (const auto& r : spec.rows) ids.insert(r.id);
  // ../shared/validation.md: 47 dense training rows, 11 MoE, 22 serving.
  for (const auto& [prefix, n] : {std::pair{"TD", 47}, std::pair{"TM", 11}, std::pair{"SV", 22}}) {
    for (int i = 1; i <= n; ++i) {
      const std::string id = fmt::format("{}-{:02d}", prefix, i);
      INFO(id);
      CHECK(ids.count(id) == 1);
    }
  }
  // A row that does not run says what fleetsim lacks; every other names its scenario file.
  for (const auto& r : spec.rows) {
    INFO(r.id);
    CHECK(r.scenario.empty() != r.not_expressible.empty());
    if (!r.scenario.empty()) CHECK(std::filesystem::exists(kSuite.parent_path() / r.scenario));
  }
}

TEST_CASE("bad suite input names the file, the line and the field") {
  expect_error("unknown-key", "  - {id: A, family: f, source: s, scenario: x.yaml, published: 1, tolerance: 10%, tolerence: 1}\n",
               5, "tolerence");
  expect_error("undeclared-family", "  - id: A\n    family: g\n    source: s\n    scenario: x.yaml\n    published: 1\n    tolerance: 10%\n",
               6, "family 'g' is not among the suite's families");
  expect_error("neither", "  - {id: A, family: f, source: s, published: 1, tolerance: 10%}\n", 5,
               "exactly one of 'scenario'");
  expect_error("duplicate", "  - {id: A, family: f, source: s, not_expressible: x, published: 1, tolerance: 10%}\n"
                            "  - {id: A, family: f, source: s, not_expressible: x, published: 1, tolerance: 10%}\n",
               6, "row 'A' is listed twice");
  expect_error("offline-without-gpus",
               "  - {id: A, family: f, source: s, scenario: x.yaml, metric: offline_output_tokens_per_s, published: 1, "
               "tolerance: 10%}\n",
               5, "needs 'gpus'");
  expect_error("bad-metric", "  - {id: A, family: f, source: s, scenario: x.yaml, metric: mfu, published: 1, tolerance: 10%}\n",
               5, "metric");
}

TEST_CASE("a row that was within its tolerance and left it is a regression, expected against actual") {
  plan::SuiteResult now;
  plan::SuiteRowResult a{"A", "f", plan::RowStatus::outside, 130.0, 0.30, ""};
  plan::SuiteRowResult b{"B", "f", plan::RowStatus::within, 95.0, -0.05, ""};
  plan::SuiteRowResult c{"C", "f", plan::RowStatus::failed, std::nullopt, std::nullopt, "out of memory"};
  now.rows = {a, b, c};
  const core::Json baseline = core::Json::parse(R"({"rows": [
    {"id": "A", "status": "within", "published": 100, "tolerance": 0.1, "error": 0.02},
    {"id": "B", "status": "outside", "published": 100, "tolerance": 0.1, "error": 0.5},
    {"id": "C", "status": "within", "published": 100, "tolerance": 0.1, "error": -0.01},
    {"id": "D", "status": "outside", "published": 100, "tolerance": 0.1, "error": null}]})");
  const auto lines = plan::suite_regressions(now, baseline);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "A: expected within ±10% of 100 (baseline +2.0%), got outside at +30.0% (predicted 130)");
  CHECK_THAT(lines[1], ContainsSubstring("C: expected within ±10% of 100"));
  CHECK_THAT(lines[1], ContainsSubstring("got failed: out of memory"));
  CHECK_THAT(lines[2], ContainsSubstring("D: in the baseline (outside) but no longer in the suite"));
  // A row that moves into its tolerance is no regression (B).
}
