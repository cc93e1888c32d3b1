// Request traces: parsing (aliases, sorting, every malformed cell named by line and column), the
// closed form's traffic from a trace worked by hand, the scenario's rules (a trace or
// distributions, not both), and the round trip: a simulated day exported and replayed carries
// the same tokens at the same latencies.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/atomic_file.h"
#include "scenario/scenario.h"
#include "serve/result.h"
#include "serve/trace.h"
#include "serve/small_service.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;
using Catch::Matchers::ContainsSubstring;

namespace {

const calib::CalibrationSet& calibration() { return test::shipped_calibration(); }

std::filesystem::path scratch() {
  static const auto dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("fleetsim_trace_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

std::string write(const std::string& name, const std::string& text) {
  const auto p = scratch() / name;
  core::write_file_atomically(p, text);
  return p.string();
}

std::string service(const std::string& traffic) { return test::small_service(traffic); }

const char* kDistributions = R"(    input_tokens_per_day: 200M
    output_tokens_per_day: 50M
    cache_hit_rate: 0.25
    input: {dist: lognormal, mean: 2000, cv: 0.5}
    output: {dist: exponential, mean: 500}
)";

scenario::Scenario load(const std::string& yaml) {
  return scenario::load_scenario_text(yaml, "small.yaml", test::shipped_catalogs());
}

std::string parse_error(const std::string& text) {
  try {
    serve::parse_trace("t.csv", text, "serving.traffic.trace");
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a trace parses by column name, aliases included, and sorts by arrival") {
  const auto t = serve::parse_trace("t.csv",
                                    "request_id, Timestamp ,\"Request tokens\",Response tokens,model\r\n"
                                    "a,10.5,100,4,r1\n"
                                    "# a comment\n"
                                    "\n"
                                    "b,2,300,0,r1\n",
                                    "serving.traffic.trace");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].arrival_s == 2.0);
  CHECK(t.rows[0].input == 300);
  CHECK(t.rows[0].output == 0);
  CHECK(t.rows[1].arrival_s == 10.5);
  CHECK_FALSE(t.has_cached);
  CHECK(t.ignored_columns == std::vector<std::string>{"request_id", "model"});
  // Spreadsheets write a byte-order mark first.
  CHECK(serve::parse_trace("b.csv", "\xEF\xBB\xBF" "arrival_s,input_tokens,output_tokens\n1,2,3\n", "f").rows.size() == 1);
  // The export format reads back as written.
  const auto csv = serve::trace_csv({{1.25, 10, 3, 4}});
  CHECK(csv == "arrival_s,input_tokens,output_tokens,cached_tokens\n1.250000,10,3,4\n");
  const auto back = serve::parse_trace("e.csv", csv, "f");
  REQUIRE(back.has_cached);
  CHECK(back.rows[0].cached == 4);
}

TEST_CASE("malformed traces name the line and column") {
  const std::string head = "arrival_s,input_tokens,output_tokens,cached_tokens\n";
  CHECK_THAT(parse_error(head + "1,2,3,1\n1,x,3,0\n"), ContainsSubstring("t.csv:3:2") && ContainsSubstring("not a number: 'x'"));
  CHECK_THAT(parse_error(head + "86400,2,3,0\n"), ContainsSubstring("t.csv:2:1") && ContainsSubstring("outside the day"));
  CHECK_THAT(parse_error(head + "1,2,3,5\n"), ContainsSubstring("t.csv:2:4") && ContainsSubstring("cached_tokens 5"));
  CHECK_THAT(parse_error(head + "1,0,3,0\n"), ContainsSubstring("input_tokens must be >= 1"));
  CHECK_THAT(parse_error(head + "1,2.5,3,0\n"), ContainsSubstring("whole numbers"));
  CHECK_THAT(parse_error(head + "1,2,3\n"), ContainsSubstring("t.csv:2") && ContainsSubstring("3 cells, but the header has 4"));
  CHECK_THAT(parse_error("arrival_s,input_tokens\n1,2\n"), ContainsSubstring("no 'output_tokens' column"));
  CHECK_THAT(parse_error("arrival_s,input_tokens,output_tokens,timestamp\n"), ContainsSubstring("both give arrival_s"));
  CHECK_THAT(parse_error(""), ContainsSubstring("empty"));
  CHECK_THAT(parse_error(head), ContainsSubstring("no requests"));
  CHECK_THAT(parse_error(head + "1,2,3,0\n"), ContainsSubstring("(no error)"));
}

TEST_CASE("the closed form's traffic from a trace, by hand") {
  // Sorted: (5 s, 200 in, 0 out, 100 cached), (10 s, 100, 4, 40), (3600.5 s, 300, 2, 0).
  const auto csv = write("hand.csv",
                         "arrival_s,input_tokens,output_tokens,cached_tokens\n"
                         "10,100,4,40\n3600.5,300,2,0\n5,200,0,100\n");
  const auto s = load(service("    trace: " + csv + "\n"));
  const serve::ServingModel m(s, *s.serving, calibration());
  const auto& tr = m.traffic();
  CHECK(tr.requests_per_day == 3);
  CHECK(tr.input_tokens_per_day == 600);
  CHECK(tr.output_tokens_per_day == 6);
  CHECK(tr.cache_hit_rate == Approx(140.0 / 600));
  CHECK(tr.mean_input == 200);
  CHECK(tr.mean_output == 2);
  // Generated tokens see I + j keys: 4 x 100 + (1+2+3+4) + 2 x 300 + (1+2) = 1,013 over 6 tokens.
  CHECK(tr.mean_kv_len == Approx(1013.0 / 6));
  // E[I^2]/E[I] = (100^2 + 300^2 + 200^2) / 600.
  CHECK(tr.token_weighted_input == Approx(140000.0 / 600));
  // Hour 0 carries 300 input and 4 output tokens, hour 1 300 and 2; mean 1 over the day.
  CHECK(tr.curve_input[0] == Approx(12));
  CHECK(tr.curve_input[1] == Approx(12));
  CHECK(tr.curve[0] == Approx(16));
  CHECK(tr.curve[1] == Approx(8));
  CHECK(tr.curve[5] == 0);
  // Hours 0-1 loaded, hour 2 drains the last requests, then no units.
  const auto e = m.estimate();
  CHECK(e.hourly[1].decode_units == 1);
  CHECK(e.hourly[2].decode_units == 1);
  CHECK(e.hourly[2].prefill_units == 1);
  CHECK(e.hourly[3].decode_units == 0);
  CHECK(e.hourly[3].prefill_units == 0);
}

TEST_CASE("a trace or distributions: the scenario gives one") {
  const auto csv = write("one.csv", "arrival_s,input_tokens,output_tokens\n1,100,10\n");
  CHECK_THROWS_WITH(load(service(std::string(kDistributions) + "    trace: " + csv + "\n")),
                    ContainsSubstring("small.yaml:") && ContainsSubstring("serving.traffic.input_tokens_per_day") &&
                        ContainsSubstring("conflicts with 'trace'"));
  CHECK_THROWS_WITH(load(service("    output_tokens_per_day: 5B\n    input: {mean: 10}\n    output: {mean: 5}\n")),
                    ContainsSubstring("serving.traffic.input_tokens_per_day") && ContainsSubstring("missing field"));
  CHECK_THROWS_WITH(load(service("    trace: " + (scratch() / "nowhere.csv").string() + "\n")),
                    ContainsSubstring("small.yaml:") && ContainsSubstring("serving.traffic.trace") &&
                        ContainsSubstring("cannot read"));
}

TEST_CASE("the scenario's hash covers the trace's bytes") {
  const auto a = write("hash.csv", "arrival_s,input_tokens,output_tokens\n1,100,10\n");
  const auto yaml = service("    trace: " + a + "\n");
  const auto first = load(yaml).hash;
  CHECK(load(yaml).hash == first);
  write("hash.csv", "arrival_s,input_tokens,output_tokens\n1,100,11\n");
  CHECK(load(yaml).hash != first);
}

TEST_CASE("a simulated day exported as a trace replays to the same tokens and latencies") {
  // 100,000 requests a day, every one simulated (k = 1).
  const auto drawn = load(service(kDistributions));
  serve::ServeOptions o;
  o.sim.export_requests = true;
  const auto a = serve::serve(drawn, calibration(), o);
  REQUIRE(a.sim);
  REQUIRE(a.sim->requests_per_simulated == 1);
  REQUIRE(a.sim->requests.size() == static_cast<size_t>(a.sim->simulated_requests));
  const auto csv = write("day.csv", serve::trace_csv(a.sim->requests));

  const auto replayed = load(service("    trace: " + csv + "\n"));
  const auto b = serve::serve(replayed, calibration());
  REQUIRE(b.sim);
  INFO("drawn: TTFT p50 " << a.sim->ttft_s.p50 << " s, TPOT p50 " << a.sim->tpot_s.p50 << " s; replayed: "
                          << b.sim->ttft_s.p50 << ", " << b.sim->tpot_s.p50);
  // The same requests: the same tokens, exactly.
  CHECK(b.sim->simulated_requests == a.sim->simulated_requests);
  CHECK(b.sim->input_tokens == a.sim->input_tokens);
  CHECK(b.sim->output_tokens == a.sim->output_tokens);
  // The same day, planned from the trace's own curve and moments instead of the scenario's:
  // latencies and node counts agree closely, not exactly.
  CHECK(b.sim->tpot_s.p50 == Approx(a.sim->tpot_s.p50).epsilon(0.02));
  CHECK(b.sim->ttft_s.p50 == Approx(a.sim->ttft_s.p50).epsilon(0.05));
  CHECK(b.estimate.nodes.average == Approx(a.estimate.nodes.average).epsilon(0.05));
  CHECK(b.estimate.traffic.mean_kv_len == Approx(a.estimate.traffic.mean_kv_len).epsilon(0.02));
  CHECK(b.estimate.traffic.cache_hit_rate == Approx(0.25).epsilon(0.01));

  // More requests than --requests allows cannot be exported one by one.
  serve::ServeOptions few = o;
  few.sim.max_simulated_requests = 1000;
  CHECK_THROWS_WITH(serve::serve(drawn, calibration(), few), ContainsSubstring("--export-requests"));
}
