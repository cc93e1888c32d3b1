// How fast the cost model runs: TCO evaluations per second (what a sweep or a capacity search
// calls in its inner loop) and whole analyses (BOM, TCO, workloads, sensitivity) per second, on
// the DeepSeek fleet. Prints rates; asserts nothing.
#include <chrono>
#include <cstdio>

#include "cost/analysis.h"
#include "scenario/scenario.h"

using namespace fleetsim;

namespace {

template <class F>
double per_second(F&& f, int min_iterations) {
  const auto start = std::chrono::steady_clock::now();
  int n = 0;
  double elapsed = 0;
  do {
    f();
    ++n;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (n < min_iterations || elapsed < 0.5);
  return n / elapsed;
}

}  // namespace

int main() {
  const auto paths = scenario::data_paths();
  const auto catalogs = scenario::load_catalogs(paths);
  const auto s = scenario::load_scenario(paths.scenarios() / "deepseek-fleet.yaml", catalogs);
  const auto a = cost::analyse_fleet(s);
  double sink = 0;
  const double tco_rate = per_second([&] { sink += cost::evaluate_tco(a.inputs).tco_usd; }, 100);
  const double analysis_rate = per_second([&] { sink += cost::analyse_fleet(s).result.tco_usd; }, 10);
  const size_t evaluations = 1 + 2 * a.sensitivity.size();
  std::printf("fleet: %zu purchases, %zu BOM lines, %zu sensitivity inputs\n", a.inputs.purchases.size(),
              a.inputs.lines.size(), a.sensitivity.size());
  std::printf("evaluate_tco:  %10.0f fleets/s\n", tco_rate);
  std::printf("analyse_fleet: %10.0f analyses/s (%zu TCO evaluations each: %.0f evaluations/s)\n", analysis_rate,
              evaluations, analysis_rate * static_cast<double>(evaluations));
  std::printf("(checksum %.0f)\n", sink > 0 ? 1.0 : 0.0);
  return 0;
}
