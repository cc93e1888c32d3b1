// Internal to train/: the work of one training step as data. `Trainer::describe_step` (work.cpp)
// prices it once: per model chunk, one micro-batch's forward, backward and weight-gradient
// compute with the TP, CP and EP collectives each phase issues; the pipeline placement (which
// device holds which chunks, with what weight); per device the work and the parameters it holds;
// the pipeline sends, the DP gradient sync and the optimizer. The analytic engine (analytic.cpp)
// combines it under the schedule in closed form; the event engine (event.cpp) replays the same
// description on the network. Nothing here depends on which engine consumes it.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "net/analytic.h"
#include "net/collective.h"
#include "scenario/training_spec.h"
#include "topo/topology.h"
#include "train/train.h"

namespace fleetsim::train::detail {

// The work of one piece of the model for one micro-batch on one GPU (seconds; act in bytes).
struct Work {
  double f = 0;         // forward compute
  double b = 0;         // backward, input gradients (and recomputation)
  double w = 0;         // backward, weight gradients
  double act = 0;       // activation bytes saved for the backward pass
  double ep_f = 0, ep_b = 0;  // EP all-to-all (dispatch + combine) of the forward and backward
  double tp_f = 0, tp_b = 0;  // TP collectives
  double cp_f = 0, cp_b = 0;  // CP: keys and values gathered forward, their gradients reduced backward
  Work& operator+=(const Work& o) {
    f += o.f, b += o.b, w += o.w, act += o.act, ep_f += o.ep_f, ep_b += o.ep_b, tp_f += o.tp_f, tp_b += o.tp_b;
    cp_f += o.cp_f, cp_b += o.cp_b;
    return *this;
  }
  Work scaled(double k) const {
    Work r = *this;
    r.f *= k, r.b *= k, r.w *= k, r.act *= k, r.ep_f *= k, r.ep_b *= k, r.tp_f *= k, r.tp_b *= k;
    r.cp_f *= k, r.cp_b *= k;
    return r;
  }
};

// Parameters a piece of the model holds, split into what DP replicates and what EP spreads.
struct Params {
  double shared = 0;  // replicated over DP (split by TP)
  double expert = 0;  // routed experts (split by EP)
};

// DualPipe and DualPipeV overlap one chunk's EP all-to-all with the other chunk's compute.
inline bool overlapped_pairs(scenario::Schedule s) {
  return s == scenario::Schedule::dualpipe || s == scenario::Schedule::dualpipev;
}
// An overlapped forward+backward pair: the compute, or the all-to-all where that is longer.
inline double pair_seconds(const Work& w) { return std::max(w.f + w.b + w.w, w.ep_f + w.ep_b); }
// One micro-batch on a device: everything in sequence, or (overlapped pairs) the pair with the
// TP and CP collectives exposed.
inline double micro_batch_seconds(const Work& w, bool overlapped) {
  return overlapped ? pair_seconds(w) + w.tp_f + w.tp_b + w.cp_f + w.cp_b
                    : w.f + w.b + w.w + w.ep_f + w.ep_b + w.tp_f + w.tp_b + w.cp_f + w.cp_b;
}

// Memo of collective times by shape, priced by net::AnalyticModel: a search over layouts prices
// the same shapes many times. Thread-safe: a Trainer may be shared between threads.
class CollectiveCache {
 public:
  explicit CollectiveCache(const net::AnalyticModel& model) : model_(model) {}
  // `op` over `members` (a strided run of ranks: the first two members and the size identify
  // it) of `bytes`; 0 for fewer than two members or no bytes.
  double collective(net::CollectiveOp op, std::vector<topo::GpuRef> members, double bytes);
  // MoE dispatch then combine of `dispatch` (op moe_dispatch), keyed by the EP size, the token
  // formats and the tokens per GPU (the rest is the Trainer's model).
  double moe_pair(const net::CollectiveSpec& dispatch);

 private:
  struct GroupKey {
    net::CollectiveOp op;
    size_t members;
    int node0, local0, node1, local1;
    double bytes;
    auto operator<=>(const GroupKey&) const = default;
  };
  struct MoeKey {
    size_t ep;
    net::TokenFormat dispatch, combine;
    int64_t tokens_per_gpu;
    auto operator<=>(const MoeKey&) const = default;
  };
  const net::AnalyticModel& model_;
  std::mutex mu_;
  std::map<GroupKey, double> group_;
  std::map<MoeKey, double> moe_;
};

// Memo of one kind of layer's (or the embedding's, head's, MTP's) work by micro-batch shape.
struct WorkKey {
  int piece;  // 0 dense layer, 1 MoE layer, 2 embedding, 3 head, 4 MTP modules
  int64_t tokens, sequences, kv_len;
  int tp, ep, sp;
  scenario::Recompute recompute;
  int comm_sms;
  bool corun;
  core::DType gemm, act;
  auto operator<=>(const WorkKey&) const = default;
};
class WorkCache {
 public:
  // The memoised work of `key`, computed by `compute()` the first time.
  template <class F>
  Work get(const WorkKey& key, F&& compute) {
    {
      std::lock_guard lock(mu_);
      if (auto it = work_.find(key); it != work_.end()) return it->second;
    }
    const Work w = compute();
    std::lock_guard lock(mu_);
    work_.emplace(key, w);
    return w;
  }

 private:
  std::mutex mu_;
  std::map<WorkKey, Work> work_;
};

// A model chunk a device holds, and its weight in the device's per-micro-batch work (DualPipe:
// half the micro-batches go through each of its two stages).
struct Slot {
  int chunk = 0;
  double weight = 1;
};

// One pipeline device: where it sits (the GPU of its first rank: rank = stage x tp cp dp), the
// chunks it holds (placement), one micro-batch's work on it (DualPipe: the activations of one
// stage; DualPipeV: half a device's), the parameters it holds (split by TP and EP) and its time
// per micro-batch.
struct DeviceWork {
  topo::GpuRef gpu;
  std::vector<Slot> slots;
  Work work;
  Params params;
  double seconds_per_micro_batch = 0;
};

// The work of one step of one stage.
struct StepWork {
  int64_t seq_len = 0;
  double batch_sequences = 0;
  int micro_batches = 0;  // per pipeline (DP replica)
  double tokens = 0;      // trained per step
  double model_flops = 0; // per step: analytics, causal, MTP excluded
  std::vector<std::string> notes;

  std::vector<Work> chunk;           // per model chunk, one micro-batch
  std::vector<Params> chunk_params;  // per model chunk, unsplit
  std::vector<DeviceWork> device;    // per pipeline device
  size_t busiest = 0;                // the device whose micro-batch takes longest: it sets the pace

  double p2p_bytes = 0;          // one activation or gradient across a stage boundary
  double p2p_s = 0;              // its send (0 for pp 1 and overlapped pairs, where it is hidden)
  std::optional<net::CollectiveSpec> ep_dispatch;  // EP group 0's dispatch (MoE with ep > 1)
  // DP sync of the busiest device's parameters: gradients reduced (ZeRO-0 all-reduce, else
  // reduce-scatter), weights all-gathered (ZeRO >= 1), over DP and the experts' replicas.
  double dp_reduce_s = 0, dp_gather_s = 0;
  double optimizer_s = 0;        // AdamW over the busiest device's shard
};

// Bytes per parameter of the training state (master 0 when the weights are the master copy;
// moments: both of Adam's).
struct StateBytes {
  double weights = 0, gradients = 0, master = 0, moments = 0;
};
inline StateBytes state_bytes(const scenario::TrainingPrecisionSpec& p) {
  return {core::dtype_bytes(p.weights), core::dtype_bytes(p.gradients),
          p.master == p.weights ? 0.0 : core::dtype_bytes(p.master), 2 * core::dtype_bytes(p.moments)};
}

// The analytic engine (analytic.cpp). The fields of a step's result both engines share: the
// batch, notes, model FLOPs and the busiest device's per-micro-batch times.
StepResult step_header(const StepWork& w);
// d step / d micro-batches of the analytic step.
double per_micro_batch_seconds(const StepWork& w, const Layout& l);
// The DP sync left exposed after the last micro-batch's backward (and, ZeRO-3, the weight
// gathers of every micro-batch not hidden behind compute).
double dp_exposed_seconds(const StepWork& w, const Layout& l);
// The step of `w` under the layout's schedule in closed form (memory not filled in).
StepResult combine_analytic(const StepWork& w, const Layout& l, double peak_flops_per_s, bool with_timeline);

// Memory (memory.cpp): the device with the most memory, and the problem when it does not fit.
MemoryBreakdown peak_memory(const StepWork& w, const Layout& l, const scenario::TrainingSpec& t, double hbm_bytes);
std::optional<Problem> out_of_memory(const MemoryBreakdown& mem, const scenario::TrainingSpec& t, int64_t seq_len);

// The model chunks in pipeline order (layout.cpp).
int model_chunks(const Layout& l);
// The chunks device `dev` holds (layout.cpp).
std::vector<Slot> device_slots(const Layout& l, int dev);

// The GPU of a rank (ranks: tp fastest, then cp, dp, pp).
inline topo::GpuRef gpu_of_rank(const Layout& l, int rank) {
  return topo::GpuRef{rank / l.gpus_per_node, rank % l.gpus_per_node};
}

}  // namespace fleetsim::train::detail

namespace fleetsim::train {

// A search over layouts prices the same shapes many times: collective times and per-layer work
// are memoised by shape (thread-safe: a Trainer may be shared between threads).
struct Trainer::Cache {
  explicit Cache(const net::AnalyticModel& model) : comm(model) {}
  detail::CollectiveCache comm;
  detail::WorkCache work;
};

}  // namespace fleetsim::train
