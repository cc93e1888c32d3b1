// The result document's definition is complete when every golden result file (tests/golden:
// run-*.json, plan-*.json and train-event-*.json, all whole documents) reads into the typed
// structs and writes back byte for byte, with the indentation the CLI uses (`run --json` and
// `plan --json` dump(1); `train`, `serve` and `tco --json` dump(2)).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "result/document.h"

using namespace fleetsim;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("every golden result document reads into the typed Document and writes back byte-identical") {
  int documents = 0, trainings = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(FLEETSIM_SOURCE_DIR) / "tests/golden")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json") continue;
    const bool whole = starts_with(name, "run-") || starts_with(name, "plan-");
    const bool training = starts_with(name, "train-event-");
    if (!whole && !training) continue;
    INFO(name);
    const std::string text = slurp(entry.path());
    const auto doc = result::read_document(core::Json::parse(text));
    const std::string back = result::to_json(doc).dump(whole ? 1 : 2) + "\n";
    if (whole) {
      ++documents;
    } else {
      CHECK(doc.training.has_value());
      ++trainings;
    }
    CHECK(back.size() == text.size());
    CHECK(back == text);
  }
  CHECK(documents >= 16);
  CHECK(trainings >= 5);
}

TEST_CASE("a malformed result document is an error naming the JSON path") {
  const auto j = core::Json::parse(slurp(fs::path(FLEETSIM_SOURCE_DIR) / "tests/golden/run-deepseek-v3-pretrain.json"));
  auto expect_error = [](const core::Json& bad, const std::string& message) {
    try {
      (void)result::read_document(bad);
      FAIL("no error for " << message);
    } catch (const core::InputError& e) {
      CHECK(std::string(e.what()) == message);
    }
  };
  auto missing = j;
  missing["training"]["stages"][0].erase("seq_len");
  expect_error(missing, "training.stages[0].seq_len: missing key");
  auto unknown = j;
  unknown["training"]["parallelism"]["dq"] = 1;
  expect_error(unknown, "training.parallelism.dq: unknown key");
  auto wrong_type = j;
  wrong_type["training"]["gpus"] = 2048.0;
  expect_error(wrong_type, "training.gpus: expected an integer, got 2048.0");
  auto as_integer = j;
  as_integer["training"]["tokens_per_step"] = 62914560;
  expect_error(as_integer, "training.tokens_per_step: expected a floating-point number, got 62914560");
  auto top = j;
  top["trainnig"] = core::Json::object();
  expect_error(top, "trainnig: unknown key");
}
