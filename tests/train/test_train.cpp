// Training model: closed forms worked by hand (bubbles, activations in flight, memory of a small
// model), invariants, bad configurations rejected with file, line and field, determinism.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "model/analytics.h"
#include "support/catalogs.h"
#include "train/train.h"

using namespace fleetsim;
using Catch::Approx;
using scenario::Schedule;

namespace {

const calib::CalibrationSet& calibration() {
  static const auto c = calib::CalibrationSet::load(std::filesystem::path(FLEETSIM_SOURCE_DIR) / "calibration" / "data");
  return c;
}

// Llama 3.1 8B on `nodes` HGX H100 nodes, 4K sequences, the given parallelism block.
std::string small(const std::string& parallelism, int nodes = 1, const std::string& extra = "") {
  return fmt::format(R"(name: small
question: test
training:
  model: llama-3.1-8b
  cluster: {{node: hgx-h100, nodes: {}, fabric: {{kind: rail-fat-tree, switch: qm9700}}}}
  parallelism: {}
  precision: {{gemm: bf16, weights: bf16, gradients: bf16, master: fp32, moments: fp32}}
  stages:
    - {{name: pretrain, seq_len: 4096, batch: 512, tokens: 1T}}
{})",
                     nodes, parallelism, extra);
}

scenario::Scenario load(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return scenario::load_scenario_text(yaml, "small.yaml", test::shipped_catalogs(), sets);
}

train::RunResult run(const scenario::Scenario& s) { return train::Trainer(s, *s.training, calibration()).run(); }

}  // namespace

TEST_CASE("bubble of each schedule, by hand") {
  // f = 1, b = 2 (of which w = 1), pp = 4.
  CHECK(train::bubble_seconds(Schedule::one_f_one_b, 4, 1, 1, 2, 1, 3) == Approx(3 * 3));      // (pp-1)(F+B)
  CHECK(train::bubble_seconds(Schedule::interleaved_1f1b, 4, 2, 1, 2, 1, 3) == Approx(4.5));   // /v
  CHECK(train::bubble_seconds(Schedule::zb1p, 4, 1, 1, 2, 1, 3) == Approx(3 * (3 - 2)));       // (pp-1)(F+B-2W)
  // DualPipe, pp = 8, F&B = 2.5: (pp/2 - 1)(F&B + B - 3W) = 3 x 1.5.
  CHECK(train::bubble_seconds(Schedule::dualpipe, 8, 1, 1, 2, 1, 2.5) == Approx(4.5));
  // DualPipeV on 4 devices = 8 stages of half a device: (8/2 - 1) x (2.5 + 2 - 3) / 2.
  CHECK(train::bubble_seconds(Schedule::dualpipev, 4, 1, 1, 2, 1, 2.5) == Approx(2.25));
  CHECK(train::bubble_seconds(Schedule::one_f_one_b, 1, 1, 1, 2, 1, 3) == 0);
}

TEST_CASE("activations in flight, by hand") {
  CHECK(train::activations_in_flight(Schedule::one_f_one_b, 8, 1, 100) == 8);
  CHECK(train::activations_in_flight(Schedule::one_f_one_b, 8, 1, 3) == 3);
  CHECK(train::activations_in_flight(Schedule::dualpipe, 16, 1, 120) == 17);
  CHECK(train::activations_in_flight(Schedule::interleaved_1f1b, 4, 2, 64) == Approx(4 * (1 + 3.0 / 8)));
  CHECK(train::activations_in_flight(Schedule::dualpipev, 8, 1, 64) == Approx(8.5));
}

TEST_CASE("memory of a small model: weights, gradients and optimizer by ZeRO stage") {
  const auto& m = test::shipped_model("llama-3.1-8b");
  const double p = model::count_params(m).total;
  {
    // ZeRO-0 keeps 16 bytes per parameter: 128 GB, more than an H100 holds.
    const auto s = load(small("{tp: 1, pp: 1, zero: 0}"));
    const auto e = train::estimate(s, *s.training, calibration());
    CHECK_FALSE(e.feasible);
    REQUIRE_FALSE(e.problems.empty());
    CHECK_THAT(e.problems.front().message, Catch::Matchers::ContainsSubstring("out of memory"));
    CHECK(e.memory_per_gpu_bytes > p * 16);
  }
  for (int zero : {1, 2, 3}) {
    const auto s = load(small(fmt::format("{{tp: 1, pp: 1, zero: {}, recompute: full}}", zero)));
    const auto r = run(s);
    const auto& mem = r.step.memory;
    const double shard = 8.0;  // DP8 on one node
    INFO("zero " << zero);
    CHECK(mem.params == Approx(p).epsilon(1e-6));
    CHECK(mem.weights == Approx(p * 2 / (zero >= 3 ? 8.0 : 1.0)).epsilon(1e-6));
    CHECK(mem.gradients == Approx(p * 2 / (zero >= 2 ? 8.0 : 1.0)).epsilon(1e-6));
    CHECK(mem.master == Approx(p * 4 / shard).epsilon(1e-6));
    CHECK(mem.moments == Approx(p * 8 / shard).epsilon(1e-6));
    // Full recomputation keeps one layer input (4096 x 4096 BF16) per layer and micro-batch,
    // and the output head its input (logits recomputed); pp = 1 keeps one micro-batch.
    CHECK(mem.activations == Approx((32 + 1) * 4096.0 * 4096 * 2).epsilon(1e-6));
    CHECK(mem.total == Approx(mem.weights + mem.gradients + mem.master + mem.moments + mem.activations + mem.reserve));
  }
}

TEST_CASE("breakdown adds up to the step; MFU from model FLOPs") {
  const auto s = load(small("{tp: 2, pp: 2, schedule: 1f1b}"));
  const auto r = run(s);
  double sum = 0;
  for (const auto& p : r.step.breakdown) sum += p.seconds;
  CHECK(sum == Approx(r.step.step_time_s));
  const auto& m = test::shipped_model("llama-3.1-8b");
  const double flops = model::train_flops_per_token(m, 4096).total * 512 * 4096;
  CHECK(r.step.mfu == Approx(flops / (r.step.step_time_s * 8 * 989e12)).epsilon(0.01));
  CHECK(r.step.mfu > 0.2);
  CHECK(r.step.mfu < 0.8);
  CHECK(r.layout.dp == 2);
  CHECK(r.step.micro_batches == 256);
}

TEST_CASE("bad configurations are rejected with file, line and field") {
  auto rejects = [](const std::string& yaml, const std::string& field, const std::string& words) {
    const auto s = load(yaml);
    try {
      run(s);
      FAIL("accepted: " << yaml);
    } catch (const core::InputError& e) {
      INFO(e.what());
      CHECK(e.field() == field);
      CHECK(e.where().line > 0);
      CHECK_THAT(e.message(), Catch::Matchers::ContainsSubstring(words));
    }
  };
  rejects(small("{tp: 3}"), "training.parallelism.tp", "must divide the 8 GPUs of a node");
  rejects(small("{tp: 16}", 2), "training.parallelism.tp", "inside a node");
  rejects(small("{ep: 8}"), "training.parallelism.ep", "dense model");
  rejects(small("{pp: 64}", 8), "training.parallelism.pp", "at least one layer per chunk");
  rejects(small("{tp: 1, dp: 4}"), "training.parallelism.dp", "cluster has 8");
  // Llama 3.1 405B on one node does not fit: the message carries the numbers.
  rejects(R"(name: big
question: test
training:
  model: llama-3.1-405b
  cluster: {node: hgx-h100, nodes: 1, fabric: {kind: rail-fat-tree, switch: qm9700}}
  parallelism: {tp: 8, pp: 1}
  stages:
    - {name: pretrain, seq_len: 8192, batch: 64, tokens: 1T}
)",
          "training.parallelism", "out of memory");
}

TEST_CASE("an MoE layout: EP beyond the experts and EP not dividing DP x TP are rejected") {
  const std::string moe = R"(name: moe
question: test
training:
  model: mixtral-8x7b
  cluster: {node: hgx-h100, nodes: 2, fabric: {kind: rail-fat-tree, switch: qm9700}}
  parallelism: {ep: 16}
  stages:
    - {name: pretrain, seq_len: 4096, batch: 256, tokens: 1T}
)";
  const auto s = load(moe);
  const auto e = train::estimate(s, *s.training, calibration());
  CHECK_FALSE(e.feasible);
  REQUIRE_FALSE(e.problems.empty());
  CHECK(e.problems.front().field == "training.parallelism.ep");
  CHECK_THAT(e.problems.front().message, Catch::Matchers::ContainsSubstring("exceeds the 8 routed experts"));
  const auto ok = load(moe, {"training.parallelism.ep=8"});
  const auto e2 = train::estimate(ok, *ok.training, calibration());
  INFO((e2.problems.empty() ? "" : e2.problems.front().message));
  CHECK(e2.feasible);
  CHECK(e2.step_time_s > 0);
  CHECK(e2.gpu_hours_total > 0);
}

TEST_CASE("invariants: an oversubscribed fabric is never faster; more GPUs at a fixed batch never fewer GPU-hours") {
  const auto base = load(small("{tp: 1, pp: 2, schedule: 1f1b}", 4));
  const auto over = load(small("{tp: 1, pp: 2, schedule: 1f1b}", 4), {"training.cluster.fabric.oversubscription=4"});
  CHECK(run(over).step.step_time_s >= run(base).step.step_time_s);
  double last = 0;
  for (int nodes : {1, 2, 4, 8}) {
    const auto s = load(small("{tp: 1, pp: 1}", nodes));
    const double h = run(s).gpu_hours_total;
    INFO(nodes << " nodes: " << h << " GPU-hours");
    CHECK(h >= last * (1 - 1e-9));
    last = h;
  }
}

TEST_CASE("schedules: zero-bubble and DualPipe bubbles are no larger than 1F1B's") {
  auto bubble = [](const std::string& sched) {
    const auto s = load(small(fmt::format("{{tp: 1, pp: 8, schedule: {}}}", sched), 1));
    for (const auto& p : run(s).step.breakdown) {
      if (p.part == "pipeline_bubble") return p.seconds;
    }
    return -1.0;
  };
  const double b1 = bubble("1f1b");
  CHECK(b1 > 0);
  CHECK(bubble("zb1p") <= b1);
  CHECK(bubble("dualpipe") <= b1);
  CHECK(bubble("dualpipev") <= b1);
}

TEST_CASE("deterministic: the same scenario gives byte-identical JSON") {
  const auto s = load(small("{tp: 2, pp: 2, schedule: interleaved-1f1b, virtual_stages: 2}", 2));
  CHECK(train::training_json(run(s)).dump() == train::training_json(run(s)).dump());
}

TEST_CASE("event engine agrees with the analytic engine within 5% on a symmetric pipeline") {
  // Llama 3.1 8B, 4 stages of 8 layers over 4 nodes, DP 8, 32 micro-batches per replica.
  for (const char* sched : {"1f1b", "zb1p", "dualpipe", "interleaved-1f1b"}) {
    const std::string v = std::string(sched) == "interleaved-1f1b" ? ", virtual_stages: 2" : "";
    const auto s = load(small(fmt::format("{{tp: 1, pp: 4, schedule: {}{}}}", sched, v), 4),
                        {"training.stages[0].batch=256"});
    const train::Trainer t(s, *s.training, calibration());
    const auto a = t.run(train::EngineKind::analytic);
    const auto e = t.run(train::EngineKind::event);
    INFO(sched << ": analytic " << a.step.step_time_s << " s, event " << e.step.step_time_s << " s");
    CHECK(e.step.step_time_s == Approx(a.step.step_time_s).epsilon(0.05));
    double sum = 0;
    for (const auto& p : e.step.breakdown) sum += p.seconds;
    CHECK(sum == Approx(e.step.step_time_s));
  }
}

TEST_CASE("the shipped training scenarios are feasible") {
  const auto root = std::filesystem::path(FLEETSIM_SOURCE_DIR) / "scenarios";
  for (const char* f : {"deepseek-v3-pretrain.yaml", "deepseek-v3-on-h100.yaml", "deepseek-v3-on-h20.yaml",
                        "llama-3.1-405b-pretrain.yaml", "mixtral-8x7b-pretrain.yaml"}) {
    const auto s = scenario::load_scenario(root / f, test::shipped_catalogs());
    const auto e = train::estimate(s, *s.training, calibration());
    INFO(f << (e.problems.empty() ? "" : ": " + e.problems.front().message));
    CHECK(e.feasible);
    CHECK(e.mfu > 0.2);
    CHECK(e.memory_per_gpu_bytes <= s.gpu_of_node(s.training->cluster.node).hbm_bytes);
  }
}

TEST_CASE("the analytic step is affine in the micro-batches (the batch ramp relies on it)") {
  const auto root = std::filesystem::path(FLEETSIM_SOURCE_DIR) / "scenarios";
  const auto s = scenario::load_scenario(root / "deepseek-v3-pretrain.yaml", test::shipped_catalogs());
  const train::Trainer t(s, *s.training, calibration());
  std::vector<train::Problem> p;
  const auto l = t.layout(*s.training, p);
  REQUIRE(p.empty());
  const auto full = t.step(*s.training, l, 4096, 15360);
  for (double b : {3072.0, 7680.0, 12800.0}) {
    const auto part = t.step(*s.training, l, 4096, b);
    CHECK(part.step_time_s ==
          Approx(full.step_time_s + (part.micro_batches - full.micro_batches) * full.per_micro_batch_s).epsilon(1e-9));
  }
}

TEST_CASE("a Trainer estimates layouts of its own cluster only") {
  const auto s = load(small("{tp: 1, pp: 2}", 2));
  const train::Trainer t(s, *s.training, calibration());
  auto other = *s.training;
  other.parallelism.pp = 4;
  CHECK(t.estimate(other).feasible);
  other.cluster.nodes = 4;
  const auto e = t.estimate(other);
  CHECK_FALSE(e.feasible);
  REQUIRE_FALSE(e.problems.empty());
  CHECK(e.problems.front().field == "training.cluster");
}

TEST_CASE("a DP group uneven over nodes is a layout problem, not an exception") {
  // 3 nodes of 8 GPUs, tp 2, pp 2: dp 6, the DP group's ranks 0, 2, ..., 10 put 4 GPUs on node 0
  // and 2 on node 1, which the analytic collective model cannot price.
  const auto s = load(R"(name: uneven
question: test
training:
  model: llama-3.1-8b
  cluster: {node: hgx-h100, nodes: 3, fabric: {kind: rail-fat-tree, switch: qm9700}}
  parallelism: {tp: 2, pp: 2}
  stages:
    - {name: pretrain, seq_len: 4096, batch: 96, tokens: 1T}
)");
  train::TrainingEstimate e;
  REQUIRE_NOTHROW(e = train::estimate(s, *s.training, calibration()));
  CHECK_FALSE(e.feasible);
  REQUIRE(e.problems.size() == 1);
  CHECK(e.problems.front().kind == core::Infeasible::layout);
  CHECK(e.problems.front().field == "training.parallelism.dp");
  CHECK(e.problems.front().message == "the analytic fidelity needs a group with the same GPUs on every node");
}

TEST_CASE("both engines consume the same step description") {
  // The event engine replays the work the analytic engine prices: micro-batches, the busiest
  // device's per-micro-batch times, memory and model FLOPs are the same numbers, exactly. Four
  // virtual stages put more than two chunks on a device (the replay's stops are read from the
  // placement, one per chunk).
  for (const char* sched : {"1f1b", "zb1p", "dualpipe", "dualpipev", "interleaved-1f1b"}) {
    const std::string v = std::string(sched) == "interleaved-1f1b" ? ", virtual_stages: 4" : "";
    const auto s = load(small(fmt::format("{{tp: 1, pp: 4, schedule: {}{}}}", sched, v), 4),
                        {"training.stages[0].batch=256"});
    const train::Trainer t(s, *s.training, calibration());
    std::vector<train::Problem> p;
    const auto l = t.layout(*s.training, p);
    REQUIRE(p.empty());
    const auto a = t.step(*s.training, l, 4096, 256);
    const auto e = t.step_event(*s.training, l, 4096, 256);
    INFO(sched);
    CHECK(e.micro_batches == a.micro_batches);
    CHECK(e.f_s == a.f_s);
    CHECK(e.b_s == a.b_s);
    CHECK(e.w_s == a.w_s);
    CHECK(e.per_micro_batch_s == a.per_micro_batch_s);
    CHECK(e.memory.total == a.memory.total);
    CHECK(e.model_flops == a.model_flops);
    CHECK(a.breakdown.back().seconds == e.breakdown.back().seconds);  // the optimizer
    CHECK(e.step_time_s == Approx(a.step_time_s).epsilon(0.10));
  }
}
