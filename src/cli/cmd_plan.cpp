// fleetsim plan <plan.yaml>: the cheapest fleets that meet a plan's targets (train a run within a
// deadline, serve a day's traffic within its SLO), screened on the analytic engine, the best
// confirmed on the event engine; writes the plan report and its result document.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "core/atomic_file.h"
#include "plan/capacity.h"
#include "plan/engines.h"
#include "plan/run.h"
#include "report/report.h"
#include "report/terminal.h"

namespace fleetsim::cli {

void add_plan_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string plan;
    std::string output = "plan.html";
    std::string json;
    std::vector<std::string> sets;
    unsigned threads = 0;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("plan", "Capacity search: the cheapest fleets meeting a plan's targets, and the "
                                         "cost-versus-time Pareto front");
  cmd->add_option("plan", args->plan, "Plan file, or the name of a shipped plan (plans/<name>.yaml)")->required();
  cmd->add_option("-o,--output", args->output, "HTML report to write");
  add_json_option(cmd, args->json, "Also write the result document as JSON to PATH (no PATH or '-': stdout)");
  add_set_option(cmd, args->sets, " of the plan");
  cmd->add_option("-j,--threads", args->threads, "Threads (0: all cores); the result is the same for any number");
  add_quiet_flag(cmd, args->quiet);
  cmd->callback([args, &ctx] {
    const plan::PlanSpec spec = plan::load_plan(ctx.plan_path(args->plan), args->sets);
    const plan::PlanTargets targets = plan::load_targets(spec, ctx.catalogs());
    const plan::ModelEngines engines(ctx.calibration());
    ProgressBar progress(args->quiet);
    plan::SearchOptions options;
    options.threads = args->threads;
    options.progress = &progress;
    options.reference = targets.reference;
    const plan::PlanResult result = plan::search(spec, targets.variants, engines, options);

    // The header of the base scenario (its hash and seed), named after the plan.
    result::Document doc = plan::document_header(targets.variants.begin()->second);
    doc.scenario = {spec.name, spec.question, spec.file};
    doc.plan = plan::plan_section(spec, result);
    if (!args->json.empty()) emit_output(result::to_json(doc).dump(1) + "\n", args->json);
    core::write_file_atomically(args->output, report::render_report(doc));
    if (args->quiet || args->json == "-") return;
    emit_output(report::plan_summary(*doc.plan, args->output), "");
  });
}

}  // namespace fleetsim::cli
