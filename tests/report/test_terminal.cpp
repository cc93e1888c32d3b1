// The terminal tables and the CSV are built from the typed result document alone: each golden
// document renders, the figures are the document's, and parts it lacks are left out.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "report/csv.h"
#include "report/terminal.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

namespace {

result::Document golden(const std::string& name) {
  std::ifstream in(std::string(FLEETSIM_SOURCE_DIR) + "/tests/golden/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return result::read_document(core::Json::parse(s.str()));
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("the TCO CSV has 13 rows a year, in cents, from the document's by_year") {
  const auto doc = golden("run-deepseek-fleet.json");
  REQUIRE(doc.tco);
  const std::string csv = report::tco_csv(*doc.tco);
  CHECK(csv.starts_with("year,category,kind,usd\n"));
  CHECK(lines(csv) == 1 + 13 * doc.tco->by_year.size());
  const auto& y = doc.tco->by_year.front();
  CHECK_THAT(csv, ContainsSubstring(fmt::format("{},servers,capex,{:.2f}\n", y.year, y.by_category.servers)));
  CHECK_THAT(csv, ContainsSubstring(fmt::format("{},energy,opex,{:.2f}\n", y.year, y.by_category.energy)));
  CHECK_THAT(csv, ContainsSubstring(fmt::format("{},cash flow,total,{:.2f}\n", y.year, y.cash_flow_usd)));
}

TEST_CASE("the training table shows the layout, the breakdown and every stage") {
  const auto doc = golden("run-deepseek-v3-pretrain.json");
  REQUIRE(doc.training);
  const std::string t = report::training_table(*doc.training);
  CHECK_THAT(t, ContainsSubstring("Step time breakdown"));
  CHECK_THAT(t, ContainsSubstring("Whole run"));
  for (const auto& s : doc.training->stages) CHECK_THAT(t, ContainsSubstring(s.name));
  CHECK_THAT(t, ContainsSubstring(doc.training->parallelism.schedule));
}

TEST_CASE("the serving table names each unit; without a simulation its rows are left out") {
  auto doc = golden("run-llama-70b-serving-colocated.json");
  REQUIRE(doc.serving);
  const std::string with = report::serving_table("colocated", *doc.serving);
  CHECK_THAT(with, ContainsSubstring("colocated_decode unit"));
  CHECK_THAT(with, ContainsSubstring("events; preemptions"));
  doc.serving->simulation.reset();
  const std::string without = report::serving_table("colocated", *doc.serving);
  CHECK_THAT(without, !ContainsSubstring("events; preemptions"));
  CHECK(lines(without) + 2 == lines(with));
}

TEST_CASE("the TCO tables show the sensitivity rows asked for, with the inputs' units") {
  const auto doc = golden("run-deepseek-fleet.json");
  REQUIRE(doc.tco);
  report::TcoView view;
  view.title = "fleet\n";
  view.top = 3;
  const std::string t = report::tco_tables(*doc.tco, view);
  CHECK(t.starts_with("fleet\n"));
  CHECK_THAT(t, ContainsSubstring(fmt::format("(top 3 of {})", doc.tco->sensitivity.size())));
  CHECK_THAT(t, !ContainsSubstring("Bill of materials"));
  view.bom = true;
  CHECK_THAT(report::tco_tables(*doc.tco, view), ContainsSubstring("Bill of materials"));
}

TEST_CASE("the plan summary names the cheapest fleet and the report") {
  const auto doc = golden("plan-train-v3-serve-r1.json");
  REQUIRE(doc.plan);
  const std::string s = report::plan_summary(*doc.plan, "plan.html");
  CHECK(s.starts_with(doc.plan->name + "\n"));
  CHECK_THAT(s, ContainsSubstring("cheapest fleet (analytic): "));
  CHECK(s.ends_with("report: plan.html\n"));
}
