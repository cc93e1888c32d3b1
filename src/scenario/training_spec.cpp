#include "scenario/training_spec.h"

#include <fmt/format.h>

namespace fleetsim::scenario {

using core::at_least;
using core::Dim;
using core::DType;

const core::Schema<ParallelismSpec>& parallelism_schema() {
  static const auto s =
      core::Schema<ParallelismSpec>("parallelism", "How the model and the batch are split over the GPUs.")
          .provenance(&ParallelismSpec::provenance)
          .integer("tp", &ParallelismSpec::tp, "Tensor parallel degree (inside a node).", at_least(1), 1)
          .integer("pp", &ParallelismSpec::pp, "Pipeline stages.", at_least(1), 1)
          .integer("ep", &ParallelismSpec::ep, "Expert parallel degree: GPUs a layer's routed experts span.",
                   at_least(1), 1)
          .integer("cp", &ParallelismSpec::cp, "Context parallel degree.", at_least(1), 1)
          .integer("dp", &ParallelismSpec::dp, "Data parallel degree; 0 = GPUs / (tp x pp x cp).", at_least(0), 0)
          .integer("zero", &ParallelismSpec::zero, "ZeRO stage: 0 none, 1 optimizer, 2 + gradients, 3 + weights.",
                   core::between(0, 3), 1)
          .flag("sequence_parallel", &ParallelismSpec::sequence_parallel,
                "Split norms and dropout over the TP group (Megatron SP).", false)
          .choice("schedule", &ParallelismSpec::schedule, kSchedules, "Pipeline schedule.", Schedule::one_f_one_b)
          .integer("virtual_stages", &ParallelismSpec::virtual_stages,
                   "Interleaved 1F1B: model chunks per GPU.", at_least(1), 1)
          .integer("micro_batch", &ParallelismSpec::micro_batch, "Sequences per micro-batch.", at_least(1), 1)
          .choice("recompute", &ParallelismSpec::recompute, kRecomputes, "Activation recomputation.",
                  Recompute::selective)
          .integer("comm_sms", &ParallelismSpec::comm_sms,
                   "SMs given to communication kernels, taken from compute.", at_least(0), 0)
          .check([](const core::ConfigNode& n, ParallelismSpec& p) {
            if (p.virtual_stages > 1 && p.schedule != Schedule::interleaved_1f1b) {
              n.fail_at("virtual_stages", "virtual_stages > 1 needs schedule: interleaved-1f1b");
            }
            if ((p.schedule == Schedule::dualpipe || p.schedule == Schedule::dualpipev) && p.pp % 2 != 0) {
              n.fail_at("pp", fmt::format("{} needs an even number of pipeline stages, got {}",
                                          schedule_name(p.schedule), p.pp));
            }
          });
  return s;
}

const core::Schema<TrainingPrecisionSpec>& training_precision_schema() {
  using P = TrainingPrecisionSpec;
  static const auto s =
      core::Schema<P>("training_precision", "Number formats of training.")
          .provenance(&P::provenance)
          .dtype("gemm", &P::gemm, "Linear layers (forward, data and weight gradients).", DType::bf16)
          .dtype("activations", &P::activations, "Stored activations and attention.", DType::bf16)
          .dtype("weights", &P::weights, "Working copy of the weights.", DType::bf16)
          .dtype("gradients", &P::gradients, "Weight gradients.", DType::bf16)
          .dtype("master", &P::master, "Master copy of the weights kept by the optimizer.", DType::fp32)
          .dtype("moments", &P::moments, "Adam's two moments.", DType::fp32)
          .dtype("dispatch", &P::dispatch, "MoE token dispatch on the wire.", DType::bf16)
          .dtype("combine", &P::combine, "MoE combine on the wire.", DType::bf16);
  return s;
}

const core::Schema<BatchRampSpec>& batch_ramp_schema() {
  static const auto s =
      core::Schema<BatchRampSpec>("batch_ramp", "A global batch that grows linearly at the start of a stage.")
          .provenance(&BatchRampSpec::provenance)
          .quantity("from", &BatchRampSpec::from_sequences, Dim::count, "Global batch at the start, in sequences.",
                    core::positive())
          .quantity("over", &BatchRampSpec::over_tokens, Dim::count, "Tokens over which it reaches the batch.",
                    core::positive());
  return s;
}

const core::Schema<StageSpec>& stage_schema() {
  static const auto s =
      core::Schema<StageSpec>("stage", "One stage of a training run.")
          .provenance(&StageSpec::provenance)
          .text("name", &StageSpec::name, "Stage name (pretrain, context-32k ...).")
          .integer("seq_len", &StageSpec::seq_len, "Sequence length in tokens.", at_least(1))
          .quantity("batch", &StageSpec::batch_sequences, Dim::count, "Global batch in sequences.", core::positive())
          .quantity("tokens", &StageSpec::tokens, Dim::count, "Tokens trained in the stage.", core::positive())
          .quantity("steps", &StageSpec::steps, Dim::count, "Optimizer steps of the stage.", core::positive())
          .object("batch_ramp", &StageSpec::ramp, batch_ramp_schema(), "Batch-size warm-up at the stage's start.")
          .check([](const core::ConfigNode& n, StageSpec& st) {
            if (st.tokens.has_value() == st.steps.has_value()) {
              n.fail("give the stage's length as exactly one of 'tokens' or 'steps'");
            }
            if (st.ramp && st.ramp->from_sequences > st.batch_sequences) {
              n.fail_at("batch_ramp", "the ramp starts above the stage's batch");
            }
          });
  return s;
}

const core::Schema<TrainingSpec>& training_schema() {
  static const auto s =
      core::Schema<TrainingSpec>("training", "A training run: model, cluster, parallel layout and stages.")
          .provenance(&TrainingSpec::provenance)
          .text("model", &TrainingSpec::model, "Model id, or a path to a model YAML.")
          .object("cluster", &TrainingSpec::cluster, cluster_schema(), "The GPUs the run uses.")
          .object("parallelism", &TrainingSpec::parallelism, parallelism_schema(), "Parallel layout.", false)
          .object("precision", &TrainingSpec::precision, training_precision_schema(), "Number formats.", false)
          .list("stages", &TrainingSpec::stages, stage_schema(), "The run's stages, in order.")
          .quantity("rental", &TrainingSpec::rental_usd_per_gpu_hour, Dim::usd_per_hour,
                    "Rental price per GPU-hour for the rental view of the cost.", core::non_negative(), 2.0)
          .quantity("memory_reserve", &TrainingSpec::memory_reserve_bytes, Dim::bytes,
                    "HBM per GPU kept back from the model (CUDA context, allocator slack, buffers).",
                    core::non_negative(), 4.0 * 0x1p30);
  return s;
}

}  // namespace fleetsim::scenario
