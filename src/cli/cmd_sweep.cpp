// fleetsim sweep <scenario> --grid path=v1,v2 ...: the cartesian product of overrides, run on N
// threads, streamed to a CSV or JSONL file that --resume continues after a kill; --shard K/N runs
// one slice for a batch scheduler (join the slices with `fleetsim merge`).
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "plan/scenario_evaluator.h"
#include "plan/sweep.h"

namespace fleetsim::cli {

void add_sweep_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string scenario;
    std::vector<std::string> grids;
    std::vector<std::string> sets;
    std::string output = "sweep.csv";
    unsigned threads = 0;
    std::string shard = "1/1";
    bool resume = false;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("sweep", "Run a grid of what-ifs (the product of --grid overrides) on N threads");
  cmd->add_option("scenario", args->scenario, "Base scenario file, or the name of a shipped scenario")->required();
  cmd->add_option("--grid", args->grids, "An axis: path.to.field=v1,v2,... (repeatable; the last varies fastest)")
      ->required();
  add_set_option(cmd, args->sets, " of every point");
  cmd->add_option("-o,--output", args->output, "Results, streamed as points finish: .csv or .jsonl");
  cmd->add_option("-j,--threads", args->threads, "Threads (0: all cores); the output is the same for any number");
  cmd->add_option("--shard", args->shard, "Run slice K of N (K/N); shards write .jsonl, `fleetsim merge` joins them");
  cmd->add_flag("--resume", args->resume, "Continue an interrupted sweep in the same output file");
  add_quiet_flag(cmd, args->quiet);
  cmd->callback([args, &ctx] {
    std::vector<plan::Axis> axes;
    for (const auto& g : args->grids) axes.push_back(plan::parse_axis(g));
    const plan::Grid grid(std::move(axes));
    const plan::ScenarioEvaluator evaluator(ctx.scenario_path(args->scenario), ctx.catalogs(), ctx.calibration(), args->sets);
    ProgressBar progress(args->quiet);
    plan::SweepOptions options;
    options.output = args->output;
    options.threads = args->threads;
    options.shard = plan::parse_shard(args->shard);
    options.resume = args->resume;
    options.progress = &progress;
    const auto s = plan::run_sweep(grid, evaluator, options);
    if (!args->quiet) {
      emit_output(fmt::format("{} points in this shard ({} of {}): {} resumed, {} run, {} infeasible -> {}\n", s.points,
                              options.shard.text(), grid.size(), s.resumed, s.evaluated, s.failed, args->output),
                  "");
    }
  });
}

}  // namespace fleetsim::cli
