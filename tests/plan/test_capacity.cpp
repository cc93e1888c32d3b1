// The capacity search against a brute-force oracle, on engines given in closed form so every
// expected number can be worked by hand: the search logic (availability, deadlines, fastest
// layout per cluster, pricing, the front, the best fleet, the reference check) is what is tested.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <cmath>
#include <fstream>

#include "core/error.h"
#include "plan/capacity.h"
#include "plan/engines.h"
#include "support/catalogs.h"

using namespace fleetsim;
using Catch::Matchers::WithinRel;

namespace {

const char* kBase = R"(
name: plan base
question: capacity search test
training:
  model: deepseek-v3
  cluster: {node: hgx-h800, nodes: 256, fabric: {kind: multiplane-fat-tree, switch: qm9700}}
  parallelism: {pp: 16, ep: 64, schedule: dualpipe}
  stages:
    - {name: pretrain, seq_len: 4096, batch: 15360, tokens: 14.8T}
serving:
  model: deepseek-v3
  node: hgx-h800
  fabric: {kind: multiplane-fat-tree, switch: qm9700}
  prefill: {nodes: 4, ep: 32, attention_dp: 32}
  decode: {nodes: 18, ep: 144, attention_dp: 144}
  traffic:
    input_tokens_per_day: 608B
    output_tokens_per_day: 168B
    input: {mean: 3000}
    output: {mean: 2000}
  rental: $2/GPU-hour
)";

// Closed-form engines. Node kinds differ by speed s (H800 1, H100 1.1, H20 0.25) and price.
// Step time of a layout on g GPUs: T = 6.5e8 / (g s) x (1 + 0.05 log2(pp) + 0.02 log2(ep) + 0.1 (tp - 1))
// seconds per trillion tokens; the run is 14.8 of those. Memory: a layout holds the model when
// pp x ep x tp >= 64. Serving: peak nodes = 300 / s, average = 0.8 x peak.
struct FakeEngines final : plan::PlanEngines {
  static double speed(const std::string& node) {
    if (node == "hgx-h800") return 1.0;
    if (node == "hgx-h100") return 1.1;
    return 0.25;
  }
  static double price(const std::string& node) {
    if (node == "hgx-h800") return 300e3;
    if (node == "hgx-h100") return 330e3;
    return 150e3;
  }
  plan::TrainingOutcome eval(const scenario::TrainingSpec& t, double factor) const {
    plan::TrainingOutcome o;
    const auto& p = t.parallelism;
    if (p.pp * p.ep * p.tp < 64) {
      o.verdict = plan::Verdict::memory;
      o.reason = "weights do not fit";
      return o;
    }
    const double g = t.cluster.nodes * 8.0;
    const double per_t = 6.5e8 / (g * speed(t.cluster.node)) *
                         (1 + 0.05 * std::log2(p.pp) + 0.02 * std::log2(p.ep) + 0.1 * (p.tp - 1)) * factor;
    o.step_time_s = per_t;
    o.days = 14.8 * per_t / 86400;
    o.gpu_hours = g * o.days * 24;
    o.breakdown = {{"compute", per_t * 0.8}, {"bubble", per_t * 0.2}};
    return o;
  }
  plan::TrainingOutcome screen_training(const scenario::Scenario&, const scenario::TrainingSpec& t) const override {
    return eval(t, 1.0);
  }
  plan::TrainingOutcome confirm_training(const scenario::Scenario&, const scenario::TrainingSpec& t) const override {
    return eval(t, 1.03);
  }
  plan::ServingOutcome screen_serving(const scenario::Scenario&, const scenario::ServingSpec& v) const override {
    plan::ServingOutcome o;
    o.peak_nodes = 300 / speed(v.node);
    o.average_nodes = 0.8 * o.peak_nodes;
    o.gpu_hours_per_day = o.average_nodes * 8 * 24;
    return o;
  }
  double own_cost_usd(const scenario::Scenario& s, const std::map<std::string, int>& nodes) const override {
    double usd = 0;
    for (const auto& [n, c] : nodes) {
      REQUIRE(s.nodes.count(n));  // the merged scenario holds every node priced
      usd += c * price(n);
    }
    return usd;
  }
};

plan::PlanSpec make_plan(bool serving) {
  plan::PlanSpec p;
  p.name = "test";
  p.choices = {{"hgx-h800", 300, "", {}}, {"hgx-h100", 0, "", {}}, {"hgx-h20", 0, "", {}}};
  plan::TrainingSearchSpec t;
  t.deadline_s = 60 * 86400.0;
  t.nodes = {64, 128, 256, 512};
  t.pp = {1, 4, 8, 16};
  t.ep = {1, 8, 64};
  t.tp = {1, 2};
  t.schedules = {scenario::Schedule::dualpipe, scenario::Schedule::one_f_one_b};
  p.training = t;
  p.serving = serving;
  p.confirm = 2;
  return p;
}

plan::Variants make_variants(const plan::PlanSpec& p) {
  plan::Variants v;
  for (const auto& c : p.choices) {
    v.emplace(c.node, scenario::load_scenario_text(kBase, "base.yaml", test::shipped_catalogs(),
                                                   {"training.cluster.node=" + c.node, "serving.node=" + c.node}));
  }
  return v;
}

}  // namespace

TEST_CASE("capacity search: training only, checked against brute force") {
  const auto p = make_plan(false);
  const auto variants = make_variants(p);
  FakeEngines e;
  plan::SearchOptions opt;
  opt.reference = plan::Layout{"hgx-h800", 256, 16, 64, 1, 1, 1, scenario::Schedule::dualpipe};
  const auto r = plan::search(p, variants, e, opt);

  // 3 kinds x 4 sizes x 4 PP x 3 EP x 2 TP x 2 schedules = 576 layouts.
  REQUIRE(r.screened == 576);
  int64_t rejected = 0;
  for (const auto& x : r.rejections) rejected += x.count;
  CHECK(r.feasible + rejected == r.screened);

  // Brute force: for every layout, its verdict by hand; the cheapest layout meeting 60 days.
  int64_t feasible = 0, availability = 0, memory = 0, layout = 0, deadline = 0;
  double best_cost = 1e300;
  std::string best_node;
  int best_nodes = 0;
  for (std::string node : {"hgx-h800", "hgx-h100", "hgx-h20"}) {
    for (int n : {64, 128, 256, 512}) {
      for (int pp : {1, 4, 8, 16}) {
        for (int ep : {1, 8, 64}) {
          for (int tp : {1, 2}) {
            for (bool dual : {true, false}) {
              if (node == "hgx-h800" && n > 300) { ++availability; continue; }
              if (dual && pp % 2) { ++layout; continue; }
              if (pp * ep * tp < 64) { ++memory; continue; }
              double per_t = 6.5e8 / (n * 8.0 * FakeEngines::speed(node)) *
                             (1 + 0.05 * std::log2(pp) + 0.02 * std::log2(ep) + 0.1 * (tp - 1));
              if (14.8 * per_t / 86400 > 60) { ++deadline; continue; }
              ++feasible;
              double cost = n * FakeEngines::price(node);
              if (cost < best_cost) { best_cost = cost; best_node = node; best_nodes = n; }
            }
          }
        }
      }
    }
  }
  CHECK(r.feasible == feasible);
  auto count = [&](plan::Verdict v) {
    for (const auto& x : r.rejections) if (x.verdict == v) return x.count;
    return int64_t{0};
  };
  CHECK(count(plan::Verdict::availability) == availability);
  CHECK(count(plan::Verdict::layout) == layout);
  CHECK(count(plan::Verdict::memory) == memory);
  CHECK(count(plan::Verdict::deadline) == deadline);
  REQUIRE(r.best.has_value());
  const auto& best = r.fleets[*r.best];
  INFO(best.label);
  CHECK(best.cost_usd == best_cost);
  CHECK(best.nodes.at(best_node) == best_nodes);
  CHECK(best.meets_deadline);
  // By hand: 256 H800 with the fastest layout (PP1 EP64, factor 1.12) take 60.9 days, 512 H800
  // are not available; 256 H100 take 55.3 days: $84.48M, the cheapest. Its layout is PP1 x EP64.
  CHECK(best.training->pp == 1);
  CHECK(best.training->ep == 64);
  CHECK(best.training->tp == 1);

  // The front holds no dominated fleet and every non-front fleet is dominated.
  for (const auto& a : r.fleets) {
    bool dominated = false;
    for (const auto& b : r.fleets) {
      dominated = dominated || (b.cost_usd <= a.cost_usd && b.time_days <= a.time_days &&
                                (b.cost_usd < a.cost_usd || b.time_days < a.time_days));
    }
    INFO(a.label);
    CHECK(a.front == !dominated);
  }

  // Confirmations: the event engine here is 3% slower by construction.
  REQUIRE(r.confirmations.size() == 2);
  CHECK_THAT(r.confirmations[0].event_step_s / r.confirmations[0].analytic_step_s, WithinRel(1.03, 1e-12));

  // The reference (PP16 EP64 TP1 dualpipe on 256 H800) against the best on its cluster (PP1 EP64).
  REQUIRE(r.reference.has_value());
  CHECK(r.reference->reference_in_space);
  CHECK(r.reference->best.pp == 1);
  CHECK_THAT(r.reference->reference_outcome.step_time_s / r.reference->best_outcome.step_time_s,
             WithinRel((1 + 0.05 * 4 + 0.02 * 6) / (1 + 0.02 * 6), 1e-12));
  CHECK(r.reference->explanation.find("compute") != std::string::npos);
}

TEST_CASE("capacity search: serving beside training shares availability; results do not depend on threads") {
  auto p = make_plan(true);
  const auto variants = make_variants(p);
  FakeEngines e;
  plan::SearchOptions one{1, nullptr, std::nullopt}, two{2, nullptr, std::nullopt};
  const auto a = plan::search(p, variants, e, one);
  const auto b = plan::search(p, variants, e, two);
  CHECK(plan::plan_json(p, a).dump() == plan::plan_json(p, b).dump());

  // Serving on H800 needs 300 nodes: with H800 capped at 300 no H800 training cluster fits beside it.
  for (const auto& f : a.fleets) {
    INFO(f.label);
    int h800 = f.nodes.count("hgx-h800") ? f.nodes.at("hgx-h800") : 0;
    CHECK(h800 <= 300);
    // Cost is the sum of both parts' node prices.
    double expected = 0;
    for (const auto& [n, c] : f.nodes) expected += c * FakeEngines::price(n);
    CHECK(f.cost_usd == expected);
  }
  REQUIRE(a.best.has_value());
  // Only H100 clusters of 256 or 512 nodes train within 60 days (256 H800 take 60.9 days, 512
  // H800 are not available). Serving needs 300 H800 ($90M), 273 H100 ($90.09M) or 1,200 H20
  // ($180M). Cheapest: 256 H100 for training ($84.48M) and 300 H800 for serving: $174.48M,
  // just under 529 H100 ($174.57M).
  const auto& best = a.fleets[*a.best];
  INFO(best.label);
  CHECK(best.serving_node == "hgx-h800");
  CHECK(best.nodes.at("hgx-h800") == 300);
  CHECK(best.nodes.at("hgx-h100") == 256);
  CHECK(best.cost_usd == 174.48e6);
}

TEST_CASE("capacity search: rent prices GPU-hours") {
  auto p = make_plan(false);
  p.cost = plan::CostBasis::rent;
  p.choices = {{"hgx-h800", 0, "", {}}};
  const auto variants = make_variants(p);
  FakeEngines e;
  const auto r = plan::search(p, variants, e);
  // The base scenario gives no training rental: the H800 catalog price is used.
  const double rate = *variants.at("hgx-h800").gpus.at("h800").rental_usd_per_hour;
  for (const auto& f : r.fleets) CHECK_THAT(f.cost_usd, WithinRel(f.training_outcome->gpu_hours * rate, 1e-12));
}

TEST_CASE("plan files: bad input names file, line and field") {
  const auto dir = std::filesystem::temp_directory_path() / "fleetsim_plan_spec";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& text) {
    std::ofstream(dir / "p.yaml") << text;
    return dir / "p.yaml";
  };
  auto msg = [&](const std::string& text) {
    try {
      plan::load_plan(write(text));
    } catch (const core::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head = "name: x\nbase: deepseek.yaml\nchoices: [{node: hgx-h20}]\n";
  CHECK(msg(head + "training: {deadline: 60 d, nodes: [64, 64]}\n").find("listed twice") != std::string::npos);
  CHECK(msg(head + "training: {deadline: 60, nodes: [64]}\n").find("deadline") != std::string::npos);
  CHECK(msg(head + "training: {deadline: 60 d, nodes: [64], pp: [0]}\n").find("p.yaml:4") != std::string::npos);
  CHECK(msg(head + "training: {deadline: 60 d, nodes: [64], schedules: [gpipe]}\n").find("unknown schedule") !=
        std::string::npos);
  CHECK(msg(head).find("no target") != std::string::npos);
  CHECK(msg(head + "serving: true\nbudget: 5\n").find("budget") != std::string::npos);
  const auto ok = plan::load_plan(write(head + "serving: true\n"));
  CHECK(ok.base == dir / "deepseek.yaml");
  CHECK(ok.cost == plan::CostBasis::own);
}

TEST_CASE("a layout is rejected for memory by its problem's kind, whatever the message says") {
  using core::Infeasible;
  core::Infeasibility hbm, split;
  hbm.kind = Infeasible::memory;
  hbm.message = "needs 97 GiB of 80 GiB of HBM";
  split.kind = Infeasible::layout;
  split.message = "out of memory? no: tp 3 does not divide 128";
  CHECK(plan::classify({hbm}) == plan::Verdict::memory);
  CHECK(plan::classify({split, hbm}) == plan::Verdict::memory);
  CHECK(plan::classify({split}) == plan::Verdict::layout);  // the words "out of memory" do not make it one
}
