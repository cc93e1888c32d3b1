// The serving model's speed on one core (thread CPU time; the build machine is shared):
//  - the closed-form estimate of DeepSeek's serving day (the capacity planner's call);
//  - one simulated day of DeepSeek's traffic (155M requests, 168B output tokens) with requests
//    aggregated into request-batches, at several granularities (target: under 30 s);
//  - one million individually simulated requests (target: under 10 s);
//  - that day exported as a request trace, parsed and replayed.
// Prints rates: simulated requests and events per second of CPU, and simulated days per second.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>

#include "core/atomic_file.h"
#include "scenario/data.h"
#include "serve/result.h"
#include "serve/trace.h"

using namespace fleetsim;

namespace {

double cpu_seconds(const std::function<void()>& fn) {
  auto now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  const double t0 = now();
  fn();
  return now() - t0;
}

const std::string kScenario = std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/deepseek-r1-serving.yaml";

}  // namespace

int main() {
  const auto catalogs = scenario::load_catalogs({FLEETSIM_SOURCE_DIR});
  const auto calibration = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
  const auto day = scenario::load_scenario(kScenario, catalogs);

  // The planner's call.
  int calls = 0;
  const double t_est = cpu_seconds([&] {
    for (; calls < 20; ++calls) (void)serve::estimate(day, *day.serving, calibration);
  });
  std::printf("estimate (closed form, DeepSeek day):      %8.2f ms per call (%d calls)\n", 1e3 * t_est / calls, calls);

  // One day of DeepSeek's traffic, aggregated.
  for (int64_t max : {500'000LL, 2'000'000LL, 8'000'000LL}) {
    serve::ServeOptions o;
    o.sim.max_simulated_requests = max;
    serve::ServeResult r;
    const double t = cpu_seconds([&] { r = serve::serve(day, calibration, o); });
    const auto& s = *r.sim;
    std::printf("DeepSeek day, <= %7lld simulated requests: %6.2f s CPU for 1 simulated day%s; %lld requests of %g "
                "(%.2fM req/s), %.2fM events (%.1fM events/s); TTFT p90 %.2f s, TPOT p90 %.1f ms\n",
                static_cast<long long>(max), t, t < 30 ? " (target < 30 s: met)" : " (target < 30 s: MISSED)",
                static_cast<long long>(s.simulated_requests), s.requests_per_simulated,
                static_cast<double>(s.simulated_requests) / t / 1e6, static_cast<double>(s.events) / 1e6,
                static_cast<double>(s.events) / t / 1e6, s.ttft_s.p90, 1e3 * s.tpot_s.p90);
  }

  // One million individual requests: the same service with 1M requests in its day.
  const auto million = scenario::load_scenario(
      kScenario, catalogs,
      {"serving.traffic.output_tokens_per_day=1.08B", "serving.traffic.input_tokens_per_day=3.909B"});
  serve::ServeOptions o;
  o.sim.max_simulated_requests = 2'000'000;
  serve::ServeResult r;
  const double t = cpu_seconds([&] { r = serve::serve(million, calibration, o); });
  const auto& s = *r.sim;
  std::printf("1M individual requests (k = %g):            %6.2f s CPU%s; %.2fM req/s, %.2fM events (%.1fM events/s)\n",
              s.requests_per_simulated, t, t < 10 ? " (target < 10 s: met)" : " (target < 10 s: MISSED)",
              static_cast<double>(s.simulated_requests) / t / 1e6, static_cast<double>(s.events) / 1e6,
              static_cast<double>(s.events) / t / 1e6);

  // The same day exported as a request trace, parsed and replayed.
  o.sim.export_requests = true;
  const auto exported = serve::serve(million, calibration, o);
  const std::string csv = serve::trace_csv(exported.sim->requests);
  const auto path =
      std::filesystem::temp_directory_path() / ("fleetsim_bench_day_" + std::to_string(::getpid()) + ".csv");
  core::write_file_atomically(path, csv);
  size_t rows = 0;
  const double t_parse = cpu_seconds([&] { rows = serve::parse_trace(path.string(), csv, "trace").rows.size(); });
  auto replay = million;
  replay.serving->traffic.trace = path.string();
  serve::ServeResult rr;
  const double t_replay = cpu_seconds([&] { rr = serve::serve(replay, calibration, serve::ServeOptions{}); });
  std::filesystem::remove(path);
  std::printf("trace replay: %zu rows (%.1f MB) parsed in %.2f s (%.2fM rows/s); read, planned and simulated in %.2f s "
              "(%.2fM req/s)\n",
              rows, static_cast<double>(csv.size()) / 1e6, t_parse, static_cast<double>(rows) / t_parse / 1e6, t_replay,
              static_cast<double>(rr.sim->simulated_requests) / t_replay / 1e6);
  return 0;
}
