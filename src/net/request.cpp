// One collective from catalog ids to its time (see request.h).
#include "net/request.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/text.h"
#include "net/comm_costs.h"
#include "sim/engine.h"

namespace fleetsim::net {

namespace {

const hw::NodeSpec& find_node(const hw::HardwareCatalog& hw, const CollectiveRequest& r) {
  const hw::NodeSpec* n = hw.nodes.find(r.node);
  if (!n) {
    const auto ids = hw.nodes.ids();
    throw core::InputError(fmt::format("--node '{}' is not in the catalog{}; known: {}", r.node,
                                       core::did_you_mean(r.node, ids), core::join(ids, ", ")));
  }
  if (!r.gpu.empty() && n->gpu != r.gpu) {
    throw core::InputError(fmt::format("--node '{}' holds GPU '{}', not '{}'", r.node, n->gpu, r.gpu));
  }
  return *n;
}

// The node named, or the catalog's only node of the GPU named.
const hw::NodeSpec& resolve_node(const hw::HardwareCatalog& hw, const CollectiveRequest& r) {
  if (!r.node.empty()) return find_node(hw, r);
  if (r.gpu.empty()) throw core::InputError("give --gpu (or --node)");
  if (!hw.gpus.find(r.gpu)) {
    const auto ids = hw.gpus.ids();
    throw core::InputError(fmt::format("--gpu '{}' is not in the catalog{}; known: {}", r.gpu,
                                       core::did_you_mean(r.gpu, ids), core::join(ids, ", ")));
  }
  std::vector<std::string> matches;
  for (const auto& [id, n] : hw.nodes.entries()) {
    if (n.gpu == r.gpu) matches.push_back(id);
  }
  if (matches.empty()) throw core::InputError(fmt::format("no catalog node holds GPU '{}': give --node", r.gpu));
  if (matches.size() > 1) {
    throw core::InputError(fmt::format("several catalog nodes hold GPU '{}' ({}): choose one with --node", r.gpu,
                                       core::join(matches, ", ")));
  }
  return *hw.nodes.find(matches.front());
}

int node_count(const CollectiveRequest& r, int per_node) {
  if (r.nodes > 0 && r.gpus > 0) throw core::InputError("give --nodes or --gpus, not both");
  if (r.gpus > 0) {
    if (r.gpus % per_node != 0) {
      throw core::InputError(fmt::format("--gpus {} is not a multiple of the node size ({} GPUs)", r.gpus, per_node));
    }
    return r.gpus / per_node;
  }
  if (r.nodes <= 0) throw core::InputError(fmt::format("--nodes must be at least 1 (got {})", r.nodes));
  return r.nodes;
}

// The group of request.h: the first `ranks` GPUs node by node, or p2p's pair.
Group make_group(const CollectiveRequest& r, const topo::Topology& t) {
  const int total = t.gpu_count(), per_node = t.gpus_per_node();
  if (r.op == CollectiveOp::p2p) {
    if (r.ranks != 0) throw core::InputError("--ranks does not apply to p2p (GPU 0 of node 0 sends to its peer)");
    if (total < 2) throw core::InputError("p2p needs two GPUs");
    return Group({{0, 0}, t.nodes() > 1 ? topo::GpuRef{t.nodes() - 1, 0} : topo::GpuRef{0, 1}});
  }
  const int ranks = r.ranks > 0 ? r.ranks : total;
  if (r.ranks < 0) throw core::InputError("--ranks must be >= 1");
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
    return Group(gpus);
  }
  return Group::nodes(0, ranks / per_node, per_node);
}

bool is_moe(CollectiveOp op) { return op == CollectiveOp::moe_dispatch || op == CollectiveOp::moe_combine; }

void check_size(const CollectiveRequest& r) {
  const bool moe = is_moe(r.op);
  if (moe && r.bytes) throw core::InputError("--bytes does not apply to MoE ops: size them with --tokens and --hidden");
  if (!moe && !r.bytes) {
    throw core::InputError(fmt::format("--op {} needs --bytes (e.g. 256MiB)", collective_op_name(r.op)));
  }
}

// Runs the plan's flows on a FlowNetwork until the last one finishes.
void run_event(CollectiveResult& out, const topo::Topology& t, const CommCosts& costs, bool record) {
  struct Recorder : FlowObserver {
    std::vector<TransferRecord>* records;
    explicit Recorder(std::vector<TransferRecord>* r) : records(r) {}
    void on_transfer_done(const TransferRecord& r) override { records->push_back(r); }
  } recorder(&out.transfers);
  sim::Engine engine;
  FlowNetwork network(engine, t, costs);
  if (record) network.set_observer(&recorder);
  sim::Time end = 0;
  start_collective(network, out.plan, [&] { end = engine.now(); });
  engine.run();
  out.time_s = sim::to_seconds(end);
  out.event = CollectiveResult::EventCounters{network.solves(), engine.executed()};
}

}  // namespace

CollectiveResult run_collective(const CollectiveRequest& r, const hw::HardwareCatalog& hardware,
                                const calib::CalibrationSet& calibration) {
  check_size(r);
  const auto& node = resolve_node(hardware, r);
  const topo::Topology t(topo::topology_spec(hardware, node.id, node_count(r, node.gpus), r.fabric, r.fabric_switch,
                                             r.oversubscription, r.planes));
  const auto table = calibration.for_gpu(hardware.gpu_of(node));
  const CommCosts costs(table.comm);

  CollectiveResult out;
  out.gpu = node.gpu;
  out.node = node.id;
  out.nodes = t.nodes();
  out.gpus = t.gpu_count();
  out.planes = t.planes();
  out.spec = CollectiveSpec(r.op, make_group(r, t), r.bytes.value_or(0), r.algorithm);
  out.spec.moe = r.moe;
  out.plan = plan_collective(out.spec, t);
  if (r.engine == CollectiveEngine::event) {
    run_event(out, t, costs, r.record_transfers);
  } else {
    out.analytic = AnalyticModel(t, costs).estimate(out.spec);
    out.time_s = out.analytic->time_s;
  }
  out.algbw_bytes_per_s = out.time_s > 0 ? out.plan.algbw_bytes / out.time_s : 0.0;
  out.busbw_bytes_per_s = out.time_s > 0 ? out.plan.algbw_bytes / out.time_s * out.plan.busbw_factor : 0.0;
  out.calibration_gpu = table.gpu;
  out.calibration = table.provenance;
  return out;
}

}  // namespace fleetsim::net
