// The solver against an independent, slow and obviously correct progressive filling, and against
// the defining property of a max-min fair allocation, on thousands of random systems; and
// incremental re-solving against solving from scratch.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/rng.h"
#include "maxmin/system.h"

using namespace fleetsim;
using namespace fleetsim::maxmin;

namespace {

struct RefFlow {
  std::vector<Use> uses;
  double weight = 1;
  double bound = kUnbounded;
};
struct RefSystem {
  std::vector<double> capacity;
  std::vector<RefFlow> flows;
};

// Textbook rounds: find the smallest level at which a link saturates or a flow hits its bound,
// fix everything that does at that level, repeat. O(rounds x size); no heap, no laziness.
std::vector<double> reference_rates(const RefSystem& sys) {
  const size_t n = sys.flows.size();
  std::vector<double> rate(n, 0);
  std::vector<bool> fixed(n, false);
  size_t left = n;
  for (size_t i = 0; i < n; ++i) {
    if (sys.flows[i].uses.empty() && sys.flows[i].bound == kUnbounded) {
      rate[i] = kUnbounded;
      fixed[i] = true;
      --left;
    }
  }
  while (left > 0) {
    std::vector<double> remaining = sys.capacity, weight_sum(sys.capacity.size(), 0);
    for (size_t i = 0; i < n; ++i) {
      for (const Use& u : sys.flows[i].uses) {
        if (fixed[i]) remaining[u.link] -= u.coefficient * rate[i];
        else weight_sum[u.link] += u.coefficient * sys.flows[i].weight;
      }
    }
    double level = kUnbounded;
    for (size_t l = 0; l < remaining.size(); ++l) {
      if (weight_sum[l] > 0) level = std::min(level, std::max(0.0, remaining[l]) / weight_sum[l]);
    }
    for (size_t i = 0; i < n; ++i) {
      if (!fixed[i]) level = std::min(level, sys.flows[i].bound / sys.flows[i].weight);
    }
    const double tie = level * (1 + 1e-12);
    std::vector<size_t> to_fix;
    for (size_t i = 0; i < n; ++i) {
      if (fixed[i]) continue;
      bool stop = sys.flows[i].bound / sys.flows[i].weight <= tie;
      for (const Use& u : sys.flows[i].uses) {
        if (weight_sum[u.link] > 0 && std::max(0.0, remaining[u.link]) / weight_sum[u.link] <= tie) stop = true;
      }
      if (stop) to_fix.push_back(i);
    }
    for (size_t i : to_fix) {
      rate[i] = std::min(sys.flows[i].weight * level, sys.flows[i].bound);
      fixed[i] = true;
      --left;
    }
  }
  return rate;
}

RefSystem random_system(core::Rng& rng) {
  RefSystem sys;
  const int links = 1 + static_cast<int>(rng.below(12));
  const int flows = 1 + static_cast<int>(rng.below(30));
  for (int l = 0; l < links; ++l) sys.capacity.push_back(rng.bernoulli(0.05) ? 0.0 : rng.uniform(1, 100));
  for (int f = 0; f < flows; ++f) {
    RefFlow flow;
    const int hops = static_cast<int>(rng.below(std::min(links, 5) + 1));  // 0..5 links
    std::vector<LinkId> pool(links);
    for (int l = 0; l < links; ++l) pool[l] = static_cast<LinkId>(l);
    for (int h = 0; h < hops; ++h) {
      const size_t pick = h + rng.below(pool.size() - h);
      std::swap(pool[h], pool[pick]);
      flow.uses.push_back({pool[h], rng.bernoulli(0.5) ? 1.0 : rng.uniform(0.5, 2.0)});
    }
    flow.weight = rng.bernoulli(0.5) ? 1.0 : rng.uniform(0.25, 4.0);
    if (rng.bernoulli(0.3)) flow.bound = rng.uniform(0.5, 40);
    sys.flows.push_back(flow);
  }
  return sys;
}

bool close(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-7 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// Feasible, and every flow is at its bound or crosses a saturated link on which no flow has a
// higher rate per unit of weight: the definition of weighted max-min fairness.
void check_max_min_property(const RefSystem& sys, const std::vector<double>& rate) {
  std::vector<double> load(sys.capacity.size(), 0);
  for (size_t i = 0; i < sys.flows.size(); ++i) {
    if (rate[i] == kUnbounded) continue;
    for (const Use& u : sys.flows[i].uses) load[u.link] += u.coefficient * rate[i];
  }
  for (size_t l = 0; l < load.size(); ++l) CHECK(load[l] <= sys.capacity[l] * (1 + 1e-9) + 1e-12);
  for (size_t i = 0; i < sys.flows.size(); ++i) {
    const RefFlow& f = sys.flows[i];
    CHECK(rate[i] <= f.bound * (1 + 1e-12));
    if (close(rate[i], f.bound)) continue;
    bool bottlenecked = false;
    for (const Use& u : f.uses) {
      if (load[u.link] < sys.capacity[u.link] * (1 - 1e-7)) continue;  // not saturated
      bool highest = true;
      for (size_t k = 0; k < sys.flows.size(); ++k) {
        for (const Use& v : sys.flows[k].uses) {
          if (v.link == u.link && rate[k] / sys.flows[k].weight > rate[i] / f.weight * (1 + 1e-7) + 1e-12) {
            highest = false;
          }
        }
      }
      bottlenecked = bottlenecked || highest;
    }
    CHECK(bottlenecked);
  }
}

}  // namespace

TEST_CASE("random systems: the solver equals the reference and is max-min fair") {
  core::Rng rng(20250515);
  int compared = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const RefSystem ref = random_system(rng);
    System s;
    for (double c : ref.capacity) s.add_link(c);
    std::vector<FlowId> ids;
    for (const auto& f : ref.flows) ids.push_back(s.add_flow(f.uses, f.weight, f.bound));
    s.solve();
    const auto expected = reference_rates(ref);
    std::vector<double> actual;
    for (FlowId id : ids) actual.push_back(s.rate(id));
    for (size_t i = 0; i < ids.size(); ++i) {
      INFO("trial " << trial << " flow " << i << ": solver " << actual[i] << ", reference " << expected[i]);
      CHECK(close(actual[i], expected[i]));
      ++compared;
    }
    check_max_min_property(ref, actual);
  }
  std::printf("[maxmin] %d flow rates compared over 3000 random systems\n", compared);
}

TEST_CASE("random add/remove/capacity sequences: incremental equals from scratch") {
  core::Rng rng(7);
  uint64_t partial = 0, component = 0;
  for (int trial = 0; trial < 300; ++trial) {
    RefSystem ref = random_system(rng);
    System s;
    System whole;  // the same changes, always re-solving the whole component
    whole.set_incremental(false);
    for (double c : ref.capacity) {
      s.add_link(c);
      whole.add_link(c);
    }
    std::vector<FlowId> ids;           // solver id of each live reference flow
    std::vector<RefFlow> live;
    std::vector<FlowId> whole_ids;
    for (const auto& f : ref.flows) {
      ids.push_back(s.add_flow(f.uses, f.weight, f.bound));
      whole_ids.push_back(whole.add_flow(f.uses, f.weight, f.bound));
      live.push_back(f);
    }
    s.solve();
    whole.solve();
    for (int step = 0; step < 20; ++step) {
      const double r = rng.uniform();
      if (r < 0.35 && !live.empty()) {
        const size_t k = rng.below(live.size());
        s.remove_flow(ids[k]);
        whole.remove_flow(whole_ids[k]);
        ids.erase(ids.begin() + static_cast<long>(k));
        whole_ids.erase(whole_ids.begin() + static_cast<long>(k));
        live.erase(live.begin() + static_cast<long>(k));
      } else if (r < 0.7) {
        RefFlow f = random_system(rng).flows.front();
        std::erase_if(f.uses, [&](const Use& u) { return u.link >= ref.capacity.size(); });
        ids.push_back(s.add_flow(f.uses, f.weight, f.bound));
        whole_ids.push_back(whole.add_flow(f.uses, f.weight, f.bound));
        live.push_back(f);
      } else {
        const LinkId l = static_cast<LinkId>(rng.below(ref.capacity.size()));
        ref.capacity[l] = rng.uniform(0, 100);
        s.set_capacity(l, ref.capacity[l]);
        whole.set_capacity(l, ref.capacity[l]);
      }
      s.solve();
      whole.solve();
      System scratch;
      for (double c : ref.capacity) scratch.add_link(c);
      std::vector<FlowId> fresh;
      for (const auto& f : live) fresh.push_back(scratch.add_flow(f.uses, f.weight, f.bound));
      scratch.solve();
      for (size_t i = 0; i < ids.size(); ++i) {
        INFO("trial " << trial << " step " << step << " flow " << i);
        CHECK(close(s.rate(ids[i]), scratch.rate(fresh[i])));
        CHECK(close(s.rate(ids[i]), whole.rate(whole_ids[i])));
      }
      std::vector<double> actual;
      for (FlowId id : ids) actual.push_back(s.rate(id));
      RefSystem now = ref;
      now.flows = live;
      check_max_min_property(now, actual);
    }
    partial += s.partial_solves();
    component += s.component_solves();
    CHECK(whole.partial_solves() == 0);
  }
  std::printf("[maxmin] incremental: %llu solves on the affected subgraph, %llu on the whole component\n",
              static_cast<unsigned long long>(partial), static_cast<unsigned long long>(component));
  CHECK(partial > 0);  // the sub-solve path is exercised, not only the fallback
}
