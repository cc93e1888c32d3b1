// The max-min solver alone: a from-scratch solve of a large random system, and incremental
// re-solves as flows come and go in a system of many small independent components (only the
// touched component is re-solved). Prints flows/s and the ratio of the two. Then completions in
// one connected all-to-all component of 10^3 to 10^6 flows: completions/s with the affected
// subgraph re-solved, against re-solving the whole component (the cost the sub-solve avoids).
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <vector>

#include "core/rng.h"
#include "maxmin/system.h"

using namespace fleetsim;

namespace {
double cpu_seconds() {  // this thread's CPU time: the build machine is shared
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
// An all-to-all as a flow network sees it: S senders, each with 100 flows to random receivers
// over its sender link (capacity 1) and the receiver's link (capacity 4, so senders are the
// bottlenecks), all in one connected component. Each event completes one flow and re-solves.
// The affected subgraph of a completion is its sender's flows (about 100, whatever S), so
// completions/s should hold as the flow count grows; the whole component grows with S.
void all_to_all_completions() {
  std::printf("completions in one all-to-all component (100 flows per sender; one core)\n");
  for (int flows : {1'000, 10'000, 100'000, 1'000'000}) {
    for (bool incremental : {true, false}) {
      if (!incremental && flows > 10'000) continue;  // quadratic: minutes at 10^5
      core::Rng rng(3);
      maxmin::System s;
      s.set_incremental(incremental);
      const int senders = flows / 100;
      for (int l = 0; l < senders; ++l) s.add_link(1.0);
      for (int l = 0; l < senders; ++l) s.add_link(4.0);
      std::vector<maxmin::FlowId> ids;
      for (int f = 0; f < flows; ++f) {
        const maxmin::Use u[] = {{static_cast<maxmin::LinkId>(f / 100), 1.0},
                                 {static_cast<maxmin::LinkId>(senders + rng.below(static_cast<uint64_t>(senders))), 1.0}};
        ids.push_back(s.add_flow(u, 1.0));
      }
      s.solve();
      const int events = std::min(flows / 2, incremental ? 20'000 : 2'000);
      size_t solved = 0;
      const double t0 = cpu_seconds();
      for (int e = 0; e < events; ++e) {
        const size_t k = rng.below(ids.size());
        s.remove_flow(ids[k]);
        ids[k] = ids.back();
        ids.pop_back();
        s.solve();
        solved += s.last_solved().size();
      }
      const double t = cpu_seconds() - t0;
      std::printf("  %8d flows, %-9s: %9.0f completions/s, %8.1f flows re-solved per completion "
                  "(%llu sub-solves, %llu component solves)\n",
                  flows, incremental ? "subgraph" : "component", events / t, static_cast<double>(solved) / events,
                  static_cast<unsigned long long>(s.partial_solves()),
                  static_cast<unsigned long long>(s.component_solves()));
    }
  }
}

}  // namespace

int main() {
  std::printf("maxmin solver (one core)\n");
  for (int flows : {10'000, 100'000, 1'000'000}) {
    core::Rng rng(1);
    maxmin::System s;
    const int links = flows / 10;
    for (int l = 0; l < links; ++l) s.add_link(rng.uniform(1, 100));
    std::vector<maxmin::Use> uses;
    for (int f = 0; f < flows; ++f) {
      uses.clear();
      for (int h = 0; h < 6; ++h) {  // a route of 6 links, distinct
        const auto l = static_cast<maxmin::LinkId>(rng.below(static_cast<uint64_t>(links)));
        if (std::none_of(uses.begin(), uses.end(), [&](const auto& u) { return u.link == l; })) uses.push_back({l, 1.0});
      }
      s.add_flow(uses, rng.bernoulli(0.5) ? 1.0 : 2.0);
    }
    const double t0 = cpu_seconds();
    s.solve();
    const double t = cpu_seconds() - t0;
    std::printf("  from scratch: %8d flows x 6 links on %7d links: %8.2f ms, %6.2f M flows/s, %4.0f bytes/flow\n",
                flows, links, t * 1e3, flows / t / 1e6, static_cast<double>(s.memory_bytes()) / flows);
  }
  // 10,000 components of 4 links and 10 flows; replace one flow at a time.
  core::Rng rng(2);
  maxmin::System s;
  const int components = 10'000;
  std::vector<maxmin::FlowId> ids;
  for (int c = 0; c < components; ++c) {
    for (int l = 0; l < 4; ++l) s.add_link(rng.uniform(1, 100));
  }
  auto random_flow = [&](int c) {
    const maxmin::Use u[] = {{static_cast<maxmin::LinkId>(4 * c + rng.below(2)), 1.0},
                             {static_cast<maxmin::LinkId>(4 * c + 2 + rng.below(2)), 1.0}};
    return s.add_flow(u);
  };
  for (int c = 0; c < components; ++c) {
    for (int f = 0; f < 10; ++f) ids.push_back(random_flow(c));
  }
  s.solve();
  const int changes = 200'000;
  const double t0 = cpu_seconds();
  for (int i = 0; i < changes; ++i) {
    const size_t k = rng.below(ids.size());
    s.remove_flow(ids[k]);
    ids[k] = random_flow(static_cast<int>(k / 10));
    s.solve();
  }
  const double t = cpu_seconds() - t0;
  std::printf("  incremental: %d changes (remove + add + solve) among 100,000 flows in 10,000 components: %.2f us "
              "each (a from-scratch solve would redo all 100,000)\n",
              changes, t / changes * 1e6);
  all_to_all_completions();
  return 0;
}
