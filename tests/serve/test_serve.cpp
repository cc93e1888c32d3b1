// The serving model: closed forms worked by hand on a small dense model, invariants (bandwidth,
// load), bad units rejected with file, line and field, and a deterministic event simulation
// that carries the day's traffic.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/feasibility.h"
#include "model/analytics.h"
#include "model/layer_ops.h"
#include "scenario/scenario.h"
#include "serve/result.h"
#include "serve/small_service.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Approx;
using Catch::Matchers::ContainsSubstring;

namespace {

const calib::CalibrationSet& calibration() { return test::shipped_calibration(); }

// Traffic: 2,000 input and 500 output tokens per request; 10M requests a day.
std::string small(const std::string& extra = "", const std::string& hardware = "") {
  return hardware + test::small_service(R"(    input_tokens_per_day: 20B
    output_tokens_per_day: 5B
    cache_hit_rate: 0.25
    input: {dist: lognormal, mean: 2000, cv: 0.5}
    output: {dist: exponential, mean: 500}
)") + extra;
}

scenario::Scenario load(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return scenario::load_scenario_text(yaml, "small.yaml", test::shipped_catalogs(), sets);
}

scenario::Scenario deepseek(const std::vector<std::string>& sets = {}) {
  return scenario::load_scenario(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/deepseek-r1-serving.yaml",
                                 test::shipped_catalogs(), sets);
}

}  // namespace

TEST_CASE("memory of a unit by hand: weights, reserve, KV bytes per token and KV tokens") {
  const auto s = load(small());
  const serve::ServingModel m(s, *s.serving, calibration());
  const auto& mem = m.decode_unit().memory();
  // Llama-3.1-8B caches K and V of 8 KV heads of 128 in 32 layers, BF16: 2 x 8 x 128 x 32 x 2.
  CHECK(mem.kv_bytes_per_token == 131072.0);
  // Every GPU holds the whole model in BF16: 2 bytes per parameter (norms included).
  const auto p = model::count_params(s.model("llama-3.1-8b"));
  CHECK(mem.weight_bytes == Approx(2.0 * p.total).epsilon(1e-9));
  CHECK(mem.reserve_bytes == Approx(0.1 * 80.0 * 1024 * 1024 * 1024));
  CHECK(mem.kv_tokens == Approx((0.9 * 80.0 * 1024 * 1024 * 1024 - 2.0 * p.total) / 131072.0));
}

TEST_CASE("decode step of a dense model is the sum of its ops priced by OpCost") {
  const auto s = load(small());
  const serve::ServingModel m(s, *s.serving, calibration());
  const auto& u = m.decode_unit();
  const auto& spec = s.model("llama-3.1-8b");
  // Four requests of 1,000 tokens of context, one micro-batch, no all-to-all: the step is
  // embedding + 32 x (attention + FFN) + head.
  model::LayerShape a;
  a.tokens = 4;
  a.sequences = 4;
  a.decode = true;
  a.kv_len = 1000;
  model::LayerShape f = a;
  f.sequences = 1;
  const auto& c = u.op_cost();
  const double layer = c.seconds(model::attention_ops(spec, a)) + c.seconds(model::ffn_ops(spec, 0, f));
  const double expected = c.seconds(model::embedding_ops(spec, a)) + 32 * layer + c.seconds(model::head_ops(spec, f));
  const auto st = u.decode_step(4, 1000);
  CHECK(st.seconds == Approx(expected).epsilon(1e-12));
  CHECK(st.all_to_all_s == 0.0);
  // The attention core reads 4 x 1,000 tokens x 8 heads x 128 x 2 (K, V) x 2 bytes = 16.4 MB per layer.
  const auto ops = model::attention_ops(spec, a);
  const auto core = std::find_if(ops.begin(), ops.end(), [](const model::Op& o) { return o.name == "attn.core"; });
  REQUIRE(core != ops.end());
  CHECK(core->bytes >= 4 * 1000 * 8 * 128 * 2 * 2.0);
  CHECK(core->bytes < 4 * 1000 * 8 * 128 * 2 * 2.0 * 1.01);
}

TEST_CASE("MTP: tokens per step are 1 + a + a^2 + ...") {
  auto s = deepseek();
  const serve::ServingModel m(s, *s.serving, calibration());
  CHECK(m.decode_unit().tokens_per_step() == Approx(1.85));
  auto s2 = deepseek({"serving.mtp.draft_tokens=2", "serving.mtp.acceptance=0.5"});
  // DeepSeek-V3 has one MTP module: drafts beyond it need more modules, so only one counts.
  CHECK(serve::ServingModel(s2, *s2.serving, calibration()).decode_unit().tokens_per_step() == Approx(1.5));
}

TEST_CASE("more HBM bandwidth decodes faster; a larger batch decodes more tokens per second") {
  // H200: the H100's die with 4.8 TB/s of HBM instead of 3.35 (its calibration table holds
  // the default efficiencies at its datasheet figures). A hardware what-if on hbm_bw alone would
  // not do: the H100's efficiencies are fitted to measured rates, which it keeps.
  const auto base = load(small());
  const auto fast = load(small(), {"serving.node=hgx-h200"});
  const serve::ServingModel a(base, *base.serving, calibration()), b(fast, *fast.serving, calibration());
  // At small batch a step streams the weights (16 GB): weight-bound GEMMs speed up with HBM.
  const double t1 = a.decode_unit().decode_step(2, 1000).seconds, t2 = b.decode_unit().decode_step(2, 1000).seconds;
  INFO("step on H100 " << t1 << " s, on H200 " << t2 << " s");
  CHECK(t2 < t1 * 0.85);
  const auto& u = a.decode_unit();
  CHECK(64 / u.decode_step(64, 3000).seconds > 8 / u.decode_step(8, 3000).seconds);
  CHECK(u.decode_step(8, 6000).seconds > u.decode_step(8, 3000).seconds);
}

TEST_CASE("more load needs more nodes; the cost follows the GPU-hours") {
  const auto lo = serve::estimate(load(small()), *load(small()).serving, calibration());
  const auto s = load(small(), {"serving.traffic.input_tokens_per_day=80B", "serving.traffic.output_tokens_per_day=20B"});
  const auto hi = serve::estimate(s, *s.serving, calibration());
  REQUIRE(lo.feasible);
  REQUIRE(hi.feasible);
  CHECK(hi.nodes.average > lo.nodes.average);
  CHECK(hi.nodes.peak >= lo.nodes.peak);
  CHECK(hi.gpu_hours_per_day == Approx(hi.nodes.average * 8 * 24));
  CHECK(hi.cost_usd_per_day == Approx(hi.gpu_hours_per_day * 2.0));  // the default rental, $2/GPU-hour
}

TEST_CASE("the daily curve: units follow the load, a flat day does not autoscale") {
  const std::string curve =
      "    daily_curve: [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]\n";
  auto yaml = small();
  yaml.insert(yaml.find("    input: {"), curve);
  const auto s = load(yaml);
  const auto e = serve::estimate(s, *s.serving, calibration());
  REQUIRE(e.feasible);
  CHECK(e.hourly[0].load == Approx(1.0 / 1.5));
  CHECK(e.hourly[6].load == Approx(2.0 / 1.5));
  CHECK(e.hourly[6].nodes_decode >= e.hourly[0].nodes_decode);
  CHECK(e.nodes.peak > e.nodes.average);
  const auto flat = load(yaml, {"serving.autoscale=false"});
  const auto f = serve::estimate(flat, *flat.serving, calibration());
  CHECK(f.nodes.peak == Approx(f.nodes.average));
}

TEST_CASE("bad units are rejected with file, line and field") {
  struct Case {
    std::vector<std::string> sets;
    std::string field;
    std::string message;
    core::Infeasible kind;  // what serve::estimate says it is
  };
  using core::Infeasible;
  const Case cases[] = {
      {{"serving.decode.ep=288", "serving.decode.nodes=36", "serving.decode.attention_dp=288"},
       "serving.decode.ep", "ep 288 is larger than the model's 256 routed experts", Infeasible::layout},
      {{"serving.decode.ep=8", "serving.decode.nodes=1", "serving.decode.attention_dp=8", "serving.decode.redundant_experts=0"},
       "serving.decode.nodes", "does not fit", Infeasible::memory},
      {{"serving.slo.min_tokens_per_s_per_user=2000"}, "serving.slo.min_tokens_per_s_per_user", "impossible SLO", Infeasible::slo},
      {{"serving.slo.ttft_p90=100ms"}, "serving.slo.ttft_p90", "impossible SLO: prefilling one average prompt", Infeasible::slo},
      {{"serving.decode.attention_dp=100"}, "serving.decode.attention_dp", "18 nodes x 8 GPUs = 144", Infeasible::layout},
      {{"serving.prefill.redundant_experts=3"}, "serving.prefill.ep", "does not divide", Infeasible::layout},
  };
  for (const auto& c : cases) {
    INFO(c.field);
    const auto s = deepseek(c.sets);
    try {
      serve::ServingModel(s, *s.serving, calibration()).estimate();
      FAIL("accepted");
    } catch (const core::InputError& e) {
      CHECK(e.field() == c.field);
      CHECK_THAT(e.message(), ContainsSubstring(c.message));
      CHECK(!e.where().file.empty());
    }
    // The planner's call returns it as a value instead, with its kind, the same field, and the
    // text the CLI prints.
    const auto est = serve::estimate(s, *s.serving, calibration());
    CHECK_FALSE(est.feasible);
    REQUIRE(est.infeasible.size() == 1);
    const core::Infeasibility& why = est.infeasible[0];
    CHECK(why.kind == c.kind);
    CHECK(why.field == c.field);
    CHECK_THAT(why.message, ContainsSubstring(c.message));
    CHECK_THAT(why.to_string(), ContainsSubstring(c.field + ": " + why.message));
  }
  // A field given in the file names its line.
  auto yaml = small();
  const size_t at = yaml.find("decode: {nodes: 1, ep: 1");
  yaml.replace(at, 24, "decode: {nodes: 1, ep: 2");
  const int line = 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  const auto bad = load(yaml);
  try {
    serve::ServingModel(bad, *bad.serving, calibration());
    FAIL("accepted");
  } catch (const core::InputError& e) {
    CHECK(e.field() == "serving.decode.ep");
    CHECK(e.where().line == line);
    CHECK_THAT(e.message(), ContainsSubstring("no routed experts"));
  }
}

TEST_CASE("traffic means must agree with the day's totals") {
  const auto s = load(small(), {"serving.traffic.input.mean=3000"});
  CHECK_THROWS_WITH(serve::ServingModel(s, *s.serving, calibration()), ContainsSubstring("disagrees with the day's totals"));
  // As a value: kind input, at the input mean.
  std::vector<core::Infeasibility> why;
  CHECK_FALSE(serve::ServingModel::make(s, *s.serving, calibration(), why).has_value());
  REQUIRE(why.size() == 1);
  CHECK(why[0].kind == core::Infeasible::input);
  CHECK(why[0].field == "serving.traffic.input.mean");
  CHECK_THAT(why[0].message, ContainsSubstring("disagrees with the day's totals"));
}

TEST_CASE("a unit that cannot run is a value of its kind from UnitModel::make") {
  const auto s = deepseek({"serving.decode.ep=8", "serving.decode.nodes=1", "serving.decode.attention_dp=8",
                           "serving.decode.redundant_experts=0"});
  std::vector<core::Infeasibility> why;
  CHECK_FALSE(serve::UnitModel::make(s, *s.serving, *s.serving->decode, "serving.decode", serve::Role::decode,
                                     calibration(), why)
                  .has_value());
  REQUIRE(why.size() == 1);
  CHECK(why[0].kind == core::Infeasible::memory);
  CHECK(why[0].field == "serving.decode.nodes");
  // The prefill unit of the same service runs.
  const auto prefill = serve::UnitModel::make(s, *s.serving, *s.serving->prefill, "serving.prefill",
                                              serve::Role::prefill, calibration(), why);
  REQUIRE(prefill.has_value());
  CHECK(prefill->role() == serve::Role::prefill);
  CHECK(why.size() == 1);
  CHECK(serve::role_name(serve::Role::colocated) == "colocated");
}

TEST_CASE("the event simulation carries the day's tokens, deterministically") {
  const auto s = load(small());
  serve::ServeOptions o;
  o.sim.max_simulated_requests = 200'000;
  const auto a = serve::serve(s, calibration(), o);
  const auto b = serve::serve(s, calibration(), o);
  REQUIRE(a.sim);
  CHECK(serve::serving_json(a).dump() == serve::serving_json(b).dump());
  // 10M requests a day in batches of 50.
  CHECK(a.sim->requests_per_simulated == 50);
  CHECK(a.sim->output_tokens == Approx(5e9).epsilon(0.03));
  CHECK(a.sim->input_tokens == Approx(20e9).epsilon(0.03));
  CHECK(a.sim->tpot_s.p50 > 0);
  CHECK(a.sim->tpot_s.p50 <= a.sim->tpot_s.p90);
  CHECK(a.sim->tpot_s.p90 <= a.sim->tpot_s.p99);
  CHECK(a.sim->ttft_s.p50 >= a.estimate.ttft_s * 0.5);
  // Another seed, another day.
  const auto other = load(small(), {"seed=8"});
  CHECK(serve::serving_json(serve::serve(other, calibration(), o)).dump() != serve::serving_json(a).dump());
}

TEST_CASE("deepseek-r1-serving.yaml serves exactly the default scenario's service") {
  const auto r1 = deepseek();
  const auto def = scenario::load_scenario(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/deepseek.yaml",
                                           test::shipped_catalogs());
  CHECK(scenario::scenario_to_json(r1, core::EmitMode::json)["serving"] ==
        scenario::scenario_to_json(def, core::EmitMode::json)["serving"]);
}

TEST_CASE("a TTFT target holds prefill below saturation: tighter targets, more prefill nodes") {
  const auto free = serve::estimate(deepseek(), *deepseek().serving, calibration());
  const auto s2 = deepseek({"serving.slo.ttft_p90=2s"});
  const auto s03 = deepseek({"serving.slo.ttft_p90=300ms"});
  const auto e2 = serve::estimate(s2, *s2.serving, calibration());
  const auto e03 = serve::estimate(s03, *s03.serving, calibration());
  REQUIRE(e2.feasible);
  REQUIRE(e03.feasible);
  CHECK(free.prefill->ttft_utilization == 1.0);
  CHECK(e2.prefill->ttft_utilization < 1.0);
  CHECK(e03.prefill->ttft_utilization < e2.prefill->ttft_utilization);
  CHECK(e03.nodes.prefill > e2.nodes.prefill);
  CHECK(e2.nodes.prefill >= free.nodes.prefill);
  // M/G/1 by hand: TTFT p90 = t1 + ln(10) rho/(1 - rho) x residual, at the target.
  const auto& p = *e03.prefill;
  const double rate = p.tokens_per_pass_per_gpu / p.pass.seconds;  // back to back, per GPU
  const double residual = e03.traffic.token_weighted_input * (1 - 0.563) / (2 * rate * 32);
  const double rho = p.ttft_utilization;
  const double t1 = e03.ttft_s;
  CHECK(t1 + std::log(10.0) * rho / (1 - rho) * residual == Approx(0.3).epsilon(1e-9));
  CHECK(p.tokens_per_s_per_node == Approx(rho * rate * 32 / (1 - 0.563) / 4));
}

TEST_CASE("a colocated unit: the closed form adds both shares of its time; the simulation never runs a pass and a step at once") {
  auto yaml = small();
  yaml.replace(yaml.find("  prefill: {"), std::string("  prefill: {").size(), "  unit: {");
  yaml.erase(yaml.find("  decode: {"), yaml.find("  traffic:") - yaml.find("  decode: {"));
  yaml.insert(yaml.find("  unit: {"), "  disaggregated: false\n");
  const auto colo = load(yaml);
  serve::ServeOptions o;
  o.sim.max_simulated_requests = 100'000;
  o.sim.record_trace = true;  // the first 200,000 passes and steps
  const auto r = serve::serve(colo, calibration(), o);
  const auto& e = r.estimate;
  REQUIRE_FALSE(e.disaggregated);
  REQUIRE(e.prefill);
  REQUIRE(e.decode);
  // Units each hour: the prefill share plus the decode share of one unit's time, rounded up.
  const double in = e.traffic.input_tokens_per_day / 86400, out = e.traffic.output_tokens_per_day / 86400;
  const double share = in / (e.prefill->tokens_per_s_per_node * e.prefill->nodes_per_unit) +
                       out / (e.decode->tokens_per_s_per_node * e.decode->nodes_per_unit);
  for (const auto& h : e.hourly) {
    CHECK(h.decode_units == static_cast<int>(std::ceil(share * h.load - 1e-9)));
    CHECK(h.prefill_units == 0);
  }
  REQUIRE(r.sim);
  CHECK(r.sim->output_tokens == Approx(5e9).epsilon(0.03));
  CHECK(r.sim->input_tokens == Approx(20e9).epsilon(0.03));
  CHECK(serve::serving_json(r).dump() == serve::serving_json(serve::serve(colo, calibration(), o)).dump());
  // Per unit, passes and steps in time order never overlap.
  std::map<int, std::vector<std::pair<int64_t, int64_t>>> spans;
  for (const auto& t : r.sim->trace) spans[t.unit].push_back({t.start_ns, t.end_ns});
  REQUIRE_FALSE(spans.empty());
  size_t overlaps = 0, both = 0;
  for (auto& [unit, v] : spans) {
    std::sort(v.begin(), v.end());
    for (size_t i = 1; i < v.size(); ++i) overlaps += v[i].first < v[i - 1].second ? 1 : 0;
  }
  for (const auto& t : r.sim->trace) both += t.prefill ? 1 : 0;
  CHECK(overlaps == 0);
  CHECK(both > 0);
  CHECK(both < r.sim->trace.size());
  // Decode pauses for passes: generation is slower than on the same unit disaggregated.
  const auto dis = serve::serve(load(small()), calibration(), o);
  REQUIRE(dis.sim);
  INFO("TPOT p50 colocated " << r.sim->tpot_s.p50 << " s, disaggregated " << dis.sim->tpot_s.p50 << " s");
  CHECK(r.sim->tpot_s.p50 > dis.sim->tpot_s.p50 * 1.2);
}

TEST_CASE("the serving what-ifs: what each GPU and the GQA model change, as docs/serving.md states") {
  auto day = [](const std::string& file) {
    const auto s = scenario::load_scenario(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/" + file,
                                           test::shipped_catalogs());
    const auto e = serve::estimate(s, *s.serving, calibration());
    REQUIRE(e.feasible);
    return e;
  };
  const auto h800 = day("deepseek-r1-serving.yaml");
  const auto h100 = day("deepseek-r1-serving-h100.yaml");
  const auto h200 = day("deepseek-r1-serving-h200.yaml");
  const auto h20 = day("deepseek-r1-serving-h20.yaml");
  const auto gqa = day("llama-405b-serving-gqa.yaml");
  // The NVLink cut costs nothing: the all-to-all is hidden and bound by InfiniBand.
  CHECK(h100.prefill_tokens_per_s_per_node == Approx(h800.prefill_tokens_per_s_per_node).epsilon(0.005));
  CHECK(h100.decode_tokens_per_s_per_node == Approx(h800.decode_tokens_per_s_per_node).epsilon(0.005));
  // Faster HBM: faster decode steps at the same batch, more tokens per node.
  CHECK(h200.decode->requests_per_gpu == h800.decode->requests_per_gpu);
  CHECK(h200.decode->tokens_per_s_per_user > h800.decode->tokens_per_s_per_user * 1.03);
  CHECK(h200.decode_tokens_per_s_per_node > h800.decode_tokens_per_s_per_node);
  CHECK(h200.decode->memory.kv_tokens > 2 * h800.decode->memory.kv_tokens);
  CHECK(h200.nodes.average < h800.nodes.average);
  // The H20: the SLO, not the cache, limits decode; several times the nodes.
  CHECK(h20.decode->batch_limit == "slo");
  CHECK(h20.decode->requests_per_gpu < 40);
  CHECK(h20.nodes.average > 4 * h800.nodes.average);
  // GQA caches 7.3x MLA's bytes per token (its 8 KV heads split over TP8) and needs far more nodes.
  CHECK(gqa.decode->memory.kv_bytes_per_token == 516'096 / 8);
  CHECK(gqa.decode->memory.kv_bytes_per_token * 8 / h800.decode->memory.kv_bytes_per_token == Approx(7.34).epsilon(0.01));
  CHECK(gqa.nodes.average > 10 * h800.nodes.average);
}

TEST_CASE("DeepSeek's simulated day keeps up with its plan: decode steps as fast as the closed form's") {
  // Units are sized at capacity, so a simulation that prices steps slower than the closed form
  // (a table interpolated across the all-to-all's floor, say) falls behind and its TPOT grows
  // with the queue; one that keeps up holds TPOT near the closed form's step per token.
  // At fleetsim's default granularity (2M request-batches of 78; coarser batches fill decode
  // units in lumps and lengthen the tail).
  const auto s = deepseek();
  const auto r = serve::serve(s, calibration());
  REQUIRE(r.sim);
  const double planned = r.estimate.tpot_s;
  INFO("TPOT closed form " << planned << " s; simulated p50 " << r.sim->tpot_s.p50 << ", p90 " << r.sim->tpot_s.p90
                           << ", p99 " << r.sim->tpot_s.p99);
  CHECK(r.sim->tpot_s.p50 <= planned * 1.05);
  CHECK(r.sim->tpot_s.p90 <= planned * 1.15);
  CHECK(r.sim->tpot_s.p99 <= planned * 1.25);
  CHECK(r.sim->output_tokens == Approx(168e9).epsilon(0.01));
}
