// fleetsim plan <plan.yaml>: the cheapest fleets that meet a plan's targets (train a run within a
// deadline, serve a day's traffic within its SLO), screened on the analytic engine, the best
// confirmed on the event engine; writes the plan report and its result document.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "core/atomic_file.h"
#include "core/units.h"
#include "plan/capacity.h"
#include "plan/engines.h"
#include "plan/run.h"
#include "report/report.h"

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

    std::string out = spec.name + "\n";
    if (spec.training) {
      out += fmt::format("  {} training layouts screened on the analytic engine, {} feasible, {} run whole\n",
                         result.screened, result.feasible, result.refined);
    }
    for (const auto& [node, so] : result.serving) {
      out += so.verdict == plan::Verdict::feasible
                 ? fmt::format("  serving on {}: {:.0f} nodes at peak, {:.1f} on average\n", node, so.peak_nodes,
                               so.average_nodes)
                 : fmt::format("  serving on {}: not possible ({}): {}\n", node, plan::verdict_name(so.verdict),
                               so.reason);
    }
    for (const auto& x : result.rejections) {
      out += fmt::format("  rejected for {:<12} {:>8}   e.g. {}\n", plan::verdict_name(x.verdict), x.count, x.example);
    }
    auto fleet_line = [&](const char* what, const std::optional<size_t>& i) {
      if (!i) {
        out += fmt::format("{}: none meets every target\n", what);
        return;
      }
      const auto& b = result.fleets[*i];
      out += fmt::format("{}: {} ({})\n", what, core::format_quantity(b.cost_usd, core::Dim::usd), b.label);
      if (b.training) out += fmt::format("  training: {:.1f} days on {}\n", b.time_days, b.training->label());
    };
    fleet_line("cheapest fleet (analytic)", result.best);
    if (spec.training) fleet_line("cheapest fleet confirmed on the event engine", result.best_confirmed);
    for (const auto& c : result.confirmations) {
      out += fmt::format("  event engine: {} step {:+.1f}% ({:.1f} -> {:.1f} days, {})\n", c.label,
                         (c.event_step_s / c.analytic_step_s - 1) * 100, c.analytic_days, c.event_days,
                         c.event_meets_deadline ? "meets the deadline" : "misses the deadline");
    }
    if (result.reference) out += fmt::format("reference layout ({}): {}\n", result.reference->reference.label(),
                                             result.reference->explanation);
    emit_output(out + fmt::format("report: {}\n", args->output), "");
  });
}

}  // namespace fleetsim::cli
