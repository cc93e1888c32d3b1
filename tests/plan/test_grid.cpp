#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <set>

#include "core/error.h"
#include "plan/grid.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("axes split at top-level commas only") {
  auto a = plan::parse_axis("training.cluster.nodes=64,128, 256");
  CHECK(a.path == "training.cluster.nodes");
  CHECK(a.values == std::vector<std::string>{"64", "128", "256"});
  auto b = plan::parse_axis("x=[1,2],{a: 1, b: 2},\"3,4\"");
  CHECK(b.values == std::vector<std::string>{"[1,2]", "{a: 1, b: 2}", "\"3,4\""});
  CHECK_THROWS_WITH(plan::parse_axis("nodes"), ContainsSubstring("path=v1,v2"));
  CHECK_THROWS_WITH(plan::parse_axis("x=1,,2"), ContainsSubstring("empty value"));
  CHECK_THROWS_WITH(plan::parse_axis("x=[1,2"), ContainsSubstring("unbalanced"));
}

TEST_CASE("a grid numbers its points with the last axis fastest") {
  plan::Grid g({{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}});
  CHECK(g.size() == 6);
  CHECK(g.overrides(0) == std::vector<std::string>{"a=1", "b=x"});
  CHECK(g.overrides(1) == std::vector<std::string>{"a=1", "b=y"});
  CHECK(g.overrides(5) == std::vector<std::string>{"a=2", "b=z"});
  CHECK(plan::Grid({{"a", {"1", "2"}}}).fingerprint() != plan::Grid({{"a", {"1", "3"}}}).fingerprint());
  CHECK_THROWS_AS(plan::Grid({{"a", {"1"}}, {"a", {"2"}}}), core::InputError);
}

TEST_CASE("shards partition the grid") {
  CHECK(plan::parse_shard("2/4").index == 1);
  CHECK(plan::parse_shard("2/4").text() == "2/4");
  for (const char* bad : {"0/4", "5/4", "1", "a/b", "1/0", "1/2/3"}) {
    INFO(bad);
    CHECK_THROWS_AS(plan::parse_shard(bad), core::InputError);
  }
  std::set<uint64_t> seen;
  for (uint64_t k = 0; k < 3; ++k) {
    for (uint64_t i = 0; i < 10; ++i) {
      if (plan::Shard{k, 3}.contains(i)) CHECK(seen.insert(i).second);
    }
  }
  CHECK(seen.size() == 10);
}
