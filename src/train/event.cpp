// The event engine: one step of one DP replica's pipeline on sim::Engine, replaying the step's
// work (work.h) as the analytic engine prices it. Each pipeline device is a compute stream that
// runs forward, backward and weight-gradient tasks of micro-batches in its schedule's order as
// their inputs arrive; activations and gradients cross stage boundaries as flows of a
// net::FlowNetwork on the cluster's topology (latency, max-min sharing); the EP all-to-all is
// timed by running the dispatch and combine of every EP group of a stage at once on a
// FlowNetwork (contention between groups included) and charged to the tasks as the analytic
// engine charges it (hidden under the other chunk's compute in DualPipe pairs, exposed
// otherwise). The bubble is not a formula here: it is the idle time the simulation finds.
//
// Reduced replica (stated in the result's notes): the other DP replicas are taken as symmetric
// (they run the same timeline), the DP gradient sync and the optimizer are the analytic engine's,
// and DualPipeV runs as DualPipe over the same per-device work. Interleaved 1F1B runs Megatron's
// order over the device's chunks when the micro-batches are a multiple of pp.
//
// The pipeline is read from the step's placement: a task runs at a stop (device, slot), the
// slot being the chunk of the device it runs (interleaved) or its direction (DualPipe); a
// micro-batch's forward flows along the stops of its flow in chunk order, its backward back.
#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "net/collective.h"
#include "net/flow_network.h"
#include "sim/engine.h"
#include "train/work.h"

namespace fleetsim::train {

namespace {

using detail::StepWork;
using detail::Work;
using scenario::Schedule;

enum class Kind { f, b, w, pair };
struct Task {
  Kind kind = Kind::f;
  int dir = 0;  // the slot: the device's chunk (interleaved) or the direction (DualPipe)
  int mb = 0;
  int dir2 = 0, mb2 = 0;  // pair: the backward
};

// Where a task runs: a device and one of its slots.
struct Stop {
  int device = -1, slot = 0;
  bool valid() const { return device >= 0; }
};

struct Device {
  topo::GpuRef gpu;
  std::vector<Task> order;  // 1F1B family: the static order
  size_t next = 0;
  std::deque<Task> pending_w;
  bool busy = false;
  std::vector<std::vector<char>> f_ready, b_ready;  // [slot][mb]
  std::vector<Stop> next_stop, prev_stop;           // [slot]: where the forward goes next, the backward
  std::vector<int> position;                        // [slot]: along its flow (DualPipe's forward limit)
  int f_next[2] = {0, 0}, b_next[2] = {0, 0};
  int in_flight[2] = {0, 0};
  int tasks_left = 0;
  double compute = 0, ep = 0, tp = 0, cp = 0;
  sim::Time end = 0;
};

// The EP dispatch and combine of every EP group of a stage at once on a FlowNetwork, against
// one group alone in the analytic model: the factor contention puts on the all-to-all.
double ep_contention(const StepWork& w, const Layout& l, const topo::Topology& topology, const net::CommCosts& costs,
                     const net::AnalyticModel& analytic, std::vector<std::string>& notes) {
  const int groups = std::max(1, l.dp * l.cp * l.tp / l.ep);
  auto timed = [&](net::CollectiveOp op) {
    double alone = 0;
    sim::Engine engine;
    net::FlowNetwork network(engine, topology, costs);
    for (int grp = 0; grp < groups; ++grp) {
      std::vector<topo::GpuRef> members;
      for (int i = 0; i < l.ep; ++i) members.push_back(detail::gpu_of_rank(l, grp * l.ep + i));
      net::CollectiveSpec c = *w.ep_dispatch;
      c.op = op;
      c.group = net::Group(members);
      if (grp == 0) alone = analytic.estimate(c).time_s;
      net::start_collective(network, net::plan_collective(c, topology), [] {});
    }
    engine.run();
    return std::pair{sim::to_seconds(engine.now()), alone};
  };
  const auto [d_ev, d_an] = timed(net::CollectiveOp::moe_dispatch);
  const auto [c_ev, c_an] = timed(net::CollectiveOp::moe_combine);
  notes.push_back(fmt::format("EP dispatch + combine of all {} EP groups of a stage at once: {:.3f} ms (one "
                              "group alone, analytic: {:.3f} ms)",
                              groups, 1e3 * (d_ev + c_ev), 1e3 * (d_an + c_an)));
  return d_an + c_an > 0 ? (d_ev + c_ev) / (d_an + c_an) : 1.0;
}

class PipelineReplay {
 public:
  PipelineReplay(const StepWork& w, const Layout& l, const topo::Topology& topology, const net::CommCosts& costs,
                 double ep_scale, bool with_timeline)
      : w_(w), l_(l), pp_(l.pp), M_(w.micro_batches), dual_(detail::overlapped_pairs(l.schedule)),
        zb_(l.schedule == Schedule::zb1p),
        // Interleaved 1F1B: Megatron's order needs the micro-batches a multiple of pp; otherwise
        // the device's chunks run as one.
        vi_(l.schedule == Schedule::interleaved_1f1b && M_ % pp_ == 0 ? l.virtual_stages : 1),
        dirs_(dual_ && pp_ > 1 ? 2 : 1), ep_scale_(ep_scale), with_timeline_(with_timeline),
        network_(engine_, topology, costs) {
    mb_dir_[0] = dirs_ == 2 ? (M_ + 1) / 2 : M_;
    mb_dir_[1] = dirs_ == 2 ? M_ / 2 : 0;
    dev_.resize(static_cast<size_t>(pp_));
    for (int d = 0; d < pp_; ++d) init_device(d);
    link_flows();
  }

  // Runs the step; the devices' busy parts and their ends are then read from devices().
  void run() {
    for (int d = 0; d < pp_; ++d) try_start(d);
    engine_.run();
    for (const auto& D : dev_) {
      FLEETSIM_CHECK(D.tasks_left == 0, "event engine: a pipeline device did not finish its tasks");
    }
  }
  const std::vector<Device>& devices() const { return dev_; }
  std::vector<TimelineEvent>& timeline() { return timeline_; }
  int virtual_stages() const { return vi_; }
  uint64_t events() const { return engine_.executed(); }
  uint64_t transfers() const { return network_.transfers_done(); }

 private:
  // One micro-batch's work at a stop: the chunk the slot holds (DualPipe, interleaved), else
  // the device's work; the all-to-all scaled by its contention.
  Work work_of(int d, int slot) const {
    const auto& D = w_.device[static_cast<size_t>(d)];
    const bool per_chunk = (dual_ && l_.schedule != Schedule::dualpipev) || vi_ > 1;
    Work w = per_chunk ? w_.chunk[static_cast<size_t>(D.slots[static_cast<size_t>(slot)].chunk)] : D.work;
    w.ep_f *= ep_scale_;
    w.ep_b *= ep_scale_;
    return w;
  }

  void init_device(int d) {
    auto& D = dev_[static_cast<size_t>(d)];
    D.gpu = w_.device[static_cast<size_t>(d)].gpu;
    for (int k = 0; k < std::max(2, vi_); ++k) {
      const int n = dual_ ? mb_dir_[k] : k < vi_ ? M_ : 0;
      D.f_ready.emplace_back(static_cast<size_t>(n), 0);
      D.b_ready.emplace_back(static_cast<size_t>(n), 0);
    }
    D.next_stop.resize(D.f_ready.size());
    D.prev_stop.resize(D.f_ready.size());
    D.position.resize(D.f_ready.size());
    D.tasks_left = (mb_dir_[0] + mb_dir_[1]) * vi_ * (zb_ ? 3 : 2);
    if (!dual_) build_order(D, d);
  }

  // The stops of each flow in chunk order, from the placement: DualPipe's two directions run
  // chunk c mod pp of each device's slot; interleaved runs the chunks in model order; otherwise
  // each device is one stop. The first stop of a flow has its micro-batches' inputs ready.
  void link_flows() {
    std::vector<std::vector<Stop>> flows(static_cast<size_t>(dirs_));
    for (int d = 0; d < pp_; ++d) {
      const auto& slots = w_.device[static_cast<size_t>(d)].slots;
      if (dual_) {
        for (int k = 0; k < dirs_; ++k) {
          auto& flow = flows[static_cast<size_t>(k)];
          flow.resize(static_cast<size_t>(pp_));
          flow[static_cast<size_t>(slots[static_cast<size_t>(k)].chunk % pp_)] = {d, k};
        }
      } else if (vi_ > 1) {
        flows[0].resize(static_cast<size_t>(pp_ * vi_));
        for (int s = 0; s < vi_; ++s) flows[0][static_cast<size_t>(slots[static_cast<size_t>(s)].chunk)] = {d, s};
      } else {
        flows[0].push_back({d, 0});
      }
    }
    for (int k = 0; k < dirs_; ++k) {
      const auto& flow = flows[static_cast<size_t>(k)];
      for (size_t p = 0; p < flow.size(); ++p) {
        auto& D = dev_[static_cast<size_t>(flow[p].device)];
        const auto slot = static_cast<size_t>(flow[p].slot);
        D.position[slot] = static_cast<int>(p);
        if (p + 1 < flow.size()) D.next_stop[slot] = flow[p + 1];
        if (p > 0) D.prev_stop[slot] = flow[p - 1];
      }
      auto& first = dev_[static_cast<size_t>(flow[0].device)];
      for (int i = 0; i < mb_dir_[k]; ++i) first.f_ready[static_cast<size_t>(flow[0].slot)][static_cast<size_t>(i)] = 1;
    }
  }

  // The 1F1B family's static order: warm-up forwards, then one forward and one backward.
  void build_order(Device& D, int d) {
    if (vi_ > 1) {
      // Megatron's interleaved order: forward k runs chunk (k mod pp v) / pp of micro-batch
      // (k / pp v) pp + k mod pp; backward the chunks in reverse; warm-up (pp - d - 1) 2 +
      // (v - 1) pp forwards.
      const int total = M_ * vi_;
      const int warm = std::min((pp_ - d - 1) * 2 + (vi_ - 1) * pp_, total);
      auto task = [&](Kind kind, int k) {
        const int group = k / (pp_ * vi_), in = k % (pp_ * vi_);
        const int chunk = kind == Kind::f ? in / pp_ : vi_ - 1 - in / pp_;
        return Task{kind, chunk, group * pp_ + k % pp_};
      };
      int f = 0, b = 0;
      for (; f < warm; ++f) D.order.push_back(task(Kind::f, f));
      while (b < total) {
        if (f < total) D.order.push_back(task(Kind::f, f++));
        D.order.push_back(task(Kind::b, b++));
      }
      return;
    }
    const int warm = std::min(pp_ - d - 1, M_);
    int f = 0, b = 0;
    for (; f < warm; ++f) D.order.push_back({Kind::f, 0, f});
    while (b < M_) {
      if (f < M_) D.order.push_back({Kind::f, 0, f++});
      D.order.push_back({Kind::b, 0, b++});
    }
  }

  // An activation (forward) or gradient (backward) of micro-batch `mb` sent from device d to a
  // stop, which may start once it lands.
  void send(int d, Stop to, int mb, bool gradient) {
    network_.transfer(dev_[static_cast<size_t>(d)].gpu, dev_[static_cast<size_t>(to.device)].gpu, w_.p2p_bytes,
                      [this, to, mb, gradient] {
                        auto& N = dev_[static_cast<size_t>(to.device)];
                        (gradient ? N.b_ready : N.f_ready)[static_cast<size_t>(to.slot)][static_cast<size_t>(mb)] = 1;
                        try_start(to.device);
                      });
  }
  void finish_f(int d, int slot, int mb) {
    auto& D = dev_[static_cast<size_t>(d)];
    if (dual_) ++D.in_flight[slot];
    const Stop next = D.next_stop[static_cast<size_t>(slot)];
    if (!next.valid()) D.b_ready[static_cast<size_t>(slot)][static_cast<size_t>(mb)] = 1;
    else send(d, next, mb, false);
  }
  void finish_b(int d, int slot, int mb) {
    auto& D = dev_[static_cast<size_t>(d)];
    if (zb_) D.pending_w.push_back({Kind::w, slot, mb});
    if (dual_) --D.in_flight[slot];
    const Stop prev = D.prev_stop[static_cast<size_t>(slot)];
    if (prev.valid()) send(d, prev, mb, true);
  }

  // A task's parts (compute and the communication it leaves exposed) and its name.
  struct Parts {
    double compute = 0, ep = 0, tp = 0, cp = 0;
  };
  Parts parts_of(int d, const Task& t, std::string& name) const {
    Parts p;
    if (t.kind == Kind::pair) {
      const Work a = work_of(d, t.dir), b = work_of(d, t.dir2);
      p.compute = a.f + b.b + b.w;
      p.ep = std::max(0.0, a.ep_f + b.ep_b - p.compute);
      p.tp = a.tp_f + b.tp_b, p.cp = a.cp_f + b.cp_b;
      name = fmt::format("F{}{}+B{}{}", t.mb, t.dir ? "'" : "", t.mb2, t.dir2 ? "'" : "");
      return p;
    }
    const Work w = work_of(d, t.dir);
    if (t.kind == Kind::f) p.compute = w.f, p.ep = w.ep_f, p.tp = w.tp_f, p.cp = w.cp_f;
    if (t.kind == Kind::b) p.compute = w.b + (zb_ ? 0 : w.w), p.ep = w.ep_b, p.tp = w.tp_b, p.cp = w.cp_b;
    if (t.kind == Kind::w) p.compute = w.w;
    name = fmt::format("{}{}{}", t.kind == Kind::f ? "F" : t.kind == Kind::b ? "B" : "W", t.mb,
                       !t.dir ? "" : dual_ ? "'" : fmt::format(" chunk {}", t.dir));
    return p;
  }

  // Runs a task: its duration, then its completion.
  void run_task(int d, const Task& t) {
    auto& D = dev_[static_cast<size_t>(d)];
    D.busy = true;
    std::string name;
    const Parts p = parts_of(d, t, name);
    D.compute += p.compute, D.ep += p.ep, D.tp += p.tp, D.cp += p.cp;
    const sim::Time start = engine_.now();
    const sim::Time dur = sim::ceil_ns(p.compute + p.ep + p.tp + p.cp);
    if (with_timeline_) {
      timeline_.push_back({lane(d), name, "compute", sim::to_seconds(start), sim::to_seconds(start + dur)});
    }
    engine_.after(dur, [this, d, t] { complete(d, t); });
  }
  void complete(int d, const Task& t) {
    auto& D = dev_[static_cast<size_t>(d)];
    D.busy = false;
    if (t.kind == Kind::pair) {
      finish_f(d, t.dir, t.mb);
      finish_b(d, t.dir2, t.mb2);
      D.tasks_left -= 2;
    } else {
      if (t.kind == Kind::f) finish_f(d, t.dir, t.mb);
      if (t.kind == Kind::b) finish_b(d, t.dir, t.mb);
      D.tasks_left -= 1;
    }
    if (D.tasks_left == 0) D.end = engine_.now();
    try_start(d);
  }

  void try_start(int d) {
    auto& D = dev_[static_cast<size_t>(d)];
    if (D.busy || D.tasks_left == 0) return;
    if (dual_) return try_start_pair(d);
    if (D.next < D.order.size()) {
      const Task& t = D.order[D.next];
      const bool ready = t.kind == Kind::f ? D.f_ready[static_cast<size_t>(t.dir)][static_cast<size_t>(t.mb)] != 0
                                           : D.b_ready[static_cast<size_t>(t.dir)][static_cast<size_t>(t.mb)] != 0;
      if (ready) {
        ++D.next;
        run_task(d, t);
        return;
      }
    }
    if (!D.pending_w.empty()) {
      const Task t = D.pending_w.front();
      D.pending_w.pop_front();
      run_task(d, t);
    }
  }

  // DualPipe: a ready backward paired with a ready forward of either direction runs as one
  // overlapped pair; else the backward alone (it frees memory), else a forward alone. Forwards
  // in flight per direction: at position p of a pipeline, 1F1B's pp - p; summed over the two
  // directions, pp + 1 on every device (V3 Table 2).
  void try_start_pair(int d) {
    auto& D = dev_[static_cast<size_t>(d)];
    int bdir = -1, fdir = -1;
    for (int k = 0; k < dirs_; ++k) {
      const int b = D.b_next[k];
      if (bdir < 0 && b < mb_dir_[k] && D.b_ready[static_cast<size_t>(k)][static_cast<size_t>(b)]) bdir = k;
    }
    for (int k = 0; k < dirs_; ++k) {
      // Alternate directions: the one with fewer forwards done first.
      const int kk = dirs_ == 2 && D.f_next[1] < D.f_next[0] ? 1 - k : k;
      const int f = D.f_next[kk];
      if (fdir < 0 && f < mb_dir_[kk] && D.f_ready[static_cast<size_t>(kk)][static_cast<size_t>(f)] &&
          D.in_flight[kk] < pp_ - D.position[static_cast<size_t>(kk)]) {
        fdir = kk;
      }
    }
    if (bdir >= 0 && fdir >= 0) {
      Task t{Kind::pair, fdir, D.f_next[fdir]++, bdir, D.b_next[bdir]++};
      run_task(d, t);
    } else if (bdir >= 0) {
      run_task(d, {Kind::b, bdir, D.b_next[bdir]++});
    } else if (fdir >= 0) {
      run_task(d, {Kind::f, fdir, D.f_next[fdir]++});
    }
  }

  static std::string lane(int d) { return fmt::format("stage {} compute", d); }

  const StepWork& w_;
  const Layout& l_;
  const int pp_, M_;
  const bool dual_, zb_;
  const int vi_, dirs_;
  const double ep_scale_;
  const bool with_timeline_;
  int mb_dir_[2] = {0, 0};  // micro-batches per direction
  std::vector<Device> dev_;
  std::vector<TimelineEvent> timeline_;
  sim::Engine engine_;
  net::FlowNetwork network_;
};

}  // namespace

StepResult Trainer::step_event(const scenario::TrainingSpec& spec, const Layout& l, int64_t seq_len,
                               double batch_sequences, bool with_timeline) const {
  const StepWork work = describe_step(spec, l, seq_len, batch_sequences);
  StepResult r = detail::step_header(work);
  r.engine = EngineKind::event;
  r.memory = detail::peak_memory(work, l, spec, op_cost_.gpu().hbm_bytes);
  r.per_micro_batch_s = detail::per_micro_batch_seconds(work, l);
  const double ep_scale =
      work.ep_dispatch ? ep_contention(work, l, *topology_, comm_costs_, *analytic_, r.notes) : 1.0;
  PipelineReplay replay(work, l, *topology_, comm_costs_, ep_scale, with_timeline);
  replay.run();
  r.timeline = std::move(replay.timeline());

  // The slowest device sets the step; the rest of its time is waiting (bubble and sends).
  const auto& dev = replay.devices();
  size_t slow = 0;
  for (size_t d = 1; d < dev.size(); ++d) {
    if (dev[d].end > dev[slow].end) slow = d;
  }
  const auto& S = dev[slow];
  const double dp_exposed = detail::dp_exposed_seconds(work, l);
  const double pipe = sim::to_seconds(S.end);
  r.step_time_s = pipe + dp_exposed + work.optimizer_s;
  const double waiting = std::max(0.0, pipe - S.compute - S.ep - S.tp - S.cp);
  r.breakdown = {{"compute", S.compute},       {"exposed_ep_comm", S.ep},        {"exposed_tp_comm", S.tp},
                 {"exposed_cp_comm", S.cp},    {"pipeline_bubble", waiting},     {"exposed_pp_comm", 0.0},
                 {"exposed_dp_comm", dp_exposed}, {"optimizer", work.optimizer_s}};
  // Rounding to nanoseconds: the parts add up to the step.
  r.breakdown[4].seconds += r.step_time_s - (S.compute + S.ep + S.tp + S.cp + waiting + dp_exposed + work.optimizer_s);
  r.mfu = r.model_flops / (r.step_time_s * l.gpus * op_cost_.gpu().peak_flops_per_s(core::DType::bf16));
  r.tokens_per_s_per_gpu = r.tokens / (r.step_time_s * l.gpus);
  if (with_timeline) {
    for (int d = 0; d < l.pp; ++d) {
      const double e = sim::to_seconds(dev[static_cast<size_t>(d)].end);
      const std::string lane = fmt::format("stage {} compute", d);
      r.timeline.push_back({lane, "gradient sync", "dp", e, e + dp_exposed});
      r.timeline.push_back({lane, "optimizer", "optimizer", e + dp_exposed, e + dp_exposed + work.optimizer_s});
    }
  }
  r.notes.push_back(fmt::format("event engine: one DP replica's pipeline ({} devices, {} micro-batches, {} events, "
                                "{} transfers); other replicas symmetric; DP sync and optimizer analytic{}",
                                l.pp, r.micro_batches, replay.events(), replay.transfers(),
                                l.schedule == Schedule::interleaved_1f1b && replay.virtual_stages() == 1
                                    ? "; interleaved chunks run as one (1F1B order): micro-batches not a multiple of pp"
                                : l.schedule == Schedule::dualpipev ? "; DualPipeV run as DualPipe"
                                                                    : ""));
  return r;
}

}  // namespace fleetsim::train
