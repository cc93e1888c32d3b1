// The max-min solver alone: a from-scratch solve of a large random system, and incremental
// re-solves as flows come and go in a system of many small independent components (only the
// touched component is re-solved). Prints flows/s and the ratio of the two.
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
  return 0;
}
