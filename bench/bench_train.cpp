// Training engines' speed, in thread CPU time (the build machine is shared):
//  - analytic: configurations per second, a capacity planner's search over layouts of
//    DeepSeek-V3 on 2,048 H800 (pp, ep, micro-batch, schedule, recomputation) through
//    Trainer::estimate (whole run: every stage, the batch ramp's segments, feasibility);
//    and one step per call (Trainer::step), the inner loop of such a search;
//  - event: one DeepSeek-V3 step on 2,048 GPUs (one DP replica's pipeline, EP under contention)
//    and one Llama 3.1 405B step on 16,384 GPUs, with the events they ran and resident memory.
//
//   build/bench/bench_train        (run from anywhere: it reads the source tree's data)
#include <fmt/format.h>
#include <sys/resource.h>
#include <time.h>

#include <cstdio>

#include "scenario/scenario.h"
#include "train/train.h"

using namespace fleetsim;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double max_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main() {
  const std::filesystem::path root = FLEETSIM_SOURCE_DIR;
  const auto catalogs = scenario::load_catalogs({root});
  const auto calibration = calib::CalibrationSet::load(root / "calibration" / "data");
  const auto v3 = scenario::load_scenario(root / "scenarios" / "deepseek-v3-pretrain.yaml", catalogs);

  double t0 = cpu_seconds();
  const train::Trainer trainer(v3, *v3.training, calibration);
  std::printf("Trainer for 2,048 H800 (topology, op-cost fit): %.1f ms\n", 1e3 * (cpu_seconds() - t0));

  // The search space: layouts of the same cluster.
  std::vector<scenario::TrainingSpec> specs;
  for (int pp : {4, 8, 16, 32}) {
    for (int ep : {8, 16, 32, 64}) {
      for (int mb : {1, 2}) {
        for (auto sched : {scenario::Schedule::one_f_one_b, scenario::Schedule::zb1p, scenario::Schedule::dualpipe}) {
          for (auto rc : {scenario::Recompute::selective, scenario::Recompute::full}) {
            auto t = *v3.training;
            t.parallelism.pp = pp;
            t.parallelism.ep = ep;
            t.parallelism.micro_batch = mb;
            t.parallelism.schedule = sched;
            t.parallelism.recompute = rc;
            specs.push_back(t);
          }
        }
      }
    }
  }
  int feasible = 0;
  double sink = 0;
  {
    // Cold: a fresh Trainer, each layout once (no shape priced before).
    const train::Trainer fresh(v3, *v3.training, calibration);
    t0 = cpu_seconds();
    for (const auto& s : specs) sink += fresh.estimate(s).step_time_s;
    const double dt = cpu_seconds() - t0;
    std::printf("analytic, whole run, cold (first pass of a fresh Trainer):                %8.0f configs/s\n",
                static_cast<double>(specs.size()) / dt);
  }
  t0 = cpu_seconds();
  int calls = 0;
  while (cpu_seconds() - t0 < 2.0) {
    for (const auto& s : specs) {
      const auto e = trainer.estimate(s);
      feasible += e.feasible ? 1 : 0;
      sink += e.step_time_s;
      ++calls;
    }
  }
  double dt = cpu_seconds() - t0;
  std::printf("analytic, whole run, warm (3 stages, ramp, stage layouts searched):       %8.0f configs/s  (%d "
              "layouts, %.0f%% feasible)\n",
              calls / dt, static_cast<int>(specs.size()), 100.0 * feasible / calls);

  // One step per call: the layout resolved once, the step priced.
  std::vector<std::pair<train::Layout, const scenario::TrainingSpec*>> layouts;
  for (const auto& s : specs) {
    std::vector<train::Problem> p;
    auto l = trainer.layout(s, p);
    if (p.empty()) layouts.push_back({l, &s});
  }
  t0 = cpu_seconds();
  calls = 0;
  while (cpu_seconds() - t0 < 2.0) {
    for (const auto& [l, s] : layouts) {
      sink += trainer.step(*s, l, 4096, 15360).step_time_s;
      ++calls;
    }
  }
  dt = cpu_seconds() - t0;
  std::printf("analytic, one step, warm:                                                 %8.0f steps/s\n", calls / dt);

  // Event engine.
  t0 = cpu_seconds();
  const auto r = trainer.run(train::EngineKind::event);
  dt = cpu_seconds() - t0;
  std::printf("event, DeepSeek-V3 whole run on 2,048 H800 (%zu stages, 16 ramp segments): %.2f s CPU; main step "
              "%.3f s simulated\n",
              r.stages.size(), dt, r.step.step_time_s);
  std::vector<train::Problem> p;
  const auto l = trainer.layout(*v3.training, p);
  t0 = cpu_seconds();
  const auto st = trainer.step_event(*v3.training, l, 4096, 15360);
  dt = cpu_seconds() - t0;
  std::printf("event, one DeepSeek-V3 step on 2,048 H800: %.3f s CPU (%s)\n", dt,
              st.notes.empty() ? "" : st.notes.back().c_str());

  const auto llama = scenario::load_scenario(root / "scenarios" / "llama-3.1-405b-pretrain.yaml", catalogs);
  t0 = cpu_seconds();
  const train::Trainer lt(llama, *llama.training, calibration);
  std::printf("Trainer for 16,384 H100: %.1f ms\n", 1e3 * (cpu_seconds() - t0));
  const auto ll = lt.layout(*llama.training, p);
  t0 = cpu_seconds();
  const auto ls = lt.step_event(*llama.training, ll, 8192, 2048);
  dt = cpu_seconds() - t0;
  std::printf("event, one Llama 3.1 405B step on 16,384 H100: %.3f s CPU, step %.3f s simulated\n", dt, ls.step_time_s);
  std::printf("max resident memory: %.0f MiB\n", max_rss_mib());
  return sink > 0 ? 0 : 1;
}
