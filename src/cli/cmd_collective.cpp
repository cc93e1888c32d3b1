// fleetsim collective: one collective on a cluster, in the event or the analytic fidelity.
//   fleetsim collective --gpu h800 --nodes 8 --fabric multiplane-fat-tree --op all_to_all --bytes 256MiB
// Prints the time, nccl-tests algbw and busbw (or DeepEP's bottleneck bandwidth for MoE ops) and
// the setup; --json for the same as JSON; --trace writes the flows as a Chrome/Perfetto trace.
// The work is net::run_collective (net/request.h); this file parses flags and renders.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/table.h"
#include "core/text.h"
#include "core/units.h"
#include "net/request.h"

namespace fleetsim::cli {

namespace {

using core::Dim;
using core::format_quantity;

struct CollectiveArgs {
  std::string gpu, node, fabric = "rail-fat-tree", fabric_switch = "qm9700", op = "all_reduce";
  std::string algorithm = "ring", engine = "event", routing = "sampled", dispatch_dtype = "fp8", bytes;
  int nodes = 0, gpus = 0, ranks = 0, planes = 0;
  double oversubscription = 1.0;
  int64_t tokens = 4096;
  int hidden = 7168, topk = 8, max_nodes = 4, experts = 0;
  bool no_forwarding = false, low_latency = false;
  uint64_t seed = 1;
  std::string trace;
  TableOutput output;
};

std::optional<double> parse_bytes(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    return core::parse_quantity(text, Dim::bytes);
  } catch (const core::UnitError& e) {
    throw core::InputError(fmt::format("--bytes: {}", e.what()));
  }
}

net::MoeSpec moe_spec(const CollectiveArgs& a) {
  net::MoeSpec moe;
  moe.tokens_per_gpu = a.tokens;
  moe.hidden = a.hidden;
  moe.topk = a.topk;
  moe.max_nodes = a.max_nodes;
  moe.experts = a.experts;
  moe.dispatch_format = net::kTokenFormats.parse("--dispatch-dtype", a.dispatch_dtype);
  moe.nvlink_forwarding = !a.no_forwarding && !a.low_latency;
  moe.low_latency = a.low_latency;
  moe.routing = net::kMoeRoutings.parse("--routing", a.routing);
  moe.seed = a.seed;
  return moe;
}

// The flags as a request: names parsed against their tables, sizes against their units.
net::CollectiveRequest request(const CollectiveArgs& a) {
  net::CollectiveRequest r;
  r.op = net::kCollectiveOps.parse("--op", a.op);
  r.fabric = topo::kFabricKinds.parse("--fabric", a.fabric);
  r.algorithm = net::kAlgorithms.parse("--algorithm", a.algorithm);
  r.engine = net::kCollectiveEngines.parse("--engine", a.engine);
  if (r.engine != net::CollectiveEngine::event && !a.trace.empty()) {
    throw core::InputError("--trace needs --engine event");
  }
  r.gpu = a.gpu;
  r.node = a.node;
  r.nodes = a.nodes;
  r.gpus = a.gpus;
  r.ranks = a.ranks;
  r.fabric_switch = a.fabric_switch;
  r.oversubscription = a.oversubscription;
  r.planes = a.planes;
  r.bytes = parse_bytes(a.bytes);
  r.moe = moe_spec(a);
  r.record_transfers = !a.trace.empty();
  return r;
}

core::Json moe_json(const net::CollectiveResult& r) {
  const auto& m = r.spec.moe;
  return {{"tokens_per_gpu", m.tokens_per_gpu},
          {"hidden", m.hidden},
          {"topk", m.topk},
          {"max_nodes", m.max_nodes},
          {"experts", net::moe_experts(m, r.spec.group)},
          {"dispatch_dtype", std::string(net::kTokenFormats.name_of(m.dispatch_format))},
          {"nvlink_forwarding", m.nvlink_forwarding},
          {"low_latency", m.low_latency},
          {"routing", std::string(net::kMoeRoutings.name_of(m.routing))},
          {"seed", m.seed}};
}

core::Json engine_json(const net::CollectiveResult& r) {
  if (r.event) return {{"solves", r.event->solves}, {"events", r.event->events}};
  const auto& e = *r.analytic;
  return {{"bottleneck", e.bottleneck},     {"latency_s", e.latency_s}, {"gpu_port_s", e.gpu_port_s},
          {"gpu_to_nic_s", e.gpu_to_nic_s}, {"nic_s", e.nic_s},         {"leaf_uplinks_s", e.leaf_uplinks_s}};
}

// The result as the command's JSON (keys in the order they are printed).
core::Json result_json(const net::CollectiveRequest& q, const net::CollectiveResult& r) {
  const bool moe = q.op == net::CollectiveOp::moe_dispatch || q.op == net::CollectiveOp::moe_combine;
  core::Json j;
  j["op"] = std::string(net::collective_op_name(q.op));
  j["engine"] = std::string(net::kCollectiveEngines.name_of(q.engine));
  j["gpu"] = r.gpu;
  j["node"] = r.node;
  j["nodes"] = r.nodes;
  j["gpus"] = r.gpus;
  j["ranks"] = r.spec.group.size();
  j["fabric"] = std::string(topo::fabric_kind_name(q.fabric));
  j["switch"] = q.fabric_switch;
  j["oversubscription"] = q.oversubscription;
  j["planes"] = r.planes;
  if (q.op == net::CollectiveOp::all_reduce) j["algorithm"] = std::string(net::algorithm_name(q.algorithm));
  if (!moe) j["bytes"] = r.spec.bytes;
  j[r.event ? "event" : "analytic"] = engine_json(r);
  j["time_s"] = r.time_s;
  j["algbw_bytes_per_s"] = r.algbw_bytes_per_s;
  j["busbw_bytes_per_s"] = r.busbw_bytes_per_s;
  j["algbw_counts"] = r.plan.bandwidth_note;
  j["flows"] = r.plan.flows.size();
  j["channels"] = r.plan.channels;
  j["steps"] = r.plan.steps;
  if (moe) j["moe"] = moe_json(r);
  j["calibration"] = {{"gpu", r.calibration_gpu},
                      {"kind", std::string(calib::provenance_name(r.calibration.kind))},
                      {"source", r.calibration.source}};
  return j;
}

// The transfers as a Chrome/Perfetto trace: one process per node, one thread per GPU, one
// slice per transfer from its first byte to its last.
std::string trace_json(const net::CollectiveResult& r, const std::string& op) {
  core::Json events = core::Json::array();
  for (int n = 0; n < r.nodes; ++n) {
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", n}, {"args", {{"name", fmt::format("node {}", n)}}}});
  }
  for (const auto& t : r.transfers) {
    events.push_back({{"ph", "X"}, {"cat", op}, {"pid", t.src.node}, {"tid", t.src.local},
                      {"name", fmt::format("to {}.{}", t.dst.node, t.dst.local)},
                      {"ts", t.first_byte / 1e3}, {"dur", (t.end - t.first_byte) / 1e3},
                      {"args", {{"bytes", t.bytes}, {"latency_us", (t.first_byte - t.start) / 1e3},
                                {"hops", t.route.hops}}}});
  }
  return core::Json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump() + "\n";
}

std::string render(const core::Json& j) {
  Table t;
  const bool moe = j.contains("moe");
  t.section(fmt::format("{} on {} x {} ({} GPUs), {}, {} engine", j["op"].get<std::string>(), j["nodes"].get<int>(),
                        j["node"].get<std::string>(), j["gpus"].get<int>(), j["fabric"].get<std::string>(),
                        j["engine"].get<std::string>()));
  t.row({"group", fmt::format("{} GPUs", j["ranks"].get<int>())});
  if (!moe) t.row({"size per GPU", core::format_bytes_binary(j["bytes"].get<double>())});
  t.row({"time", format_quantity(j["time_s"].get<double>(), Dim::seconds)});
  t.row({moe ? "bottleneck bandwidth (DeepEP)" : "algbw", format_quantity(j["algbw_bytes_per_s"].get<double>(), Dim::bytes_per_s)});
  if (!moe) t.row({"busbw", format_quantity(j["busbw_bytes_per_s"].get<double>(), Dim::bytes_per_s)});
  t.row({"  counting", j["algbw_counts"].get<std::string>()});
  t.row({"flows", fmt::format("{} ({} channel(s), {} step(s))", j["flows"].get<size_t>(), j["channels"].get<int>(),
                              j["steps"].get<int>())});
  if (j.contains("analytic")) t.row({"bottleneck", j["analytic"]["bottleneck"].get<std::string>()});
  t.row({"calibration", fmt::format("{} ({})", j["calibration"]["gpu"].get<std::string>(),
                                    j["calibration"]["kind"].get<std::string>())});
  return t.render();
}

}  // namespace

void add_collective_command(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<CollectiveArgs>();
  auto* cmd = app.add_subcommand("collective", "Time one collective on a cluster (event or analytic fidelity)");
  cmd->add_option("--gpu", a->gpu, "GPU id (picks the catalog's node of that GPU)");
  cmd->add_option("--node", a->node, "Node id (default: the catalog node of --gpu)");
  cmd->add_option("--nodes", a->nodes, "Number of nodes");
  cmd->add_option("--gpus", a->gpus, "Number of GPUs (a multiple of the node size), instead of --nodes");
  cmd->add_option("--ranks,--ep", a->ranks, "GPUs in the group, node by node (default: all)");
  cmd->add_option("--fabric", a->fabric, topo::kFabricKinds.choices());
  cmd->add_option("--switch", a->fabric_switch, "Fabric switch id");
  cmd->add_option("--oversubscription", a->oversubscription, "Leaf down:up ratio (1: non-blocking)");
  cmd->add_option("--planes", a->planes, "Planes of a multi-plane fabric (0: one per NIC of a node)");
  cmd->add_option("--op", a->op, net::kCollectiveOps.choices());
  cmd->add_option("--bytes", a->bytes, "Buffer per GPU, nccl-tests convention (e.g. 256MiB)");
  cmd->add_option("--algorithm", a->algorithm, "all_reduce: " + net::kAlgorithms.choices());
  cmd->add_option("--engine", a->engine, "event (flows in simulated time) or analytic (closed form)");
  cmd->add_option("--tokens", a->tokens, "MoE: tokens per GPU")->check(CLI::NonNegativeNumber);
  cmd->add_option("--hidden", a->hidden, "MoE: hidden size")->check(CLI::PositiveNumber);
  cmd->add_option("--topk", a->topk, "MoE: routed experts per token")->check(CLI::PositiveNumber);
  cmd->add_option("--max-nodes", a->max_nodes, "MoE: nodes a token may reach (0: no limit)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--experts", a->experts, "MoE: routed experts (0: 256 rounded down to a multiple of the group)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--dispatch-dtype", a->dispatch_dtype, "MoE: fp8 (with its scales) or bf16");
  cmd->add_flag("--no-forwarding", a->no_forwarding, "MoE: send each token to each target GPU directly (no NVLink forwarding)");
  cmd->add_flag("--low-latency", a->low_latency,
                "MoE: DeepEP's low-latency (decode) kernels: one message per (token, expert), no forwarding");
  cmd->add_option("--routing", a->routing, "MoE: sampled (seeded) or expected token counts");
  cmd->add_option("--seed", a->seed, "MoE: routing seed");
  a->output.add_to(cmd, "the result");
  cmd->add_option("--trace", a->trace, "Write the flows as a Chrome/Perfetto trace (event engine)");
  cmd->callback([a, &ctx] {
    const net::CollectiveRequest q = request(*a);
    const net::CollectiveResult r = net::run_collective(q, ctx.catalogs().hardware, ctx.calibration());
    const core::Json j = result_json(q, r);
    if (!a->trace.empty()) emit_output(trace_json(r, j["op"].get<std::string>()), a->trace);
    a->output.emit([&] { return j.dump(2) + "\n"; }, [&] { return render(j); });
  });
}

}  // namespace fleetsim::cli
