#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/text.h"
#include "core/thread_pool.h"

using namespace fleetsim::core;

TEST_CASE("did-you-mean finds typos and ignores strangers") {
  std::vector<std::string> keys = {"nvlink_bw", "hbm_bw", "tdp"};
  CHECK(closest_match("nvlnk_bw", keys) == "nvlink_bw");
  CHECK(closest_match("HBM_BW", keys) == "hbm_bw");
  CHECK(closest_match("completely_else", keys).empty());
  CHECK(levenshtein("kitten", "sitting") == 3);
}

TEST_CASE("parallel_for covers every index once, whatever the thread count") {
  for (unsigned threads : {1u, 2u, 8u}) {
    std::vector<std::atomic<int>> hits(1000);
    parallel_for(hits.size(), threads, [&](size_t i) { hits[i]++; });
    for (auto& h : hits) CHECK(h.load() == 1);
  }
  CHECK_THROWS_AS(parallel_for(10, 4,
                               [](size_t i) {
                                 if (i == 5) throw InputError("boom");
                               }),
                  InputError);
}

TEST_CASE("files are written whole or not at all") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "fleetsim_atomic_test";
  fs::create_directories(dir);
  fs::path target = dir / "out.json";
  write_file_atomically(target, "first");
  write_file_atomically(target, "second");
  std::ifstream in(target);
  std::stringstream s;
  s << in.rdbuf();
  CHECK(s.str() == "second");
  size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(dir)) leftovers += e.path().filename() != "out.json";
  CHECK(leftovers == 0);
  CHECK_THROWS_WITH(write_file_atomically(dir / "missing" / "x.json", "y"),
                    Catch::Matchers::ContainsSubstring("does not exist"));
  fs::remove_all(dir);
}
