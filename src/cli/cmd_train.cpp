// fleetsim train <scenario>: one training run of a scenario (docs/training.md): step time and its
// breakdown, MFU, memory per GPU, each stage's GPU-hours and days, the whole run's cost at the
// rental price. --json for the result document (its "training" section); --trace writes a
// Chrome/Perfetto trace of one step.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "plan/run.h"
#include "report/terminal.h"
#include "scenario/scenario.h"
#include "train/train.h"

namespace fleetsim::cli {

namespace {

struct TrainArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string engine = "analytic";
  std::string trace;
  TableOutput output;
};

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
    const train::EngineKind engine = train::kEngineKinds.parse("--engine", a->engine);
    const auto s = ctx.load_scenario(a->scenario, a->sets);
    if (!s.training) throw core::InputError(fmt::format("{}: the scenario has no training section", s.file));
    const train::Trainer trainer(s, *s.training, ctx.calibration());
    const train::RunResult r = trainer.run(engine, true);
    if (!a->trace.empty()) emit_output(train::trace_json(r).dump() + "\n", a->trace);
    // The result document with its training section, the shape serve and tco write; train/ writes
    // the section as JSON and the strict read types it.
    result::Document doc = plan::document_header(s);
    doc.training = train::training_section(r, !a->output.json.empty());
    a->output.emit([&] { return result::to_json(doc).dump(2) + "\n"; },
                   [&] { return report::training_table(*doc.training); });
  });
}

}  // namespace fleetsim::cli
