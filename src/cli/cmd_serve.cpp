// fleetsim serve <scenario>: the serving fleet of a day (docs/serving.md): per-node prefill and
// decode throughput, the nodes each hour needs, TTFT and TPOT percentiles from the event
// simulation, GPU-hours, cost, cost per million output tokens, revenue and margin.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "plan/run.h"
#include "report/terminal.h"
#include "scenario/scenario.h"
#include "serve/result.h"

namespace fleetsim::cli {

void add_serve_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string scenario;
    std::vector<std::string> sets;
    bool no_sim = false;
    int64_t requests = 2'000'000;
    std::string trace;
    std::string export_requests;
    TableOutput output;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("serve", "Serving fleet of a day: throughput per node, nodes, latency, cost, margin");
  cmd->add_option("scenario", a->scenario, "Scenario file with a serving section, or a shipped scenario's name")
      ->required();
  add_set_option(cmd, a->sets);
  cmd->add_flag("--no-sim", a->no_sim, "Closed form only: no event simulation (latencies unloaded)");
  cmd->add_option("--requests", a->requests,
                  "Simulated requests at most; above it requests are simulated in batches")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--trace", a->trace, "Write the simulated passes and steps as a Chrome/Perfetto trace");
  cmd->add_option("--export-requests", a->export_requests,
                  "Write the simulated day's requests as a CSV trace (arrival_s, input_tokens, output_tokens, "
                  "cached_tokens) that serving.traffic.trace replays");
  a->output.add_to(cmd, "the result document (serving section)");
  cmd->callback([a, &ctx] {
    if (!a->export_requests.empty() && a->no_sim) {
      throw core::InputError("--export-requests writes the simulated day's requests: drop --no-sim");
    }
    const auto s = ctx.load_scenario(a->scenario, a->sets);
    serve::ServeOptions o;
    o.simulate = !a->no_sim;
    o.sim.max_simulated_requests = a->requests;
    o.sim.record_trace = !a->trace.empty();
    o.sim.export_requests = !a->export_requests.empty();
    const auto r = serve::serve(s, ctx.calibration(), o);
    result::Document doc = plan::document_header(s);
    doc.serving = serve::serving_section(r);
    if (!a->trace.empty()) emit_output(serve::trace_json(r), a->trace);
    if (!a->export_requests.empty()) {
      emit_output(serve::trace_csv(r.sim->requests), a->export_requests);
    }
    a->output.emit(
        [&] { return result::to_json(doc).dump(2) + "\n"; },
        [&] { return report::serving_table(s.name, *doc.serving); });
  });
}

}  // namespace fleetsim::cli
