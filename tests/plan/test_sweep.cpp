#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/feasibility.h"
#include "core/rng.h"
#include "plan/sweep.h"

using namespace fleetsim;
namespace fs = std::filesystem;
using Catch::Matchers::ContainsSubstring;

namespace {

// A deterministic evaluator whose work takes a point-dependent time (so threads finish out of
// order) and which finds some points infeasible.
class ToyEvaluator : public plan::Evaluator {
 public:
  std::vector<std::string> columns() const override { return {"cost_usd", "label"}; }
  core::Json evaluate(uint64_t index, const std::vector<std::string>& overrides) const override {
    core::Rng rng(index);
    std::this_thread::sleep_for(std::chrono::microseconds(rng.below(300)));
    if (index % 7 == 3) throw core::InputError(fmt::format("point {} does not fit in memory", index));
    return {{"cost_usd", 1000.0 * static_cast<double>(index) + 0.1}, {"label", overrides.back()}};
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "fleetsim_sweep_test";
  fs::create_directories(dir);
  fs::path p = dir / name;
  fs::remove(p);
  return p;
}

plan::SweepOptions options(const fs::path& out, unsigned threads) {
  plan::SweepOptions o;
  o.output = out;
  o.threads = threads;
  return o;
}

const plan::Grid kGrid({{"gpu", {"h800", "h100", "h20"}}, {"nodes", {"8", "16", "32", "64", "128"}},
                        {"price", {"$1/h", "$2/h", "$3/h"}}});

}  // namespace

TEST_CASE("the output is byte-identical for any thread count") {
  ToyEvaluator ev;
  for (const char* ext : {".jsonl", ".csv"}) {
    auto one = scratch(std::string("one") + ext), four = scratch(std::string("four") + ext);
    auto s1 = plan::run_sweep(kGrid, ev, options(one, 1));
    plan::run_sweep(kGrid, ev, options(four, 4));
    CHECK(read(one) == read(four));
    CHECK(s1.points == 45);
    CHECK(s1.evaluated == 45);
    CHECK(s1.failed == 6);  // points 3, 10, 17, 24, 31 and 38
  }
}

TEST_CASE("a killed sweep resumes to the same file, a torn last row included") {
  ToyEvaluator ev;
  for (const char* ext : {".jsonl", ".csv"}) {
    INFO(ext);
    auto full = scratch(std::string("full") + ext), killed = scratch(std::string("killed") + ext);
    plan::run_sweep(kGrid, ev, options(full, 3));
    plan::SweepOptions opt = options(killed, 3);
    opt.stop_after = 17;
    CHECK(plan::run_sweep(kGrid, ev, opt).evaluated == 17);
    {  // the kill tore the next row in half
      std::ofstream torn(killed, std::ios::app | std::ios::binary);
      torn << (std::string(ext) == ".csv" ? "17,h800,32,\"$2" : "{\"index\":17,\"poi");
    }
    opt.stop_after = UINT64_MAX;
    CHECK_THROWS_WITH(plan::run_sweep(kGrid, ev, options(killed, 3)), ContainsSubstring("--resume"));
    opt.resume = true;
    auto s = plan::run_sweep(kGrid, ev, opt);
    CHECK(s.resumed == 17);
    CHECK(s.evaluated == 28);
    CHECK(read(killed) == read(full));
  }
}

TEST_CASE("resuming refuses a file from another grid") {
  ToyEvaluator ev;
  auto out = scratch("other.jsonl");
  plan::run_sweep(plan::Grid({{"a", {"1", "2"}}}), ev, options(out, 1));
  plan::SweepOptions opt = options(out, 1);
  opt.resume = true;
  CHECK_THROWS_WITH(plan::run_sweep(plan::Grid({{"a", {"1", "3"}}}), ev, opt),
                    ContainsSubstring("different sweep"));
}

TEST_CASE("shards merged give the unsharded result") {
  ToyEvaluator ev;
  auto whole_jsonl = scratch("whole.jsonl"), whole_csv = scratch("whole.csv");
  plan::run_sweep(kGrid, ev, options(whole_jsonl, 2));
  plan::run_sweep(kGrid, ev, options(whole_csv, 2));
  std::vector<fs::path> shards;
  for (uint64_t k = 0; k < 4; ++k) {
    auto p = scratch(fmt::format("shard{}.jsonl", k));
    plan::SweepOptions opt = options(p, 1);
    opt.shard = {k, 4};
    plan::run_sweep(kGrid, ev, opt);
    shards.push_back(p);
  }
  auto merged_jsonl = scratch("merged.jsonl"), merged_csv = scratch("merged.csv");
  CHECK(plan::merge_shards(shards, merged_jsonl) == 45);
  CHECK(plan::merge_shards(shards, merged_csv) == 45);
  CHECK(read(merged_jsonl) == read(whole_jsonl));
  CHECK(read(merged_csv) == read(whole_csv));
  shards.pop_back();
  CHECK_THROWS_WITH(plan::merge_shards(shards, scratch("partial.csv")), ContainsSubstring("34 of 45 points"));
  plan::SweepOptions csv_shard = options(scratch("shard.csv"), 1);
  csv_shard.shard = {0, 2};
  CHECK_THROWS_WITH(plan::run_sweep(kGrid, ev, csv_shard), ContainsSubstring("merge"));
}

TEST_CASE("CSV rows quote what needs quoting and leave infeasible results blank") {
  ToyEvaluator ev;
  auto out = scratch("quoted.csv");
  plan::run_sweep(plan::Grid({{"note", {"\"a, b\"", "c"}}, {"k", {"1", "2", "3", "4"}}}), ev, options(out, 1));
  const std::string text = read(out);
  CHECK_THAT(text, ContainsSubstring("index,note,k,ok,error,cost_usd,label\n"));
  CHECK_THAT(text, ContainsSubstring("0,\"\"\"a, b\"\"\",1,true,,0.1,k=1\n"));
  CHECK_THAT(text, ContainsSubstring("3,\"\"\"a, b\"\"\",4,false,point 3 does not fit in memory,,\n"));
}

TEST_CASE("a point that cannot run is a row whose error column is its typed failure's text") {
  // A failure with a place and field prints "file:line:col: field: message"; one with neither
  // prints its message alone: the CSV holds exactly Infeasibility::to_string().
  class Failing : public plan::Evaluator {
   public:
    std::vector<std::string> columns() const override { return {"x"}; }
    core::Json evaluate(uint64_t index, const std::vector<std::string>&) const override {
      if (index == 0) throw core::InputError({"a.yaml", 3, 5}, "training.parallelism.tp", "tp 3 does not divide 128");
      if (index == 1) throw core::InputError("point 1 does not fit, with a comma");
      return {{"x", 1}};
    }
  };
  const plan::Grid grid({{"p", {"a", "b", "c"}}});
  const auto out = scratch("typed.csv");
  const auto s = plan::run_sweep(grid, Failing{}, options(out, 1));
  CHECK(s.failed == 2);
  core::Infeasibility placed;
  placed.where = core::SourceLocation{"a.yaml", 3, 5};
  placed.field = "training.parallelism.tp";
  placed.message = "tp 3 does not divide 128";
  core::Infeasibility bare;
  bare.message = "point 1 does not fit, with a comma";
  CHECK(placed.to_string() == "a.yaml:3:5: training.parallelism.tp: tp 3 does not divide 128");
  CHECK(read(out) == "index,p,ok,error,x\n0,a,false," + placed.to_string() + ",\n1,b,false,\"" + bare.to_string() +
                         "\",\n2,c,true,,1\n");
}
