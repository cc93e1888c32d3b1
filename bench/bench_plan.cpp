// How fast the capacity search screens: a plan of about 1.2 million DeepSeek-V3 training layouts
// (3 node kinds x 40 cluster sizes x PP x EP x TP x micro-batch x ZeRO x schedule) on the
// analytic engine, on 1 thread and on all cores. Prints configurations per second and the ratio;
// asserts nothing. Usage: bench_plan [max_layouts] (default: the whole plan).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <algorithm>

#include "calib/table.h"
#include "plan/capacity.h"
#include "plan/engines.h"
#include "scenario/scenario.h"

using namespace fleetsim;

int main(int argc, char** argv) {
  const auto paths = scenario::data_paths();
  const auto catalogs = scenario::load_catalogs(paths);
  const auto calibration = calib::CalibrationSet::load(paths.calibration());

  plan::PlanSpec p;
  p.name = "bench";
  p.base = paths.scenarios() / "deepseek-v3-pretrain.yaml";
  p.choices = {{"hgx-h800", 0, "", {}}, {"hgx-h100", 0, "", {}}, {"hgx-h20", 0, "", {}}};
  plan::TrainingSearchSpec t;
  t.deadline_s = 60 * 86400.0;
  for (int n = 16; n <= 16 * 40; n += 16) t.nodes.push_back(n);
  t.pp = {1, 2, 4, 8, 16, 32};
  t.ep = {1, 4, 8, 16, 32, 64, 128};
  t.tp = {1, 2, 4, 8};
  t.micro_batch = {1, 2, 4, 8};
  t.zero = {1, 2, 3};
  t.schedules = {scenario::Schedule::one_f_one_b, scenario::Schedule::interleaved_1f1b, scenario::Schedule::zb1p,
                 scenario::Schedule::dualpipe, scenario::Schedule::dualpipev};
  p.training = t;
  p.cost = plan::CostBasis::rent;
  p.confirm = 0;
  int64_t total = plan::layout_count(p);
  if (argc > 1) {
    // A smaller plan for a quick look: fewer cluster sizes.
    const int64_t want = std::atoll(argv[1]);
    while (plan::layout_count(p) > want && p.training->nodes.size() > 1) p.training->nodes.pop_back();
    total = plan::layout_count(p);
  }
  const auto variants = plan::load_targets(p, catalogs).variants;
  const plan::ModelEngines engines(calibration);

  auto run = [&](unsigned threads) {
    plan::SearchOptions o;
    o.threads = threads;
    const auto start = std::chrono::steady_clock::now();
    const auto r = plan::search(p, variants, engines, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%u thread(s): %lld layouts in %.2f s: %.0f configs/s; %lld feasible, %zu fleets\n", threads,
                static_cast<long long>(r.screened), s, static_cast<double>(r.screened) / s,
                static_cast<long long>(r.feasible), r.fleets.size());
    return s;
  };
  std::printf("plan: %lld training layouts of DeepSeek-V3\n", static_cast<long long>(total));
  const double one = run(1);
  const unsigned all = std::max(2u, std::thread::hardware_concurrency());
  const double many = run(all);
  std::printf("speed-up on %u threads: %.2fx\n", all, one / many);
  return 0;
}
