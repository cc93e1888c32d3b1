// The training workload of a scenario: model, cluster, parallel layout, number formats and the
// stages of the run (pre-training with its batch ramp, context extensions, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/schema.h"
#include "scenario/cluster_spec.h"

namespace fleetsim::scenario {

enum class Schedule { one_f_one_b, interleaved_1f1b, zb1p, dualpipe, dualpipev };
enum class Recompute { none, selective, full };

inline constexpr core::NameTable<Schedule, 5> kSchedules({{Schedule::one_f_one_b, "1f1b"},
                                                         {Schedule::interleaved_1f1b, "interleaved-1f1b"},
                                                         {Schedule::zb1p, "zb1p"},
                                                         {Schedule::dualpipe, "dualpipe"},
                                                         {Schedule::dualpipev, "dualpipev"}});
inline constexpr core::NameTable<Recompute, 3> kRecomputes({{Recompute::none, "none"},
                                                           {Recompute::selective, "selective"},
                                                           {Recompute::full, "full"}});

struct ParallelismSpec {
  int tp = 1;   // tensor parallel (heads and FFN split inside a node)
  int pp = 1;   // pipeline stages
  int ep = 1;   // expert parallel: routed experts of a layer spread over this many GPUs
  int cp = 1;   // context parallel (sequence split for long contexts)
  int dp = 0;   // data parallel; 0 = whatever the GPU count leaves (gpus / (tp * pp * cp))
  int zero = 1; // ZeRO stage: 0 none, 1 optimizer states, 2 + gradients, 3 + parameters
  bool sequence_parallel = false;
  Schedule schedule = Schedule::one_f_one_b;
  int virtual_stages = 1;   // interleaved 1F1B: model chunks per GPU
  int micro_batch = 1;      // sequences per micro-batch
  Recompute recompute = Recompute::selective;
  int comm_sms = 0;         // SMs given to communication kernels (DeepSeek-V3: 20 of 132)
  core::Provenance provenance;
};

struct TrainingPrecisionSpec {
  core::DType gemm = core::DType::bf16;       // linear layers (fp8 for DeepSeek-V3)
  core::DType activations = core::DType::bf16;
  core::DType weights = core::DType::bf16;
  core::DType gradients = core::DType::bf16;
  core::DType master = core::DType::fp32;
  core::DType moments = core::DType::fp32;
  core::DType dispatch = core::DType::bf16;   // MoE all-to-all, token dispatch
  core::DType combine = core::DType::bf16;    // MoE all-to-all, combine
  core::Provenance provenance;
};

struct BatchRampSpec {
  double from_sequences = 0;  // global batch at the start
  double over_tokens = 0;     // tokens over which it grows linearly to the stage's batch
  core::Provenance provenance;
};

struct StageSpec {
  std::string name;
  int64_t seq_len = 0;
  double batch_sequences = 0;         // global batch in sequences
  std::optional<double> tokens;       // the stage's length in tokens ...
  std::optional<double> steps;        // ... or in optimizer steps (exactly one of the two)
  std::optional<BatchRampSpec> ramp;
  core::Provenance provenance;
};

struct TrainingSpec {
  std::string model;  // model id or a path to a model YAML
  ClusterSpec cluster;
  ParallelismSpec parallelism;
  TrainingPrecisionSpec precision;
  std::vector<StageSpec> stages;
  double rental_usd_per_gpu_hour = 0;  // the rental view of the run's cost
  double memory_reserve_bytes = 0;     // HBM kept back per GPU (CUDA context, allocator, buffers)
  core::Provenance provenance;
};

inline std::string_view schedule_name(Schedule s) { return kSchedules.name_of(s); }

const core::Schema<ParallelismSpec>& parallelism_schema();
const core::Schema<TrainingPrecisionSpec>& training_precision_schema();
const core::Schema<BatchRampSpec>& batch_ramp_schema();
const core::Schema<StageSpec>& stage_schema();
const core::Schema<TrainingSpec>& training_schema();

}  // namespace fleetsim::scenario
