// fleetsim collective: one collective on a cluster, in the event or the analytic fidelity.
//   fleetsim collective --gpu h800 --nodes 8 --fabric multiplane-fat-tree --op all_to_all --bytes 256MiB
// Prints the time, nccl-tests algbw and busbw (or DeepEP's bottleneck bandwidth for MoE ops) and
// the setup; --json for the same as JSON; --trace writes the flows as a Chrome/Perfetto trace.
#include <fmt/format.h>

#include <array>
#include <string_view>

#include "calib/table.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "core/text.h"
#include "core/units.h"
#include "net/analytic.h"
#include "net/collective.h"

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
  bool no_forwarding = false, low_latency = false, json = false;
  uint64_t seed = 1;
  std::string out, trace;
};

// The value of `flag` among `names` (with a did-you-mean when it is not one).
template <class T, size_t N>
T pick(const std::string& flag, const std::string& value, const std::array<std::pair<const char*, T>, N>& names) {
  std::vector<std::string> known, prefixed;
  for (const auto& [name, v] : names) {
    if (value == name) return v;
    known.emplace_back(name);
    if (!value.empty() && std::string_view(name).starts_with(value)) prefixed.emplace_back(name);
  }
  std::string hint = core::did_you_mean(value, known);
  if (hint.empty() && prefixed.size() == 1) hint = fmt::format(" (did you mean '{}'?)", prefixed.front());
  throw core::InputError(fmt::format("{} '{}' is not one of {}{}", flag, value, core::join_quoted(known), hint));
}

const hw::NodeSpec& resolve_node(const hw::HardwareCatalog& hw, const CollectiveArgs& a) {
  if (!a.node.empty()) {
    const hw::NodeSpec* n = hw.nodes.find(a.node);
    if (!n) {
      const auto ids = hw.nodes.ids();
      throw core::InputError(fmt::format("--node '{}' is not in the catalog{}; known: {}", a.node,
                                         core::did_you_mean(a.node, ids), core::join(ids, ", ")));
    }
    if (!a.gpu.empty() && n->gpu != a.gpu) {
      throw core::InputError(fmt::format("--node '{}' holds GPU '{}', not '{}'", a.node, n->gpu, a.gpu));
    }
    return *n;
  }
  if (a.gpu.empty()) throw core::InputError("give --gpu (or --node)");
  if (!hw.gpus.find(a.gpu)) {
    const auto ids = hw.gpus.ids();
    throw core::InputError(fmt::format("--gpu '{}' is not in the catalog{}; known: {}", a.gpu,
                                       core::did_you_mean(a.gpu, ids), core::join(ids, ", ")));
  }
  std::vector<std::string> matches;
  for (const auto& [id, n] : hw.nodes.entries()) {
    if (n.gpu == a.gpu) matches.push_back(id);
  }
  if (matches.empty()) throw core::InputError(fmt::format("no catalog node holds GPU '{}': give --node", a.gpu));
  if (matches.size() > 1) {
    throw core::InputError(fmt::format("several catalog nodes hold GPU '{}' ({}): choose one with --node", a.gpu,
                                       core::join(matches, ", ")));
  }
  return *hw.nodes.find(matches.front());
}

int node_count(const CollectiveArgs& a, int per_node) {
  if (a.nodes > 0 && a.gpus > 0) throw core::InputError("give --nodes or --gpus, not both");
  if (a.gpus > 0) {
    if (a.gpus % per_node != 0) {
      throw core::InputError(fmt::format("--gpus {} is not a multiple of the node size ({} GPUs)", a.gpus, per_node));
    }
    return a.gpus / per_node;
  }
  if (a.nodes <= 0) throw core::InputError(fmt::format("--nodes must be at least 1 (got {})", a.nodes));
  return a.nodes;
}

// The group: the first --ranks GPUs node by node (whole nodes, or part of one node); for p2p the
// first GPU and its peer on the last node (GPU 1 of the node when there is one node).
net::Group make_group(const CollectiveArgs& a, net::CollectiveOp op, const topo::Topology& t) {
  const int total = t.gpu_count(), per_node = t.gpus_per_node();
  if (op == net::CollectiveOp::p2p) {
    if (a.ranks != 0) throw core::InputError("--ranks does not apply to p2p (GPU 0 of node 0 sends to its peer)");
    if (total < 2) throw core::InputError("p2p needs two GPUs");
    return net::Group({{0, 0}, t.nodes() > 1 ? topo::GpuRef{t.nodes() - 1, 0} : topo::GpuRef{0, 1}});
  }
  const int ranks = a.ranks > 0 ? a.ranks : total;
  if (a.ranks < 0) throw core::InputError("--ranks must be >= 1");
  if (ranks > total) {
    throw core::InputError(fmt::format("a group (EP) of {} GPUs is larger than the cluster's {} GPUs", ranks, total));
  }
  if (ranks > per_node && ranks % per_node != 0) {
    throw core::InputError(
        fmt::format("a group of {} GPUs spans nodes of {} GPUs: it must be whole nodes", ranks, per_node));
  }
  if (ranks <= per_node) {
    std::vector<topo::GpuRef> gpus;
    for (int i = 0; i < ranks; ++i) gpus.push_back({0, i});
    return net::Group(gpus);
  }
  return net::Group::nodes(0, ranks / per_node, per_node);
}

core::Json run(Context& ctx, const CollectiveArgs& a, std::string& trace) {
  using net::CollectiveOp;
  const auto op = pick<CollectiveOp, 7>(
      "--op", a.op,
      {{{"all_reduce", CollectiveOp::all_reduce}, {"all_gather", CollectiveOp::all_gather},
        {"reduce_scatter", CollectiveOp::reduce_scatter}, {"all_to_all", CollectiveOp::all_to_all},
        {"moe_dispatch", CollectiveOp::moe_dispatch}, {"moe_combine", CollectiveOp::moe_combine},
        {"p2p", CollectiveOp::p2p}}});
  const auto kind = pick<topo::FabricKind, 3>("--fabric", a.fabric,
                                              {{{"rail-fat-tree", topo::FabricKind::rail_fat_tree},
                                                {"multiplane-fat-tree", topo::FabricKind::multiplane_fat_tree},
                                                {"fat-tree-3", topo::FabricKind::fat_tree_3}}});
  const auto algorithm =
      pick<net::Algorithm, 2>("--algorithm", a.algorithm, {{{"ring", net::Algorithm::ring}, {"tree", net::Algorithm::tree}}});
  const bool event = pick<bool, 2>("--engine", a.engine, {{{"event", true}, {"analytic", false}}});
  const bool moe = op == CollectiveOp::moe_dispatch || op == CollectiveOp::moe_combine;
  if (!event && !a.trace.empty()) throw core::InputError("--trace needs --engine event");
  if (moe && !a.bytes.empty()) throw core::InputError("--bytes does not apply to MoE ops: size them with --tokens and --hidden");
  if (!moe && a.bytes.empty()) throw core::InputError(fmt::format("--op {} needs --bytes (e.g. 256MiB)", a.op));
  double bytes = 0;
  if (!a.bytes.empty()) {
    try {
      bytes = core::parse_quantity(a.bytes, Dim::bytes);
    } catch (const core::UnitError& e) {
      throw core::InputError(fmt::format("--bytes: {}", e.what()));
    }
  }

  const auto& hw = ctx.catalogs().hardware;
  const auto& node = resolve_node(hw, a);
  const topo::Topology t(topo::topology_spec(hw, node.id, node_count(a, node.gpus), kind, a.fabric_switch,
                                             a.oversubscription, a.planes));
  const auto calibration = calib::CalibrationSet::load(ctx.paths().calibration()).for_gpu(hw.gpu_of(node));
  const net::CommCosts costs(calibration.comm);

  net::CollectiveSpec spec(op, make_group(a, op, t), bytes, algorithm);
  spec.moe.tokens_per_gpu = a.tokens;
  spec.moe.hidden = a.hidden;
  spec.moe.topk = a.topk;
  spec.moe.max_nodes = a.max_nodes;
  spec.moe.experts = a.experts;
  spec.moe.dispatch_format = pick<net::TokenFormat, 2>(
      "--dispatch-dtype", a.dispatch_dtype, {{{"fp8", net::TokenFormat::fp8_scaled}, {"bf16", net::TokenFormat::bf16}}});
  spec.moe.nvlink_forwarding = !a.no_forwarding && !a.low_latency;
  spec.moe.low_latency = a.low_latency;
  spec.moe.routing = pick<net::MoeRouting, 2>(
      "--routing", a.routing, {{{"sampled", net::MoeRouting::sampled}, {"expected", net::MoeRouting::expected}}});
  spec.moe.seed = a.seed;

  const net::CollectivePlan plan = net::plan_collective(spec, t);
  core::Json j;
  j["op"] = std::string(net::collective_op_name(op));
  j["engine"] = a.engine;
  j["gpu"] = node.gpu;
  j["node"] = node.id;
  j["nodes"] = t.nodes();
  j["gpus"] = t.gpu_count();
  j["ranks"] = spec.group.size();
  j["fabric"] = std::string(topo::fabric_kind_name(kind));
  j["switch"] = a.fabric_switch;
  j["oversubscription"] = a.oversubscription;
  j["planes"] = t.planes();
  if (op == CollectiveOp::all_reduce) j["algorithm"] = a.algorithm;
  if (!moe) j["bytes"] = bytes;
  double time_s = 0;
  if (event) {
    struct Recorder : net::FlowObserver {
      std::vector<net::TransferRecord> records;
      void on_transfer_done(const net::TransferRecord& r) override { records.push_back(r); }
    } recorder;
    sim::Engine engine;
    net::FlowNetwork network(engine, t, costs);
    if (!a.trace.empty()) network.set_observer(&recorder);
    sim::Time end = 0;
    net::start_collective(network, plan, [&] { end = engine.now(); });
    engine.run();
    time_s = sim::to_seconds(end);
    j["event"] = {{"solves", network.solves()}, {"events", engine.executed()}};
    if (!a.trace.empty()) {
      core::Json events = core::Json::array();
      for (int n = 0; n < t.nodes(); ++n) {
        events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", n}, {"args", {{"name", fmt::format("node {}", n)}}}});
      }
      for (const auto& r : recorder.records) {
        events.push_back({{"ph", "X"}, {"cat", j["op"]}, {"pid", r.src.node}, {"tid", r.src.local},
                          {"name", fmt::format("to {}.{}", r.dst.node, r.dst.local)},
                          {"ts", r.first_byte / 1e3}, {"dur", (r.end - r.first_byte) / 1e3},
                          {"args", {{"bytes", r.bytes}, {"latency_us", (r.first_byte - r.start) / 1e3},
                                    {"hops", r.route.hops}}}});
      }
      trace = core::Json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump() + "\n";
    }
  } else {
    const auto e = net::AnalyticModel(t, costs).estimate(spec);
    time_s = e.time_s;
    j["analytic"] = {{"bottleneck", e.bottleneck},     {"latency_s", e.latency_s},   {"gpu_port_s", e.gpu_port_s},
                     {"gpu_to_nic_s", e.gpu_to_nic_s}, {"nic_s", e.nic_s},          {"leaf_uplinks_s", e.leaf_uplinks_s}};
  }
  j["time_s"] = time_s;
  j["algbw_bytes_per_s"] = time_s > 0 ? plan.algbw_bytes / time_s : 0.0;
  j["busbw_bytes_per_s"] = time_s > 0 ? plan.algbw_bytes / time_s * plan.busbw_factor : 0.0;
  j["algbw_counts"] = plan.bandwidth_note;
  j["flows"] = plan.flows.size();
  j["channels"] = plan.channels;
  j["steps"] = plan.steps;
  if (moe) {
    j["moe"] = {{"tokens_per_gpu", a.tokens},
                {"hidden", a.hidden},
                {"topk", a.topk},
                {"max_nodes", a.max_nodes},
                {"experts", net::moe_experts(spec.moe, spec.group)},
                {"dispatch_dtype", a.dispatch_dtype},
                {"nvlink_forwarding", spec.moe.nvlink_forwarding},
                {"low_latency", a.low_latency},
                {"routing", a.routing},
                {"seed", a.seed}};
  }
  j["calibration"] = {{"gpu", calibration.gpu},
                      {"kind", std::string(calib::provenance_name(calibration.provenance.kind))},
                      {"source", calibration.provenance.source}};
  return j;
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
  cmd->add_option("--fabric", a->fabric, "rail-fat-tree, multiplane-fat-tree or fat-tree-3");
  cmd->add_option("--switch", a->fabric_switch, "Fabric switch id");
  cmd->add_option("--oversubscription", a->oversubscription, "Leaf down:up ratio (1: non-blocking)");
  cmd->add_option("--planes", a->planes, "Planes of a multi-plane fabric (0: one per NIC of a node)");
  cmd->add_option("--op", a->op, "all_reduce, all_gather, reduce_scatter, all_to_all, moe_dispatch, moe_combine or p2p");
  cmd->add_option("--bytes", a->bytes, "Buffer per GPU, nccl-tests convention (e.g. 256MiB)");
  cmd->add_option("--algorithm", a->algorithm, "all_reduce: ring or tree");
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
  cmd->add_flag("--json", a->json, "Print JSON instead of a table");
  cmd->add_option("-o,--output", a->out, "Write to a file instead of stdout");
  cmd->add_option("--trace", a->trace, "Write the flows as a Chrome/Perfetto trace (event engine)");
  cmd->callback([a, &ctx] {
    std::string trace;
    const core::Json j = run(ctx, *a, trace);
    if (!a->trace.empty()) emit_output(trace, a->trace);
    emit_output(a->json ? j.dump(2) + "\n" : render(j), a->out);
  });
}

}  // namespace fleetsim::cli
