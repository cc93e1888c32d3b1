// Training simulation (docs/training.md): how long training a model on a cluster takes, at what
// MFU, with what memory per GPU, and how many GPU-hours and days a whole run of stages costs.
//
// One model of the work, two engines:
//  - the parallel layout (train::Layout) is validated against the model and the cluster:
//    dp x tp x pp x cp = GPUs, heads % tp, experts % ep, EP carved from the DP x CP x TP group,
//    layers split over the pipeline stages (uneven splits stated);
//  - memory per GPU: weights, gradients, master weights and Adam moments by ZeRO stage and
//    dtype, activations saved per micro-batch (from the forward ops, less what recomputation
//    drops) times the micro-batches the schedule keeps in flight;
//  - a step's work per GPU: the forward ops of model/layer_ops.h priced by calib::OpCost (with
//    the SMs left after communication kernels take theirs), backward derived op by op (a GEMM's
//    data and weight gradients, flash attention's five matmuls for two, elementwise twice the
//    traffic), recomputation; communication priced by net::AnalyticModel on the cluster's
//    topo::Topology: TP all-reduces, EP dispatch and combine, pipeline sends, DP gradient
//    reduce-scatter and weight all-gather; the optimizer step as an HBM stream;
//  - pipeline schedules: 1F1B, interleaved 1F1B, ZB1P, DualPipe, DualPipeV (bubble formulas of
//    the DeepSeek-V3 report, Table 2; DualPipe overlaps one chunk's EP all-to-all with the
//    other chunk's compute).
// A step's work is described once as data (detail::StepWork, work.h); the analytic engine
// (analytic.cpp) combines it in closed form; the event engine (event.cpp) replays the same
// description on sim::Engine with the EP and PP transfers as flows of a net::FlowNetwork
// (Trainer::step_event). docs/training.md, section 9, lists the files in the order a step runs.
//
// API for callers that search many configurations (the capacity planner):
//
//   train::Trainer t(scenario, *scenario.training, calibration);   // once per cluster: topology, op costs
//   train::TrainingEstimate e = t.estimate(spec);                  // microseconds; never throws for
//                                                                  // an infeasible layout: e.feasible,
//                                                                  // e.problems say why
//   train::TrainingEstimate e = train::estimate(scenario, spec, calibration);  // one-off
//
// Whole runs and documents:
//   train::RunResult r = t.run();                 // throws core::InputError (file:line:field)
//   result::Training j = train::training_section(r);  // the result document's "training" section
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calib/op_cost.h"
#include "calib/table.h"
#include "core/error.h"
#include "core/feasibility.h"
#include "core/schema.h"
#include "model/model_spec.h"
#include "net/analytic.h"
#include "net/comm_costs.h"
#include "result/document.h"
#include "scenario/scenario.h"
#include "topo/topology.h"

namespace fleetsim::train {

namespace detail {
struct StepWork;
}

enum class EngineKind { analytic, event };
inline constexpr core::NameTable<EngineKind, 2> kEngineKinds({{EngineKind::analytic, "analytic"},
                                                             {EngineKind::event, "event"}});
inline std::string_view engine_name(EngineKind e) { return kEngineKinds.name_of(e); }

// A reason a configuration cannot run, located in the scenario.
// Why a layout or stage cannot run: a typed value with its kind (core/feasibility.h).
using Problem = core::Infeasibility;

// The resolved parallel layout of one stage of a run. Ranks are ordered tp fastest, then cp,
// dp, pp (Megatron's order): rank = tp_i + tp (cp_i + cp (dp_i + dp pp_i)); GPU = (rank / g,
// rank % g) for g GPUs per node.
struct Layout {
  int gpus = 0, gpus_per_node = 0, nodes = 0;
  int tp = 1, pp = 1, cp = 1, dp = 1, ep = 1;
  int edp = 1;  // replicas of an expert: dp x cp x tp / ep
  int zero = 1;
  scenario::Schedule schedule = scenario::Schedule::one_f_one_b;
  int virtual_stages = 1;
  int micro_batch = 1;
  scenario::Recompute recompute = scenario::Recompute::selective;
  int comm_sms = 0;
  // Layers of each pipeline stage (pp x virtual_stages model chunks, in model order; DualPipeV:
  // 2 pp chunks, device d holding chunks d and 2pp-1-d).
  std::vector<int> chunk_layers;
  std::string split;  // "61 layers over 16 stages: 4 x 13, 3 x 3 (stages 0, 1, 15)"
};

struct MemoryBreakdown {
  double weights = 0, gradients = 0, master = 0, moments = 0, activations = 0, reserve = 0;
  double total = 0;
  double capacity = 0;  // the GPU's HBM
  double params = 0;    // parameters held by the GPU
  double in_flight = 0; // micro-batches whose activations the schedule keeps
};

struct Part {
  std::string part;
  double seconds = 0;
};

struct TimelineEvent {
  std::string lane, name, kind;  // kind: compute, ep, tp, pp, dp, optimizer, bubble
  double start_s = 0, end_s = 0;
};

// One optimizer step of one stage.
struct StepResult {
  EngineKind engine = EngineKind::analytic;
  int64_t seq_len = 0;
  double batch_sequences = 0;
  int micro_batches = 0;         // per pipeline (DP replica)
  double tokens = 0;             // trained per step
  double step_time_s = 0;
  std::vector<Part> breakdown;   // adds up to step_time_s
  double model_flops = 0;        // per step: analytics, causal, MTP excluded
  double mfu = 0;                // model FLOPs / (step time x GPUs x BF16 dense peak)
  double tokens_per_s_per_gpu = 0;
  MemoryBreakdown memory;
  // Per micro-batch on the busiest device: forward, backward (input), backward (weights),
  // and the EP all-to-all of a forward and of a backward chunk.
  double f_s = 0, b_s = 0, w_s = 0, ep_f_s = 0, ep_b_s = 0;
  // Analytic engine: d step_time_s / d micro_batches (the step is affine in the micro-batches:
  // the bubble, sends, gradient sync and optimizer do not grow with them).
  double per_micro_batch_s = 0;
  std::vector<TimelineEvent> timeline;
  std::vector<std::string> notes;
};

struct StageResult {
  std::string name;
  int64_t seq_len = 0;
  double batch_sequences = 0;
  double tokens = 0, steps = 0;
  double step_time_s = 0;  // at the stage's full batch
  double gpu_hours = 0, days = 0;
  Layout layout;           // may differ from the scenario's (long-context stages, see notes)
  StepResult step;         // at the full batch
  std::vector<std::string> notes;
};

struct RunResult {
  std::string model, gpu, node;
  int gpus = 0, nodes = 0;
  EngineKind engine = EngineKind::analytic;
  Layout layout;             // the main (largest) stage's
  StepResult step;           // the main stage at full batch
  std::vector<StageResult> stages;
  double gpu_hours_per_trillion_tokens = 0;  // main stage, full batch
  double gpu_hours_total = 0, wall_clock_days = 0;
  double rental_usd_per_gpu_hour = 0, rental_usd_total = 0;
  double tokens_total = 0;
};

// What the capacity planner asks: feasibility with reasons, and the headline figures.
struct TrainingEstimate {
  bool feasible = false;
  std::vector<Problem> problems;  // empty when feasible
  double step_time_s = 0;         // main stage, full batch
  double mfu = 0;
  double tokens_per_s_per_gpu = 0;
  double memory_per_gpu_bytes = 0;
  double gpu_hours_total = 0;     // all stages
  double wall_clock_days = 0;
  double rental_usd_total = 0;
};

class Trainer {
 public:
  // Builds the cluster's topology and the GPU's op and communication costs (milliseconds).
  // Keeps copies; the scenario need not outlive it. Throws core::InputError for a model or
  // cluster that cannot be resolved.
  Trainer(const scenario::Scenario& s, const scenario::TrainingSpec& spec, const calib::CalibrationSet& calibration);
  Trainer(const scenario::Scenario& s, const scenario::TrainingSpec& spec, const calib::CalibrationTable& table);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // The layout of spec (its cluster must be this Trainer's) for a stage, and every problem it
  // has (degrees, splits, memory). Never throws for an infeasible layout.
  Layout layout(const scenario::TrainingSpec& spec, std::vector<Problem>& problems) const;
  // One step of a stage at a global batch (sequences), in the analytic engine. Memory problems
  // are appended to `problems` (an OOM step is still priced).
  StepResult step(const scenario::TrainingSpec& spec, const Layout& layout, int64_t seq_len, double batch_sequences,
                  std::vector<Problem>* problems = nullptr, bool with_timeline = false) const;
  // The same step in the event engine (event.cpp).
  StepResult step_event(const scenario::TrainingSpec& spec, const Layout& layout, int64_t seq_len,
                        double batch_sequences, bool with_timeline = false) const;

  // The whole run of the Trainer's spec. Throws core::InputError naming file, line and field for
  // an impossible configuration (first problem found).
  RunResult run(EngineKind engine = EngineKind::analytic, bool with_timeline = false) const;
  // The same run with its problems appended to `problems` instead of thrown; when any is found
  // the result holds only the stages priced before it.
  RunResult run(EngineKind engine, bool with_timeline, std::vector<Problem>& problems) const;
  // The same for another spec on the same cluster, without throwing.
  TrainingEstimate estimate(const scenario::TrainingSpec& spec) const;

  const model::ModelSpec& model() const { return model_; }
  const hw::GpuSpec& gpu() const { return op_cost_.gpu(); }
  const calib::OpCost& op_cost() const { return op_cost_; }
  const net::CommCosts& comm_costs() const { return comm_costs_; }
  const topo::Topology& topology() const { return *topology_; }
  const scenario::TrainingSpec& spec() const { return spec_; }

 private:
  struct Run;
  // The work of one step (work.cpp): what both engines consume.
  detail::StepWork describe_step(const scenario::TrainingSpec& spec, const Layout& layout, int64_t seq_len,
                                 double batch_sequences) const;
  Run run_stages(const scenario::TrainingSpec& spec, EngineKind engine, bool with_timeline,
                 std::vector<Problem>& problems) const;
  std::optional<StageResult> run_stage(const scenario::TrainingSpec& spec, const Layout& base, size_t stage, bool main,
                                       EngineKind engine, bool with_timeline, std::vector<Problem>& problems,
                                       double& seconds) const;

  scenario::TrainingSpec spec_;
  model::ModelSpec model_;
  hw::NodeSpec node_;
  calib::OpCost op_cost_;
  net::CommCosts comm_costs_;
  std::unique_ptr<topo::Topology> topology_;
  std::unique_ptr<net::AnalyticModel> analytic_;
  // Memo of collective times and per-layer work by shape (work.h): a search over layouts prices
  // the same shapes many times. Guarded by a mutex: a Trainer may be shared between threads.
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

// Tokens a stage trains: its `tokens`, or steps x batch x sequence.
double stage_tokens(const scenario::StageSpec& st);
// The run's main stage: the one with the most tokens (the first of equals); 0 for no stages.
size_t main_stage(const scenario::TrainingSpec& t);

// One-off estimate (builds a Trainer: milliseconds). Never throws for an infeasible layout.
// Why a Trainer cannot be built for `spec`'s cluster: a model, node or switch the scenario has
// not resolved (input), or more NICs than the fabric's tiers join (capacity); nullopt when it
// can. train::estimate and the capacity planner ask before they construct one.
std::optional<Problem> cluster_problem(const scenario::Scenario& s, const scenario::TrainingSpec& spec);

TrainingEstimate estimate(const scenario::Scenario& s, const scenario::TrainingSpec& spec,
                          const calib::CalibrationSet& calibration);

// Bubble of a schedule in units of a micro-batch's per-device times: f forward, b backward
// (input and weights), w weight-gradient part of b, fb an overlapped forward+backward pair
// (DualPipe), v virtual stages. The DeepSeek-V3 report's Table 2.
double bubble_seconds(scenario::Schedule s, int pp, int v, double f, double b, double w, double fb);
// Micro-batches whose activations a device keeps at the peak, in units of one device's
// activations of one micro-batch (1F1B: pp; DualPipe: pp + 1; ...), at most what M allows.
double activations_in_flight(scenario::Schedule s, int pp, int v, int micro_batches);

// The "training" section of the result document (docs/results.md), typed; and as JSON.
result::Training training_section(const RunResult& r, bool with_timeline = true);
core::Json training_json(const RunResult& r, bool with_timeline = true);
// Chrome/Perfetto trace of the main stage's step timeline.
core::Json trace_json(const RunResult& r);

// Throws the first problem as a core::InputError.
[[noreturn]] void throw_problem(const Problem& p);

}  // namespace fleetsim::train
