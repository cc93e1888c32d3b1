// fleetsim train <scenario>: one training run of a scenario (docs/training.md): step time and its
// breakdown, MFU, memory per GPU, each stage's GPU-hours and days, the whole run's cost at the
// rental price. --json for the result document (its "training" section); --trace writes a
// Chrome/Perfetto trace of one step.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/table.h"
#include "core/units.h"
#include "plan/run.h"
#include "scenario/scenario.h"
#include "train/train.h"

namespace fleetsim::cli {

namespace {

using core::Dim;
using core::format_quantity;

struct TrainArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string engine = "analytic";
  std::string trace;
  TableOutput output;
};

std::string render(const core::Json& j) {
  Table t;
  t.section(fmt::format("Training {} on {} x {} ({} engine)", j["model"].get<std::string>(), j["gpus"].get<int>(),
                        j["gpu"].get<std::string>(), j["engine"].get<std::string>()));
  const auto& p = j["parallelism"];
  t.row({"layout", fmt::format("dp {} x tp {} x pp {} x cp {}, ep {}, ZeRO-{}, {}", p["dp"].get<int>(),
                               p["tp"].get<int>(), p["pp"].get<int>(), p["cp"].get<int>(), p["ep"].get<int>(),
                               p["zero"].get<int>(), p["schedule"].get<std::string>())});
  t.row({"layer split", p["layer_split"].get<std::string>()});
  t.row({"micro-batches per replica", fmt::format("{}", p["micro_batches"].get<int>())});
  t.row({"step time", format_quantity(j["step_time_s"].get<double>(), Dim::seconds)});
  t.row({"MFU (BF16 dense peak)", fmt::format("{:.1f}%", 100 * j["mfu"].get<double>())});
  t.row({"tokens/s per GPU", fmt::format("{:.0f}", j["tokens_per_s_per_gpu"].get<double>())});
  t.row({"GPU-hours per trillion tokens", format_quantity(j["gpu_hours_per_trillion_tokens"].get<double>(), Dim::count, 4)});
  t.row({"memory per GPU", fmt::format("{} of {}", core::format_bytes_binary(j["memory_per_gpu_bytes"].get<double>()),
                                       core::format_bytes_binary(j["memory_capacity_bytes"].get<double>()))});
  t.section("Step time breakdown");
  for (const auto& b : j["breakdown"]) {
    t.row({b["part"].get<std::string>(), format_quantity(b["seconds"].get<double>(), Dim::seconds)});
  }
  t.section("Memory per GPU");
  for (const auto& b : j["memory_breakdown"]) {
    t.row({b["part"].get<std::string>(), core::format_bytes_binary(b["bytes"].get<double>())});
  }
  t.section("Stages");
  t.row({"stage", "seq", "tokens", "steps", "step time", "MFU", "GPU-hours", "days"});
  for (const auto& s : j["stages"]) {
    t.row({s["name"].get<std::string>(), fmt::format("{}", s["seq_len"].get<int64_t>()),
           format_quantity(s["tokens"].get<double>(), Dim::count, 4), fmt::format("{:.0f}", s["steps"].get<double>()),
           format_quantity(s["step_time_s"].get<double>(), Dim::seconds), fmt::format("{:.1f}%", 100 * s["mfu"].get<double>()),
           format_quantity(s["gpu_hours"].get<double>(), Dim::count, 4), fmt::format("{:.1f}", s["days"].get<double>())});
    for (const auto& n : s["notes"]) t.row({"  note", n.get<std::string>()});
  }
  t.section("Whole run");
  t.row({"GPU-hours", format_quantity(j["gpu_hours_total"].get<double>(), Dim::count, 4)});
  t.row({"wall clock", fmt::format("{:.1f} days", j["wall_clock_days"].get<double>())});
  t.row({"rental", fmt::format("{} at ${:.2f}/GPU-hour", format_quantity(j["rental_usd_total"].get<double>(), Dim::usd, 4),
                               j["rental_usd_per_gpu_hour"].get<double>())});
  return t.render();
}

}  // namespace

void add_train_command(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Simulate a scenario's training run: step time, MFU, memory, GPU-hours");
  cmd->add_option("scenario", a->scenario, "Scenario file with a training section, or a shipped scenario's name")
      ->required();
  add_set_option(cmd, a->sets);
  cmd->add_option("--engine", a->engine, "analytic (closed form) or event (discrete-event step)");
  a->output.add_to(cmd, "the training section of the result document");
  cmd->add_option("--trace", a->trace, "Write one step as a Chrome/Perfetto trace");
  cmd->callback([a, &ctx] {
    train::EngineKind engine;
    if (a->engine == "analytic") engine = train::EngineKind::analytic;
    else if (a->engine == "event") engine = train::EngineKind::event;
    else throw core::InputError(fmt::format("--engine '{}' is not one of 'analytic', 'event'", a->engine));
    const auto s = ctx.load_scenario(a->scenario, a->sets);
    if (!s.training) throw core::InputError(fmt::format("{}: the scenario has no training section", s.file));
    const train::Trainer trainer(s, *s.training, ctx.calibration());
    const train::RunResult r = trainer.run(engine, true);
    if (!a->trace.empty()) emit_output(train::trace_json(r).dump() + "\n", a->trace);
    // The result document with its training section, the shape serve and tco write; train/ writes
    // the section as JSON and the strict read types it.
    result::Document doc = plan::document_header(s);
    doc.training = result::from_json<result::Training>(train::training_json(r, !a->output.json.empty()), "training");
    const core::Json j = result::to_json(*doc.training);
    a->output.emit([&] { return result::to_json(doc).dump(2) + "\n"; }, [&] { return render(j); });
  });
}

}  // namespace fleetsim::cli
