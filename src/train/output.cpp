// Output (docs/results.md): the "training" section of the result document and the Chrome/Perfetto
// trace of the main stage's step timeline.
#include <algorithm>

#include "train/train.h"

namespace fleetsim::train {

using scenario::Recompute;

namespace {
core::Json memory_json(const MemoryBreakdown& m) {
  core::Json parts = core::Json::array();
  for (auto [name, v] : {std::pair{"weights", m.weights}, {"gradients", m.gradients}, {"master_weights", m.master},
                         {"optimizer_moments", m.moments}, {"activations", m.activations}, {"reserve", m.reserve}}) {
    parts.push_back({{"part", name}, {"bytes", v}});
  }
  return parts;
}
}  // namespace

core::Json training_json(const RunResult& r, bool with_timeline) {
  core::Json j;
  j["model"] = r.model;
  j["gpu"] = r.gpu;
  j["gpus"] = r.gpus;
  j["nodes"] = r.nodes;
  j["engine"] = std::string(engine_name(r.engine));
  const auto& l = r.layout;
  j["parallelism"] = {{"dp", l.dp}, {"tp", l.tp}, {"pp", l.pp}, {"cp", l.cp}, {"ep", l.ep}, {"zero", l.zero},
                      {"schedule", std::string(scenario::schedule_name(l.schedule))},
                      {"micro_batches", r.step.micro_batches}, {"layer_split", l.split}};
  j["step_time_s"] = r.step.step_time_s;
  j["tokens_per_step"] = r.step.tokens;
  j["tokens_per_s_per_gpu"] = r.step.tokens_per_s_per_gpu;
  j["mfu"] = r.step.mfu;
  j["model_flops_per_step"] = r.step.model_flops;
  j["gpu_hours_per_trillion_tokens"] = r.gpu_hours_per_trillion_tokens;
  j["gpu_hours_total"] = r.gpu_hours_total;
  j["wall_clock_days"] = r.wall_clock_days;
  j["memory_per_gpu_bytes"] = r.step.memory.total;
  j["memory_capacity_bytes"] = r.step.memory.capacity;
  j["memory_breakdown"] = memory_json(r.step.memory);
  j["rental_usd_per_gpu_hour"] = r.rental_usd_per_gpu_hour;
  j["rental_usd_total"] = r.rental_usd_total;
  core::Json parts = core::Json::array();
  for (const auto& p : r.step.breakdown) parts.push_back({{"part", p.part}, {"seconds", p.seconds}});
  j["breakdown"] = parts;
  j["per_micro_batch"] = {{"forward_s", r.step.f_s}, {"backward_s", r.step.b_s}, {"weight_grad_s", r.step.w_s},
                          {"ep_forward_s", r.step.ep_f_s}, {"ep_backward_s", r.step.ep_b_s}};
  core::Json stages = core::Json::array();
  for (const auto& s : r.stages) {
    core::Json notes = core::Json::array();
    for (const auto& n : s.notes) notes.push_back(n);
    stages.push_back({{"name", s.name}, {"seq_len", s.seq_len}, {"batch", s.batch_sequences}, {"tokens", s.tokens},
                      {"steps", s.steps}, {"step_time_s", s.step_time_s}, {"mfu", s.step.mfu},
                      {"gpu_hours", s.gpu_hours}, {"days", s.days},
                      {"memory_per_gpu_bytes", s.step.memory.total},
                      {"recompute", s.layout.recompute == Recompute::full        ? "full"
                                    : s.layout.recompute == Recompute::selective ? "selective"
                                                                                 : "none"},
                      {"cp", s.layout.cp}, {"notes", notes}});
  }
  j["stages"] = stages;
  if (with_timeline) {
    core::Json tl = core::Json::array();
    for (const auto& e : r.step.timeline) {
      tl.push_back({{"lane", e.lane}, {"name", e.name}, {"kind", e.kind}, {"start_s", e.start_s}, {"end_s", e.end_s}});
    }
    j["timeline"] = tl;
  }
  return j;
}

core::Json trace_json(const RunResult& r) {
  core::Json events = core::Json::array();
  std::vector<std::string> lanes;
  for (const auto& e : r.step.timeline) {
    if (std::find(lanes.begin(), lanes.end(), e.lane) == lanes.end()) lanes.push_back(e.lane);
  }
  for (size_t i = 0; i < lanes.size(); ++i) {
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 0}, {"tid", i}, {"args", {{"name", lanes[i]}}}});
  }
  for (const auto& e : r.step.timeline) {
    const auto tid = std::find(lanes.begin(), lanes.end(), e.lane) - lanes.begin();
    events.push_back({{"ph", "X"}, {"cat", e.kind}, {"name", e.name}, {"pid", 0}, {"tid", tid},
                      {"ts", e.start_s * 1e6}, {"dur", (e.end_s - e.start_s) * 1e6}});
  }
  return core::Json{{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

}  // namespace fleetsim::train
