#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fstream>
#include <sstream>

#include "core/units.h"
#include "report/html.h"
#include "report/report.h"

using namespace fleetsim;
using Catch::Matchers::ContainsSubstring;

namespace {

core::Json load(const std::string& name) {
  std::ifstream in(std::string(FLEETSIM_TEST_DATA) + "/report/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return core::Json::parse(s.str());
}

// The JSON a page embeds for tools (script#fleetsim-result).
core::Json embedded_result(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"fleetsim-result\">";
  auto a = html.find(open);
  REQUIRE(a != std::string::npos);
  a += open.size();
  auto b = html.find("</script>", a);
  return core::Json::parse(html.substr(a, b - a));
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("HTML escaping covers the five special characters; script JSON cannot close its tag") {
  CHECK(report::escape_html("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  core::Json j = {{"name", "</script><script>alert(1)</script>"}};
  const std::string s = report::json_for_script(j);
  CHECK(s.find('<') == std::string::npos);
  CHECK(core::Json::parse(s) == j);
}

TEST_CASE("the page embeds the same result document it was rendered from") {
  const core::Json doc = load("sample_result.json");
  const std::string html = report::render_report(doc);
  CHECK(embedded_result(html) == doc);
  // One chart container per chart (latency is two: TTFT in seconds, TPOT in milliseconds), and
  // the body declares how many to expect.
  CHECK(count(html, "<div class=\"vega\" id=\"chart-") == 9);
  CHECK_THAT(html, ContainsSubstring("<body data-charts=\"9\""));
}

TEST_CASE("headline figures are the JSON's numbers, formatted") {
  const core::Json doc = load("sample_result.json");
  const std::string html = report::render_report(doc);
  for (const auto& [path, dim] : {std::pair{"/tco/capex_usd", core::Dim::usd}, std::pair{"/tco/opex_usd", core::Dim::usd},
                                  std::pair{"/training/gpu_hours_total", core::Dim::count},
                                  std::pair{"/serving/cost_usd_per_day", core::Dim::usd}}) {
    const double v = doc.at(core::Json::json_pointer(path)).get<double>();
    INFO(path);
    CHECK_THAT(html, ContainsSubstring("<div class=\"value\">" + report::escape_html(core::format_quantity(v, dim)) + "</div>"));
  }
}

TEST_CASE("user text is escaped everywhere it appears") {
  const core::Json doc = load("xss_result.json");
  const std::string html = report::render_report(doc);
  CHECK(html.find("<script>document.body.setAttribute") == std::string::npos);
  CHECK(html.find("<img src=x") == std::string::npos);
  CHECK(html.find("<b onmouseover") == std::string::npos);
  CHECK_THAT(html, ContainsSubstring("&lt;script&gt;document.body.setAttribute"));
  CHECK(embedded_result(html) == doc);
}

TEST_CASE("sections without data are left out, never shown as zeros") {
  // A fleet-only document (the golden of scenarios/deepseek-fleet.yaml): no training, no serving.
  const core::Json doc = core::Json::parse(std::ifstream(std::string(FLEETSIM_SOURCE_DIR) + "/tests/golden/run-deepseek-fleet.json"));
  const std::string html = report::render_report(doc);
  CHECK(html.find("id=\"training\"") == std::string::npos);
  CHECK(html.find("id=\"serving\"") == std::string::npos);
  CHECK(html.find("Serving cost a day") == std::string::npos);
  CHECK_THAT(html, ContainsSubstring("Fleet TCO"));
}

TEST_CASE("a malformed result document is an error naming the JSON path") {
  core::Json doc = load("sample_result.json");
  doc["serving"]["nodes"].erase("peak");
  CHECK_THROWS_WITH(report::render_report(doc), "serving.nodes.peak: missing key");
}
