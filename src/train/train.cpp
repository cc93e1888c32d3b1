// The Trainer: what it builds once per cluster (topology, op and communication costs, the memo
// of collective times and per-layer work). The step is computed in the files named in
// docs/training.md ("How the code is laid out"): layout.cpp, work.cpp, analytic.cpp or
// event.cpp, memory.cpp, run.cpp, output.cpp.
#include "train/train.h"

#include "train/detail.h"
#include "train/work.h"

namespace fleetsim::train {

void throw_problem(const Problem& p) { core::raise(p); }

namespace detail {

topo::TopologySpec cluster_topology(const scenario::Scenario& s, const scenario::TrainingSpec& t) {
  topo::TopologySpec ts;
  ts.node = s.node(t.cluster.node);
  ts.gpu = s.gpus.at(ts.node.gpu);
  ts.nic = s.nics.at(ts.node.nic);
  ts.fabric_switch = s.fabric_switch(t.cluster.fabric);
  ts.nodes = t.cluster.nodes;
  ts.fabric = t.cluster.fabric.kind;
  ts.oversubscription = t.cluster.fabric.oversubscription;
  ts.planes = t.cluster.fabric.planes;
  return ts;
}

}  // namespace detail

Trainer::Trainer(const scenario::Scenario& s, const scenario::TrainingSpec& spec,
                 const calib::CalibrationSet& calibration)
    : Trainer(s, spec, calibration.for_gpu(s.gpu_of_node(spec.cluster.node))) {}

Trainer::Trainer(const scenario::Scenario& s, const scenario::TrainingSpec& spec, const calib::CalibrationTable& table)
    : spec_(spec),
      model_(s.model(spec.model)),
      node_(s.node(spec.cluster.node)),
      op_cost_(s.gpu_of_node(spec.cluster.node), table),
      comm_costs_(table.comm),
      topology_(std::make_unique<topo::Topology>(detail::cluster_topology(s, spec))),
      analytic_(std::make_unique<net::AnalyticModel>(*topology_, comm_costs_)),
      cache_(std::make_unique<Cache>(*analytic_)) {}

Trainer::~Trainer() = default;

}  // namespace fleetsim::train
