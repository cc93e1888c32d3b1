// The analytic engine (docs/training.md, section 4): a step's work (work.h) combined under its
// pipeline schedule in closed form. With M micro-batches per replica and the busiest device's
// per-micro-batch times,
//
//   step = M x per_mb + bubble + exposed PP sends + exposed DP sync + optimizer,
//
// per_mb everything in sequence (1F1B family) or max(F + B + W, EP) + TP + CP for DualPipe's
// overlapped pairs; the bubble from the DeepSeek-V3 report's Table 2.
#include <fmt/format.h>

#include <algorithm>

#include "train/work.h"

namespace fleetsim::train {

using scenario::Schedule;

double bubble_seconds(Schedule s, int pp, int v, double f, double b, double w, double fb) {
  if (pp <= 1) return 0;
  switch (s) {
    case Schedule::one_f_one_b: return (pp - 1) * (f + b);
    case Schedule::interleaved_1f1b: return (pp - 1) * (f + b) / std::max(1, v);
    case Schedule::zb1p: return std::max(0.0, (pp - 1) * (f + b - 2 * w));
    case Schedule::dualpipe: return std::max(0.0, (pp / 2.0 - 1) * (fb + b - 3 * w));
    // pp devices run 2pp stages of half a device's layers: (2pp/2 - 1) x half the device's times.
    case Schedule::dualpipev: return std::max(0.0, (pp - 1) * (fb + b - 3 * w) / 2.0);
  }
  return 0;
}

namespace detail {

namespace {

// A forward and a backward with the communication they leave exposed (overlapped pairs: none of
// the all-to-all, and the TP and CP collectives are charged per pair).
double forward_seconds(const Work& w, bool dual) { return dual ? w.f : w.f + w.ep_f + w.tp_f + w.cp_f; }
double backward_seconds(const Work& w, bool dual) { return dual ? w.b + w.w : w.b + w.w + w.ep_b + w.tp_b + w.cp_b; }

// ZeRO-3 gathers the weights before each micro-batch's forward and backward, prefetched behind
// the previous one's compute: what the compute does not hide, per micro-batch.
double zero3_gather_exposed(const StepWork& sw, const Layout& l) {
  const Work& w = sw.device[sw.busiest].work;
  return l.zero >= 3 ? std::max(0.0, 2 * sw.dp_gather_s - (w.f + w.b + w.w)) : 0.0;
}

// The parts of an analytic step (seconds), in the order of its breakdown.
struct Parts {
  double compute = 0, ep = 0, tp = 0, cp = 0, bubble = 0, pp = 0, dp = 0, optimizer = 0;
  double pipeline() const { return compute + ep + tp + cp + bubble + pp; }
};

// A schematic of the step for each device: fill, the micro-batches' forward and backward
// (DualPipe: overlapped pairs), drain, gradient sync and optimizer.
void analytic_timeline(StepResult& r, const StepWork& sw, const Layout& l, const Parts& parts) {
  const bool dual = overlapped_pairs(l.schedule);
  const Work& w = sw.device[sw.busiest].work;
  const double busiest_time = sw.device[sw.busiest].seconds_per_micro_batch;
  const double ft = forward_seconds(w, dual), bt = backward_seconds(w, dual);
  for (int dev = 0; dev < l.pp; ++dev) {
    const std::string lane = fmt::format("stage {} compute", dev);
    const double fill = l.pp > 1 ? parts.bubble * dev / (l.pp - 1) : 0.0;
    double at = 0;
    if (fill > 0) r.timeline.push_back({lane, "pipeline fill", "bubble", 0, fill}), at = fill;
    const double scale =
        busiest_time > 0 ? sw.device[static_cast<size_t>(dev)].seconds_per_micro_batch / busiest_time : 1.0;
    for (int k = 0; k < r.micro_batches; ++k) {
      if (dual) {
        const double pt = micro_batch_seconds(w, dual) * scale;
        r.timeline.push_back({lane, fmt::format("F{}+B{}", k, k), "compute", at, at + pt});
        if (w.ep_f + w.ep_b > 0) {
          r.timeline.push_back({fmt::format("stage {} comm", dev), fmt::format("all-to-all {}", k), "ep", at,
                                at + (w.ep_f + w.ep_b) * scale});
        }
        at += pt;
      } else {
        const double f = ft * scale, b = bt * scale;
        r.timeline.push_back({lane, fmt::format("F{}", k), "compute", at, at + f});
        r.timeline.push_back({lane, fmt::format("B{}", k), "compute", at + f, at + f + b});
        at += f + b;
      }
    }
    const double pipe_end = parts.pipeline();
    if (pipe_end > at) r.timeline.push_back({lane, "pipeline drain", "bubble", at, pipe_end});
    r.timeline.push_back({lane, "gradient sync", "dp", pipe_end, pipe_end + parts.dp});
    r.timeline.push_back({lane, "optimizer", "optimizer", pipe_end + parts.dp, r.step_time_s});
  }
}

}  // namespace

StepResult step_header(const StepWork& sw) {
  StepResult r;
  r.seq_len = sw.seq_len;
  r.batch_sequences = sw.batch_sequences;
  r.micro_batches = sw.micro_batches;
  r.notes = sw.notes;
  r.tokens = sw.tokens;
  r.model_flops = sw.model_flops;
  const Work& w = sw.device[sw.busiest].work;
  r.f_s = w.f, r.b_s = w.b + w.w, r.w_s = w.w, r.ep_f_s = w.ep_f, r.ep_b_s = w.ep_b;
  return r;
}

double per_micro_batch_seconds(const StepWork& sw, const Layout& l) {
  double s = micro_batch_seconds(sw.device[sw.busiest].work, overlapped_pairs(l.schedule));
  if (l.zero >= 3) s += zero3_gather_exposed(sw, l);
  return s;
}

// Gradients reduced over the replicas, overlapping the last micro-batch's backward; then the
// updated weights all-gathered.
double dp_exposed_seconds(const StepWork& sw, const Layout& l) {
  const double bt = backward_seconds(sw.device[sw.busiest].work, overlapped_pairs(l.schedule));
  double exposed = std::max(0.0, sw.dp_reduce_s - bt) + sw.dp_gather_s;
  if (l.zero >= 3) exposed += sw.micro_batches * zero3_gather_exposed(sw, l);
  return exposed;
}

StepResult combine_analytic(const StepWork& sw, const Layout& l, double peak_flops_per_s, bool with_timeline) {
  StepResult r = step_header(sw);
  const bool dual = overlapped_pairs(l.schedule);
  const Work& w = sw.device[sw.busiest].work;
  const int M = r.micro_batches;
  r.per_micro_batch_s = per_micro_batch_seconds(sw, l);
  Parts p;
  p.compute = M * (w.f + w.b + w.w);
  p.ep = dual ? M * (pair_seconds(w) - (w.f + w.b + w.w)) : M * (w.ep_f + w.ep_b);
  p.tp = M * (w.tp_f + w.tp_b);
  p.cp = M * (w.cp_f + w.cp_b);
  p.bubble = bubble_seconds(l.schedule, l.pp, l.virtual_stages, forward_seconds(w, dual), backward_seconds(w, dual),
                            w.w, micro_batch_seconds(w, dual));
  // Pipeline sends: one activation (forward) and one gradient (backward) per stage boundary
  // and micro-batch. Hidden behind compute in steady state; exposed along the fill and the drain
  // (2 (pp - 1) sends) except under DualPipe, which overlaps them (DeepSeek-V3 §3.2.1).
  if (l.pp > 1 && !dual) p.pp = 2.0 * (l.pp - 1) * sw.p2p_s;
  p.dp = dp_exposed_seconds(sw, l);
  p.optimizer = sw.optimizer_s;
  r.step_time_s = p.compute + p.ep + p.tp + p.cp + p.bubble + p.pp + p.dp + p.optimizer;
  r.breakdown = {{"compute", p.compute},         {"exposed_ep_comm", p.ep}, {"exposed_tp_comm", p.tp},
                 {"exposed_cp_comm", p.cp},      {"pipeline_bubble", p.bubble}, {"exposed_pp_comm", p.pp},
                 {"exposed_dp_comm", p.dp},      {"optimizer", p.optimizer}};
  r.mfu = r.model_flops / (r.step_time_s * l.gpus * peak_flops_per_s);
  r.tokens_per_s_per_gpu = r.tokens / (r.step_time_s * l.gpus);
  if (with_timeline) analytic_timeline(r, sw, l, p);
  return r;
}

}  // namespace detail

StepResult Trainer::step(const scenario::TrainingSpec& t, const Layout& l, int64_t seq_len, double batch_sequences,
                         std::vector<Problem>* problems, bool with_timeline) const {
  const detail::StepWork work = describe_step(t, l, seq_len, batch_sequences);
  StepResult r =
      detail::combine_analytic(work, l, op_cost_.gpu().peak_flops_per_s(core::DType::bf16), with_timeline);
  r.memory = detail::peak_memory(work, l, t, op_cost_.gpu().hbm_bytes);
  if (problems) {
    if (auto oom = detail::out_of_memory(r.memory, t, seq_len)) problems->push_back(std::move(*oom));
  }
  return r;
}

}  // namespace fleetsim::train
