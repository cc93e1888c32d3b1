// fleetsim run [scenario]: the main job. Runs the scenario's parts (training, serving, fleet TCO),
// writes the result document and the self-contained HTML report, and prints a short summary.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "core/atomic_file.h"
#include "plan/run.h"
#include "report/report.h"
#include "report/terminal.h"
#include "scenario/scenario.h"

namespace fleetsim::cli {

void add_run_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string scenario = "deepseek";
    std::string output = "report.html";
    std::string json;
    std::vector<std::string> sets;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("run", "The main job: run a scenario and write its HTML report (default: deepseek)");
  cmd->add_option("scenario", args->scenario, "Scenario file, or the name of a shipped scenario");
  cmd->add_option("-o,--output", args->output, "HTML report to write");
  add_json_option(cmd, args->json, "Also write the result document as JSON to PATH (no PATH or '-': stdout)");
  add_set_option(cmd, args->sets);
  add_quiet_flag(cmd, args->quiet);
  cmd->callback([args, &ctx] {
    const auto s = ctx.load_scenario(args->scenario, args->sets);
    ProgressBar progress(args->quiet);
    const result::Document doc = plan::run_document(s, ctx.calibration(), {&progress});
    if (!args->json.empty()) emit_output(result::to_json(doc).dump(1) + "\n", args->json);
    core::write_file_atomically(args->output, report::render_report(doc));
    if (args->quiet || args->json == "-") return;
    emit_output(report::run_summary(doc, args->output), "");
  });
}

}  // namespace fleetsim::cli
