// Memory per GPU (docs/training.md, section 2): weights, gradients, master weights and Adam
// moments by ZeRO stage and dtype, the activations one micro-batch leaves on a device times the
// micro-batches the schedule keeps in flight, and the reserve; the device holding the most sets
// the figure.
#include <fmt/format.h>

#include <algorithm>

#include "train/detail.h"
#include "train/work.h"

namespace fleetsim::train {

using scenario::Schedule;

double activations_in_flight(Schedule s, int pp, int v, int micro_batches) {
  double peak = pp;
  switch (s) {
    case Schedule::one_f_one_b:
    case Schedule::zb1p: peak = pp; break;
    // Megatron (Narayanan et al. 2021, Korthikanti et al. 2022 §4.2.3): pp (1 + (pp-1)/(pp v)).
    case Schedule::interleaved_1f1b: peak = pp * (1.0 + (pp - 1.0) / (pp * std::max(1, v))); break;
    case Schedule::dualpipe: peak = pp + 1; break;
    // 2pp + 1 chunk activations of half a device's layers.
    case Schedule::dualpipev: peak = (2.0 * pp + 1) / 2.0; break;
  }
  return std::min(peak, static_cast<double>(std::max(1, micro_batches)));
}

namespace detail {

namespace {

// One device's memory: ZeRO-1 shards the master weights and moments over the replicas (DP x CP
// for what DP replicates, the experts' replicas for the experts), ZeRO-2 the gradients too,
// ZeRO-3 the weights too.
MemoryBreakdown device_memory(const DeviceWork& dw, const Layout& l, const scenario::TrainingSpec& t, int micro_batches,
                              double hbm_bytes) {
  const double shared_shard = l.dp * l.cp;
  const double expert_shard = l.edp;
  const auto bytes = state_bytes(t.precision);
  MemoryBreakdown mb;
  const double p_all = dw.params.shared + dw.params.expert;
  const double p_shard = dw.params.shared / shared_shard + dw.params.expert / expert_shard;
  mb.params = p_all;
  mb.weights = (l.zero >= 3 ? p_shard : p_all) * bytes.weights;
  mb.gradients = (l.zero >= 2 ? p_shard : p_all) * bytes.gradients;
  mb.master = (l.zero >= 1 ? p_shard : p_all) * bytes.master;
  mb.moments = (l.zero >= 1 ? p_shard : p_all) * bytes.moments;
  mb.in_flight = activations_in_flight(l.schedule, l.pp, l.virtual_stages, micro_batches);
  // DualPipeV: the device's activations are counted in units of one chunk (half a device).
  const double act_unit = l.schedule == Schedule::dualpipev ? 2 * dw.work.act : dw.work.act;
  mb.activations = act_unit * mb.in_flight;
  mb.reserve = t.memory_reserve_bytes;
  mb.capacity = hbm_bytes;
  mb.total = mb.weights + mb.gradients + mb.master + mb.moments + mb.activations + mb.reserve;
  return mb;
}

}  // namespace

MemoryBreakdown peak_memory(const StepWork& w, const Layout& l, const scenario::TrainingSpec& t, double hbm_bytes) {
  MemoryBreakdown mem;
  double peak = -1;
  for (const auto& dw : w.device) {
    const MemoryBreakdown mb = device_memory(dw, l, t, w.micro_batches, hbm_bytes);
    if (mb.total > peak) peak = mb.total, mem = mb;
  }
  return mem;
}

std::optional<Problem> out_of_memory(const MemoryBreakdown& mem, const scenario::TrainingSpec& t, int64_t seq_len) {
  if (!(mem.total > mem.capacity)) return std::nullopt;
  return Problem{core::Infeasible::memory, where_parallel(t, "recompute"), "training.parallelism",
                 fmt::format("out of memory at sequence {}: {} per GPU needed, {} of HBM: weights {}, gradients {}, "
                             "master {}, moments {}, activations {} ({:.3g} micro-batches in flight), reserve {}",
                             seq_len, gib(mem.total), gib(mem.capacity), gib(mem.weights), gib(mem.gradients),
                             gib(mem.master), gib(mem.moments), gib(mem.activations), mem.in_flight, gib(mem.reserve))};
}

}  // namespace detail

}  // namespace fleetsim::train
