// The event engine: one step of one DP replica's pipeline on sim::Engine. Each pipeline device
// is a compute stream that runs forward, backward and weight-gradient tasks of micro-batches in
// its schedule's order as their inputs arrive; activations and gradients cross stage boundaries
// as flows of a net::FlowNetwork on the cluster's topology (latency, max-min sharing); the EP
// all-to-all is timed by running the dispatch and combine of every EP group of a stage at once
// on a FlowNetwork (contention between groups included) and charged to the tasks as the analytic
// engine charges it (hidden under the other chunk's compute in DualPipe pairs, exposed
// otherwise). The bubble is not a formula here: it is the idle time the simulation finds.
//
// Reduced replica (stated in the result's notes): the other DP replicas are taken as symmetric
// (they run the same timeline), the DP gradient sync and the optimizer are the analytic engine's,
// and DualPipeV runs as DualPipe over the same per-device work. Interleaved 1F1B runs Megatron's
// order over the device's chunks when the micro-batches are a multiple of pp.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>

#include "net/collective.h"
#include "net/flow_network.h"
#include "sim/engine.h"
#include "train/detail.h"
#include "train/train.h"

namespace fleetsim::train {

namespace {

using detail::Work;
using scenario::Schedule;

enum class Kind { f, b, w, pair };
struct Task {
  Kind kind = Kind::f;
  int dir = 0;
  int mb = 0;
  int dir2 = 0, mb2 = 0;  // pair: the backward
};

struct Device {
  topo::GpuRef gpu;
  std::vector<Task> order;  // 1F1B family: the static order
  size_t next = 0;
  std::deque<Task> pending_w;
  bool busy = false;
  std::vector<std::vector<char>> f_ready, b_ready;  // [dir][mb]
  int f_next[2] = {0, 0}, b_next[2] = {0, 0};
  int in_flight[2] = {0, 0};
  int tasks_left = 0;
  double compute = 0, ep = 0, tp = 0, cp = 0;
  sim::Time end = 0;
};

}  // namespace

StepResult Trainer::step_event(const scenario::TrainingSpec& spec, const Layout& l, int64_t seq_len,
                               double batch_sequences, bool with_timeline) const {
  detail::StepDetail det;
  StepResult r = step_impl(spec, l, seq_len, batch_sequences, nullptr, false, &det);
  r.engine = EngineKind::event;
  r.timeline.clear();
  const int pp = l.pp, M = r.micro_batches;
  const bool dual = l.schedule == Schedule::dualpipe || l.schedule == Schedule::dualpipev;
  const bool zb = l.schedule == Schedule::zb1p;
  const int g = l.gpus_per_node;
  auto gpu_of = [g](int rank) { return topo::GpuRef{rank / g, rank % g}; };
  const int stage_stride = l.tp * l.cp * l.dp;

  // EP all-to-all under contention: every EP group of stage 0 dispatching (then combining) at once.
  double ep_scale = 1;
  const auto& m = model_;
  if (m.is_moe() && l.ep > 1) {
    auto timed = [&](net::CollectiveOp op) {
      double analytic = 0;
      sim::Engine engine;
      net::FlowNetwork network(engine, *topology_, comm_costs_);
      const int groups = std::max(1, l.dp * l.cp * l.tp / l.ep);
      for (int grp = 0; grp < groups; ++grp) {
        std::vector<topo::GpuRef> members;
        for (int i = 0; i < l.ep; ++i) members.push_back(gpu_of(grp * l.ep + i));
        net::CollectiveSpec c(op, net::Group(members));
        c.moe.tokens_per_gpu = std::max<int64_t>(1, (seq_len / l.cp) * l.micro_batch / l.tp);
        c.moe.hidden = m.hidden;
        c.moe.topk = m.moe->top_k;
        c.moe.max_nodes = m.moe->limited_groups;
        c.moe.experts = m.moe->routed_experts;
        c.moe.dispatch_format =
            spec.precision.dispatch == core::DType::fp8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
        c.moe.combine_format =
            spec.precision.combine == core::DType::fp8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
        c.moe.routing = net::MoeRouting::expected;
        if (grp == 0) analytic = analytic_->estimate(c).time_s;
        net::start_collective(network, net::plan_collective(c, *topology_), [] {});
      }
      engine.run();
      return std::pair{sim::to_seconds(engine.now()), analytic};
    };
    const auto [d_ev, d_an] = timed(net::CollectiveOp::moe_dispatch);
    const auto [c_ev, c_an] = timed(net::CollectiveOp::moe_combine);
    if (d_an + c_an > 0) ep_scale = (d_ev + c_ev) / (d_an + c_an);
    r.notes.push_back(fmt::format("EP dispatch + combine of all {} EP groups of a stage at once: {:.3f} ms (one "
                                  "group alone, analytic: {:.3f} ms)",
                                  std::max(1, l.dp * l.cp * l.tp / l.ep), 1e3 * (d_ev + c_ev), 1e3 * (d_an + c_an)));
  }
  // Interleaved 1F1B: v model chunks per device, chunk c on device c mod pp (Megatron's order
  // needs the micro-batches a multiple of pp; otherwise the device's chunks run as one).
  const int vi = l.schedule == Schedule::interleaved_1f1b && M % pp == 0 ? l.virtual_stages : 1;
  const int nchunks = pp * vi;
  auto work_of = [&](int dev, int dir) {
    Work w = dual      ? det.chunk[static_cast<size_t>(dir == 0 ? dev : pp - 1 - dev)]
             : vi > 1 ? det.chunk[static_cast<size_t>(dir * pp + dev)]
                      : det.device[static_cast<size_t>(dev)];
    if (l.schedule == Schedule::dualpipev) w = det.device[static_cast<size_t>(dev)];
    w.ep_f *= ep_scale;
    w.ep_b *= ep_scale;
    return w;
  };

  // Micro-batches per direction.
  const int dirs = dual && pp > 1 ? 2 : 1;
  const int mb_dir[2] = {dirs == 2 ? (M + 1) / 2 : M, dirs == 2 ? M / 2 : 0};
  std::vector<Device> dev(static_cast<size_t>(pp));
  for (int d = 0; d < pp; ++d) {
    auto& D = dev[static_cast<size_t>(d)];
    D.gpu = gpu_of(d * stage_stride);
    for (int k = 0; k < std::max(2, vi); ++k) {
      const int n = dual ? mb_dir[k] : k < vi ? M : 0;
      D.f_ready.emplace_back(static_cast<size_t>(n), 0);
      D.b_ready.emplace_back(static_cast<size_t>(n), 0);
    }
    const bool first0 = d == 0, first1 = d == pp - 1;
    for (int i = 0; i < mb_dir[0]; ++i) D.f_ready[0][static_cast<size_t>(i)] = first0;
    for (int i = 0; i < mb_dir[1]; ++i) D.f_ready[1][static_cast<size_t>(i)] = first1;
    D.tasks_left = (mb_dir[0] + mb_dir[1]) * vi * (zb ? 3 : 2);
    if (!dual && vi > 1) {
      // Megatron's interleaved order: forward k runs chunk (k mod pp v) / pp of micro-batch
      // (k / pp v) pp + k mod pp; backward the chunks in reverse; warm-up (pp - d - 1) 2 +
      // (v - 1) pp forwards.
      const int total = M * vi;
      const int warm = std::min((pp - d - 1) * 2 + (vi - 1) * pp, total);
      auto task = [&](Kind kind, int k) {
        const int group = k / (pp * vi), in = k % (pp * vi);
        const int chunk = kind == Kind::f ? in / pp : vi - 1 - in / pp;
        return Task{kind, chunk, group * pp + k % pp};
      };
      int f = 0, b = 0;
      for (; f < warm; ++f) D.order.push_back(task(Kind::f, f));
      while (b < total) {
        if (f < total) D.order.push_back(task(Kind::f, f++));
        D.order.push_back(task(Kind::b, b++));
      }
    } else if (!dual) {
      const int warm = std::min(pp - d - 1, M);
      int f = 0, b = 0;
      for (; f < warm; ++f) D.order.push_back({Kind::f, 0, f});
      while (b < M) {
        if (f < M) D.order.push_back({Kind::f, 0, f++});
        D.order.push_back({Kind::b, 0, b++});
      }
    }
  }

  sim::Engine engine;
  net::FlowNetwork network(engine, *topology_, comm_costs_);
  const double p2p_bytes = det.p2p_bytes;
  // Forwards in flight per direction: at position p of a pipeline, 1F1B's pp - p; summed over
  // DualPipe's two directions, pp + 1 on every device (V3 Table 2).
  auto limit = [&](int d, int dir) { return pp - (dir == 0 ? d : pp - 1 - d); };
  auto pos_last = [&](int d, int dir) { return dir == 0 ? d == pp - 1 : d == 0; };
  auto pos_first = [&](int d, int dir) { return dir == 0 ? d == 0 : d == pp - 1; };
  auto neighbour = [&](int d, int dir, bool forward) { return (dir == 0) == forward ? d + 1 : d - 1; };

  std::function<void(int)> try_start;
  auto lane = [](int d) { return fmt::format("stage {} compute", d); };
  auto record = [&](int d, const std::string& name, const char* kind, sim::Time a, sim::Time b) {
    if (with_timeline) r.timeline.push_back({lane(d), name, kind, sim::to_seconds(a), sim::to_seconds(b)});
  };

  auto finish_f = [&](int d, int dir, int mb) {
    auto& D = dev[static_cast<size_t>(d)];
    if (!dual) {
      const int c = dir * pp + d;
      if (c == nchunks - 1) {
        D.b_ready[static_cast<size_t>(dir)][static_cast<size_t>(mb)] = 1;
      } else {
        const int n = (c + 1) % pp, nd = (c + 1) / pp;
        network.transfer(D.gpu, dev[static_cast<size_t>(n)].gpu, p2p_bytes, [&, n, nd, mb] {
          dev[static_cast<size_t>(n)].f_ready[static_cast<size_t>(nd)][static_cast<size_t>(mb)] = 1;
          try_start(n);
        });
      }
      return;
    }
    ++D.in_flight[dir];
    if (pos_last(d, dir)) {
      D.b_ready[static_cast<size_t>(dir)][static_cast<size_t>(mb)] = 1;
    } else {
      const int n = neighbour(d, dir, true);
      network.transfer(D.gpu, dev[static_cast<size_t>(n)].gpu, p2p_bytes, [&, n, dir, mb] {
        dev[static_cast<size_t>(n)].f_ready[static_cast<size_t>(dir)][static_cast<size_t>(mb)] = 1;
        try_start(n);
      });
    }
  };
  auto finish_b = [&](int d, int dir, int mb) {
    auto& D = dev[static_cast<size_t>(d)];
    if (zb) D.pending_w.push_back({Kind::w, dir, mb});
    if (!dual) {
      const int c = dir * pp + d;
      if (c > 0) {
        const int n = (c - 1) % pp, nd = (c - 1) / pp;
        network.transfer(D.gpu, dev[static_cast<size_t>(n)].gpu, p2p_bytes, [&, n, nd, mb] {
          dev[static_cast<size_t>(n)].b_ready[static_cast<size_t>(nd)][static_cast<size_t>(mb)] = 1;
          try_start(n);
        });
      }
      return;
    }
    --D.in_flight[dir];
    if (!pos_first(d, dir)) {
      const int n = neighbour(d, dir, false);
      network.transfer(D.gpu, dev[static_cast<size_t>(n)].gpu, p2p_bytes, [&, n, dir, mb] {
        dev[static_cast<size_t>(n)].b_ready[static_cast<size_t>(dir)][static_cast<size_t>(mb)] = 1;
        try_start(n);
      });
    }
  };

  // Runs a task: duration, the parts it is made of, then its completion.
  auto run = [&](int d, const Task& t) {
    auto& D = dev[static_cast<size_t>(d)];
    D.busy = true;
    double compute = 0, ep = 0, tp = 0, cp = 0;
    std::string name;
    if (t.kind == Kind::pair) {
      const Work a = work_of(d, t.dir), b = work_of(d, t.dir2);
      compute = a.f + b.b + b.w;
      ep = std::max(0.0, a.ep_f + b.ep_b - compute);
      tp = a.tp_f + b.tp_b, cp = a.cp_f + b.cp_b;
      name = fmt::format("F{}{}+B{}{}", t.mb, t.dir ? "'" : "", t.mb2, t.dir2 ? "'" : "");
    } else {
      const Work w = work_of(d, t.dir);
      if (t.kind == Kind::f) compute = w.f, ep = w.ep_f, tp = w.tp_f, cp = w.cp_f;
      if (t.kind == Kind::b) compute = w.b + (zb ? 0 : w.w), ep = w.ep_b, tp = w.tp_b, cp = w.cp_b;
      if (t.kind == Kind::w) compute = w.w;
      name = fmt::format("{}{}{}", t.kind == Kind::f ? "F" : t.kind == Kind::b ? "B" : "W", t.mb,
                         !t.dir ? "" : dual ? "'" : fmt::format(" chunk {}", t.dir));
    }
    D.compute += compute, D.ep += ep, D.tp += tp, D.cp += cp;
    const sim::Time start = engine.now();
    const sim::Time dur = sim::ceil_ns(compute + ep + tp + cp);
    record(d, name, "compute", start, start + dur);
    engine.after(dur, [&, d, t] {
      auto& DD = dev[static_cast<size_t>(d)];
      DD.busy = false;
      if (t.kind == Kind::pair) {
        finish_f(d, t.dir, t.mb);
        finish_b(d, t.dir2, t.mb2);
        DD.tasks_left -= 2;
      } else {
        if (t.kind == Kind::f) finish_f(d, t.dir, t.mb);
        if (t.kind == Kind::b) finish_b(d, t.dir, t.mb);
        DD.tasks_left -= 1;
      }
      if (DD.tasks_left == 0) DD.end = engine.now();
      try_start(d);
    });
  };

  try_start = [&](int d) {
    auto& D = dev[static_cast<size_t>(d)];
    if (D.busy || D.tasks_left == 0) return;
    if (!dual) {
      if (D.next < D.order.size()) {
        const Task& t = D.order[D.next];
        const bool ready = t.kind == Kind::f ? D.f_ready[static_cast<size_t>(t.dir)][static_cast<size_t>(t.mb)] != 0
                                             : D.b_ready[static_cast<size_t>(t.dir)][static_cast<size_t>(t.mb)] != 0;
        if (ready) {
          ++D.next;
          run(d, t);
          return;
        }
      }
      if (!D.pending_w.empty()) {
        const Task t = D.pending_w.front();
        D.pending_w.pop_front();
        run(d, t);
      }
      return;
    }
    // DualPipe: a ready backward paired with a ready forward of either direction runs as one
    // overlapped pair; else the backward alone (it frees memory), else a forward alone.
    int bdir = -1, fdir = -1;
    for (int k = 0; k < dirs; ++k) {
      const int b = D.b_next[k];
      if (bdir < 0 && b < mb_dir[k] && D.b_ready[static_cast<size_t>(k)][static_cast<size_t>(b)]) bdir = k;
    }
    for (int k = 0; k < dirs; ++k) {
      // Alternate directions: the one with fewer forwards done first.
      const int kk = dirs == 2 && D.f_next[1] < D.f_next[0] ? 1 - k : k;
      const int f = D.f_next[kk];
      if (fdir < 0 && f < mb_dir[kk] && D.f_ready[static_cast<size_t>(kk)][static_cast<size_t>(f)] &&
          D.in_flight[kk] < limit(d, kk)) {
        fdir = kk;
      }
    }
    if (bdir >= 0 && fdir >= 0) {
      Task t{Kind::pair, fdir, D.f_next[fdir]++, bdir, D.b_next[bdir]++};
      run(d, t);
    } else if (bdir >= 0) {
      run(d, {Kind::b, bdir, D.b_next[bdir]++});
    } else if (fdir >= 0) {
      run(d, {Kind::f, fdir, D.f_next[fdir]++});
    }
  };

  for (int d = 0; d < pp; ++d) try_start(d);
  engine.run();

  // The slowest device sets the step; the rest of its time is waiting (bubble and sends).
  size_t slow = 0;
  for (size_t d = 1; d < dev.size(); ++d) {
    if (dev[d].end > dev[slow].end) slow = d;
  }
  for (size_t d = 0; d < dev.size(); ++d) {
    FLEETSIM_CHECK(dev[d].tasks_left == 0, "event engine: a pipeline device did not finish its tasks");
  }
  const auto& S = dev[slow];
  const double pipe = sim::to_seconds(S.end);
  r.step_time_s = pipe + det.dp_exposed + det.optimizer;
  const double waiting = std::max(0.0, pipe - S.compute - S.ep - S.tp - S.cp);
  r.breakdown = {{"compute", S.compute},         {"exposed_ep_comm", S.ep},
                 {"exposed_tp_comm", S.tp},      {"exposed_cp_comm", S.cp},
                 {"pipeline_bubble", waiting},   {"exposed_pp_comm", 0.0},
                 {"exposed_dp_comm", det.dp_exposed}, {"optimizer", det.optimizer}};
  // Rounding to nanoseconds: the parts add up to the step.
  r.breakdown[4].seconds += r.step_time_s - (S.compute + S.ep + S.tp + S.cp + waiting + det.dp_exposed + det.optimizer);
  r.mfu = r.model_flops / (r.step_time_s * l.gpus * op_cost_.gpu().peak_flops_per_s(core::DType::bf16));
  r.tokens_per_s_per_gpu = r.tokens / (r.step_time_s * l.gpus);
  if (with_timeline) {
    for (int d = 0; d < pp; ++d) {
      const double e = sim::to_seconds(dev[static_cast<size_t>(d)].end);
      r.timeline.push_back({lane(d), "gradient sync", "dp", e, e + det.dp_exposed});
      r.timeline.push_back({lane(d), "optimizer", "optimizer", e + det.dp_exposed, e + det.dp_exposed + det.optimizer});
    }
  }
  r.notes.push_back(fmt::format("event engine: one DP replica's pipeline ({} devices, {} micro-batches, {} events, "
                                "{} transfers); other replicas symmetric; DP sync and optimizer analytic{}",
                                pp, M, engine.executed(), network.transfers_done(),
                                l.schedule == Schedule::interleaved_1f1b && vi == 1
                                    ? "; interleaved chunks run as one (1F1B order): micro-batches not a multiple of pp"
                                : l.schedule == Schedule::dualpipev      ? "; DualPipeV run as DualPipe"
                                                                         : ""));
  return r;
}

}  // namespace fleetsim::train
