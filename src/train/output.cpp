// Output (docs/results.md): the "training" section of the result document (result::Training) and the Chrome/Perfetto
// trace of the main stage's step timeline.
#include <algorithm>

#include "result/fields.h"
#include "train/train.h"

namespace fleetsim::train {

namespace {

std::vector<result::MemoryPart> memory_parts(const MemoryBreakdown& m) {
  return {{"weights", m.weights},         {"gradients", m.gradients},     {"master_weights", m.master},
          {"optimizer_moments", m.moments}, {"activations", m.activations}, {"reserve", m.reserve}};
}

result::Stage stage_row(const StageResult& s) {
  result::Stage row;
  row.name = s.name;
  row.seq_len = s.seq_len;
  row.batch = s.batch_sequences;
  row.tokens = s.tokens;
  row.steps = s.steps;
  row.step_time_s = s.step_time_s;
  row.mfu = s.step.mfu;
  row.gpu_hours = s.gpu_hours;
  row.days = s.days;
  row.memory_per_gpu_bytes = s.step.memory.total;
  row.recompute = std::string(scenario::kRecomputes.name_of(s.layout.recompute));
  row.cp = s.layout.cp;
  row.notes = s.notes;
  return row;
}

}  // namespace

result::Training training_section(const RunResult& r, bool with_timeline) {
  result::Training j;
  j.model = r.model;
  j.gpu = r.gpu;
  j.gpus = r.gpus;
  j.nodes = r.nodes;
  j.engine = std::string(engine_name(r.engine));
  const auto& l = r.layout;
  j.parallelism = {l.dp, l.tp, l.pp, l.cp, l.ep, l.zero, std::string(scenario::schedule_name(l.schedule)),
                   r.step.micro_batches, l.split};
  j.step_time_s = r.step.step_time_s;
  j.tokens_per_step = r.step.tokens;
  j.tokens_per_s_per_gpu = r.step.tokens_per_s_per_gpu;
  j.mfu = r.step.mfu;
  j.model_flops_per_step = r.step.model_flops;
  j.gpu_hours_per_trillion_tokens = r.gpu_hours_per_trillion_tokens;
  j.gpu_hours_total = r.gpu_hours_total;
  j.wall_clock_days = r.wall_clock_days;
  j.memory_per_gpu_bytes = r.step.memory.total;
  j.memory_capacity_bytes = r.step.memory.capacity;
  j.memory_breakdown = memory_parts(r.step.memory);
  j.rental_usd_per_gpu_hour = r.rental_usd_per_gpu_hour;
  j.rental_usd_total = r.rental_usd_total;
  for (const auto& p : r.step.breakdown) j.breakdown.push_back({p.part, p.seconds});
  j.per_micro_batch = {r.step.f_s, r.step.b_s, r.step.w_s, r.step.ep_f_s, r.step.ep_b_s};
  for (const auto& s : r.stages) j.stages.push_back(stage_row(s));
  if (with_timeline) {
    j.timeline.emplace();
    for (const auto& e : r.step.timeline) j.timeline->push_back({e.lane, e.name, e.kind, e.start_s, e.end_s});
  }
  return j;
}

core::Json training_json(const RunResult& r, bool with_timeline) { return result::to_json(training_section(r, with_timeline)); }

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
