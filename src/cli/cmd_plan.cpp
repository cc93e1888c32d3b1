// fleetsim plan <plan.yaml>: the cheapest fleets that meet a plan's targets (train a run within a
// deadline, serve a day's traffic within its SLO), screened on the analytic engine, the best
// confirmed on the event engine; writes the plan report and its result document.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/table.h"
#include "core/atomic_file.h"
#include "core/units.h"
#include "core/version.h"
#include "plan/capacity.h"
#include "plan/engines.h"
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
  cmd->add_option("--json", args->json, "Also write the result document as JSON ('-' for stdout)");
  cmd->add_option("--set", args->sets, "Override a field of the plan: path.to.field=value (repeatable)");
  cmd->add_option("-j,--threads", args->threads, "Threads (0: all cores); the result is the same for any number");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress and no summary");
  cmd->callback([args, &ctx] {
    std::filesystem::path file = args->plan;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && file.extension() != ".yaml" && args->plan.find('/') == std::string::npos) {
      file = ctx.paths().root / "plans" / (args->plan + ".yaml");
    }
    const plan::PlanSpec spec = plan::load_plan(file, args->sets);
    const auto calibration = calib::CalibrationSet::load(ctx.paths().calibration());
    const plan::Variants variants = plan::load_variants(spec, ctx.catalogs());
    const plan::ModelEngines engines(calibration);
    ProgressBar progress(args->quiet);
    plan::SearchOptions options;
    options.threads = args->threads;
    options.progress = &progress;
    options.reference = plan::reference_layout(spec, ctx.catalogs());
    const plan::PlanResult result = plan::search(spec, variants, engines, options);

    core::Json doc = core::Json::object();
    const auto& base = variants.begin()->second;
    doc["fleetsim"] = {{"version", std::string(core::version())}, {"scenario_hash", base.hash}, {"seed", base.seed}};
    doc["scenario"] = {{"name", spec.name}, {"question", spec.question}, {"file", spec.file}};
    doc["plan"] = plan::plan_json(spec, result);
    if (!args->json.empty()) emit_output(doc.dump(1) + "\n", args->json);
    core::write_file_atomically(args->output, report::render_report(doc));
    if (args->quiet || args->json == "-") return;

    Table t;
    t.section(fmt::format("{}: {} layouts screened, {} feasible", spec.name, result.screened, result.feasible));
    for (const auto& x : result.rejections) {
      t.row({fmt::format("rejected: {}", plan::verdict_name(x.verdict)), fmt::format("{}", x.count), x.example});
    }
    if (result.best) {
      const auto& b = result.fleets[*result.best];
      t.row({"cheapest fleet", core::format_quantity(b.cost_usd, core::Dim::usd), b.label});
      if (b.training) {
        t.row({"its training", fmt::format("{:.1f} days", b.time_days), b.training->label()});
      }
    } else {
      t.row({"cheapest fleet", "none", "no fleet meets every target"});
    }
    for (const auto& c : result.confirmations) {
      t.row({"event engine", fmt::format("{:+.1f}%", (c.event_step_s / c.analytic_step_s - 1) * 100), c.label});
    }
    if (result.reference) t.row({"reference layout", "", result.reference->explanation});
    emit_output(t.render() + fmt::format("\nreport: {}\n", args->output), "");
  });
}

}  // namespace fleetsim::cli
