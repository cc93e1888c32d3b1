// fleetsim serve <scenario>: the serving fleet of a day (docs/serving.md): per-node prefill and
// decode throughput, the nodes each hour needs, TTFT and TPOT percentiles from the event
// simulation, GPU-hours, cost, cost per million output tokens, revenue and margin.
#include <fmt/format.h>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/table.h"
#include "core/error.h"
#include "core/units.h"
#include "plan/run.h"
#include "scenario/scenario.h"
#include "serve/result.h"

namespace fleetsim::cli {

namespace {

using core::Dim;

std::string num(double v) { return core::format_quantity(v, Dim::count, 4); }
std::string secs(double v) { return core::format_quantity(v, Dim::seconds, 3); }
std::string usd(double v) { return core::format_quantity(v, Dim::usd, 4); }

std::string render(const scenario::Scenario& s, const core::Json& j) {
  Table t;
  t.section(fmt::format("{}: serving on {} ({})", s.name, j["gpu"].get<std::string>(),
                        j["disaggregated"].get<bool>() ? "prefill/decode disaggregated" : "colocated"));
  t.row({"prefill input tokens/s per node (day average)", num(j["prefill_tokens_per_s_per_node"].get<double>())});
  t.row({"decode output tokens/s per node (day average)", num(j["decode_tokens_per_s_per_node"].get<double>())});
  for (const auto& [name, u] : j["units"].items()) {
    t.row({fmt::format("  {} unit: {} nodes, at capacity", name, u["nodes_per_unit"].get<int>()),
           fmt::format("{} tokens/s per node", num(u["tokens_per_s_per_node_at_capacity"].get<double>()))});
    if (u.contains("requests_per_gpu")) {
      t.row({"    requests per GPU (limit), user speed",
             fmt::format("{:.1f} ({}), {:.1f} tokens/s", u["requests_per_gpu"].get<double>(),
                         u["batch_limit"].get<std::string>(), u["tokens_per_s_per_user"].get<double>())});
      t.row({"    step: compute, all-to-all", fmt::format("{}: {}, {}", secs(u["step"]["seconds"].get<double>()),
                                                          secs(u["step"]["compute_s"].get<double>()),
                                                          secs(u["step"]["all_to_all_s"].get<double>()))});
    } else {
      t.row({"    pass: tokens per GPU, time", fmt::format("{}, {}", num(u["tokens_per_pass_per_gpu"].get<double>()),
                                                            secs(u["pass"]["seconds"].get<double>()))});
    }
    t.row({"    KV cache per GPU", fmt::format("{} tokens ({} of weights)", num(u["memory_per_gpu"]["kv_tokens"].get<double>()),
                                               core::format_bytes_binary(u["memory_per_gpu"]["weight_bytes"].get<double>()))});
  }
  t.row({fmt::format("TTFT p50 / p90 / p99 ({})", j["latency_from"].get<std::string>()),
         fmt::format("{} / {} / {}", secs(j["ttft_s"]["p50"].get<double>()), secs(j["ttft_s"]["p90"].get<double>()),
                     secs(j["ttft_s"]["p99"].get<double>()))});
  t.row({"TPOT p50 / p90 / p99", fmt::format("{} / {} / {}", secs(j["tpot_s"]["p50"].get<double>()),
                                             secs(j["tpot_s"]["p90"].get<double>()),
                                             secs(j["tpot_s"]["p99"].get<double>()))});
  const auto& n = j["nodes"];
  t.row({"nodes: prefill, decode, average, peak",
         fmt::format("{:.2f}, {:.2f}, {:.2f}, {:.0f}", n["prefill"].get<double>(), n["decode"].get<double>(),
                     n["average"].get<double>(), n["peak"].get<double>())});
  t.row({"GPU-hours per day", num(j["gpu_hours_per_day"].get<double>())});
  t.row({"cost per day (rental)", usd(j["cost_usd_per_day"].get<double>())});
  t.row({"$ per million output tokens", fmt::format("${:.3f}", j["usd_per_million_output_tokens"].get<double>())});
  if (j.contains("revenue_usd_per_day")) {
    t.row({"revenue per day (list prices)", usd(j["revenue_usd_per_day"].get<double>())});
    t.row({"cost-profit margin", fmt::format("{:.0f}%", 100 * j["cost_profit_margin"].get<double>())});
  }
  if (j.contains("simulation")) {
    const auto& sim = j["simulation"];
    t.row({"simulated requests (real requests each)",
           fmt::format("{} ({:g})", num(sim["simulated_requests"].get<double>()),
                       sim["requests_per_simulated_request"].get<double>())});
    t.row({"events; preemptions", fmt::format("{}; {}", num(sim["events"].get<double>()),
                                              num(sim["preemptions"].get<double>()))});
  }
  return t.render();
}

}  // namespace

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
    const core::Json j = result::to_json(*doc.serving);
    if (!a->trace.empty()) emit_output(serve::trace_json(r), a->trace);
    if (!a->export_requests.empty()) {
      emit_output(serve::trace_csv(r.sim->requests), a->export_requests);
    }
    a->output.emit(
        [&] { return result::to_json(doc).dump(2) + "\n"; },
        [&] { return render(s, j); });
  });
}

}  // namespace fleetsim::cli
