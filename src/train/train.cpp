#include "train/train.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <tuple>
#include <numeric>

#include "model/analytics.h"
#include "model/layer_ops.h"
#include "topo/fabric.h"
#include "train/detail.h"

namespace fleetsim::train {

using scenario::Recompute;
using scenario::Schedule;

std::string_view engine_name(EngineKind e) { return e == EngineKind::analytic ? "analytic" : "event"; }

void throw_problem(const Problem& p) { core::raise(p); }

namespace {

using detail::Work;

double d(int64_t v) { return static_cast<double>(v); }

using core::location_of;

// Where a parallelism field sits: its own line, else the section's, else the training section's.
core::SourceLocation where_parallel(const scenario::TrainingSpec& t, const std::string& key) {
  auto w = location_of(t.parallelism.provenance, key);
  if (w.file.empty()) w = location_of(t.provenance, "parallelism");
  if (w.file.empty()) w = location_of(t.provenance, "model");
  return w;
}
core::SourceLocation where_training(const scenario::TrainingSpec& t, const std::string& key) {
  auto w = location_of(t.provenance, key);
  if (w.file.empty()) w = location_of(t.provenance, "model");
  return w;
}

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / 0x1p30); }

// Prices forward ops and derives their backward:
//  - GEMM [m x k][k x n]: data gradient [m x n][n x k] and weight gradient [k x m][m x n], each
//    the forward's FLOPs, in the forward's format (DeepSeek-V3 runs Dgrad and Wgrad in FP8 too);
//  - flash attention: the backward runs five matmuls against the forward's two (FlashAttention-2,
//    Dao 2023, §3.1.2), so 2.5x the forward time;
//  - elementwise and copies: the backward reads the saved input and the incoming gradient and
//    writes one gradient: twice the forward's traffic.
// Saved activations: the inputs of GEMMs (in the GEMM's format: FP8 GEMMs cache FP8 inputs,
// DeepSeek-V3 §3.3.4), attention's Q, K, V, O and log-sum-exp, elementwise inputs; selective
// recomputation drops the elementwise inputs (recomputed norms and activations) and, for MLA,
// Q, K, V (recomputed up-projections); full recomputation keeps only the layer's input.
// Sequence parallelism (sp > 1: the TP degree) splits the [tokens x hidden] activations over the
// TP group: norms and residual adds run on 1/sp of the tokens, and the inputs saved for the
// column-parallel GEMMs (k = hidden) are kept split (Korthikanti et al. 2022, §4.2.2).
// `recompute_up` says whether selective recomputation re-runs the latent up-projections here
// (the model's layers); the MTP modules' are priced as kept (their Q, K, V still not counted as
// saved), as fleetsim has priced them so far.
Work price(const std::vector<model::Op>& ops, const calib::OpCost& cost, const calib::Share& share, Recompute rc,
           bool mla, double layer_input_bytes, int sp = 1, int64_t hidden = 0, bool recompute_up = true) {
  Work r;
  double recompute = 0;
  for (const auto& op0 : ops) {
    model::Op op = op0;
    const bool token_split = sp > 1 && op.kind == model::OpKind::elementwise &&
                             (op.role == model::OpRole::norm || op.role == model::OpRole::residual);
    if (token_split) op.bytes /= sp, op.flops /= sp;
    const double sp_saved = sp > 1 && (op.kind == model::OpKind::gemm) && op.k == hidden ? 1.0 / sp : 1.0;
    const double f = cost.seconds(op, share);
    r.f += f;
    const double in_bytes = core::dtype_bytes(op.dtype);
    switch (op.kind) {
      case model::OpKind::gemm:
      case model::OpKind::grouped_gemm: {
        const double rows = op.flops / (2.0 * d(op.n) * d(op.k));
        const auto rows_i = static_cast<int64_t>(std::llround(rows));
        const auto dgrad = model::make_grouped_gemm_rows(op.name + ".dgrad", op.groups, rows_i, op.k, op.n, op.dtype);
        // Weight gradients accumulate into FP32 over the micro-batches (DeepSeek-V3 §3.3.3 and
        // Megatron's main_grad): the GEMM writes FP32.
        const auto wgrad = model::make_grouped_gemm(op.name + ".wgrad", op.groups, op.k, op.n,
                                                    std::max<int64_t>(1, rows_i / op.groups), op.dtype,
                                                    core::DType::fp32);
        r.b += cost.seconds(dgrad, share);
        r.w += cost.seconds(wgrad, share);
        if (op.dtype == core::DType::fp8) {
          // FP8 GEMMs need their inputs quantized in 1x128 tiles with an FP32 scale per tile
          // (DeepSeek-V3 §3.3.2): forward, the activation (read BF16, write FP8 and scales);
          // backward, the output gradient likewise, and for the weight gradient the cached FP8
          // activation read, transposed and re-quantized into 128x1 tiles (§3.5.2).
          const double q = 1.0 + 4.0 / 128;
          const double a_cells = rows * d(op.k), g_cells = rows * d(op.n);
          r.f += cost.seconds(model::make_elementwise(op.name + ".quant", a_cells * (2.0 + q), 3.0 * a_cells), share);
          r.b += cost.seconds(model::make_elementwise(op.name + ".grad_quant", g_cells * (2.0 + q), 3.0 * g_cells), share);
          r.w += cost.seconds(model::make_elementwise(op.name + ".requant_t", a_cells * 2.0 * q, 3.0 * a_cells), share);
        }
        // Selective recomputation re-runs MLA's up-projections from their saved (latent) inputs
        // (DeepSeek-V3 §3.2.3) instead of storing queries, keys and values.
        if (rc == Recompute::selective && mla && recompute_up && op.role == model::OpRole::latent_up_projection) {
          recompute += f;
        }
        r.act += rows * d(op.k) * in_bytes * sp_saved;
        break;
      }
      case model::OpKind::attention_prefill: {
        r.b += 2.5 * f;
        const double t = d(op.batch) * d(op.q_len) * d(op.heads);
        const double keys = d(op.batch) * d(op.kv_len) * d(op.heads);
        const double qkv = t * d(op.d_qk) * in_bytes + keys * (d(op.d_qk) + d(op.d_v)) * in_bytes;
        // The output O is the output projection's saved input (counted there); the log-sum-exp
        // is one FP32 per query and head.
        r.act += (rc == Recompute::selective && mla ? 0.0 : qkv) + t * 4.0;
        break;
      }
      default: {
        r.b += 2.0 * f;
        if (rc == Recompute::selective) recompute += f;
        else r.act += op.bytes / 2.0;
        break;
      }
    }
  }
  if (rc == Recompute::full) {
    recompute = r.f;
    r.act = layer_input_bytes;
  } else if (rc == Recompute::none) {
    recompute = 0;
  }
  r.b += recompute;
  return r;
}

struct Params {
  double shared = 0;  // replicated over DP (split by TP)
  double expert = 0;  // routed experts (split by EP)
};

// Layer split over `chunks` model chunks: as even as it goes; the lighter chunks (one layer
// fewer) are placed at the ends, last, first, second to last, ..., because the ends also carry
// the embedding, the output head and the MTP modules.
std::vector<int> split_layers(int layers, int chunks) {
  std::vector<int> out(static_cast<size_t>(chunks), layers / chunks);
  const int heavy = layers % chunks;
  if (heavy == 0) return out;
  const int light = chunks - heavy;
  std::vector<int> order;
  for (int i = 0; static_cast<int>(order.size()) < chunks; ++i) {
    order.push_back(chunks - 1 - i);
    if (static_cast<int>(order.size()) < chunks && i != chunks - 1 - i) order.push_back(i);
  }
  for (int i = 0; i < chunks; ++i) out[static_cast<size_t>(order[static_cast<size_t>(i)])] += i >= light ? 1 : 0;
  return out;
}

std::string describe_split(int layers, const std::vector<int>& chunks, std::string_view what) {
  const int lo = *std::min_element(chunks.begin(), chunks.end());
  const int hi = *std::max_element(chunks.begin(), chunks.end());
  if (lo == hi) return fmt::format("{} layers over {} {}: {} each", layers, chunks.size(), what, lo);
  std::vector<std::string> light;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i] == lo) light.push_back(std::to_string(i));
  }
  const auto n_hi = std::count(chunks.begin(), chunks.end(), hi);
  return fmt::format("{} layers over {} {} (uneven): {} x {}, {} x {} ({} {})", layers, chunks.size(), what, hi, n_hi,
                     lo, static_cast<long>(chunks.size()) - n_hi, what, core::join(light, ", "));
}

int model_chunks(const Layout& l) {
  if (l.schedule == Schedule::interleaved_1f1b) return l.pp * l.virtual_stages;
  if (l.schedule == Schedule::dualpipev) return 2 * l.pp;
  return l.pp;
}

// The model chunks a device holds, and the weight of each in its per-micro-batch work (DualPipe:
// half the micro-batches through each of its two stages).
std::vector<std::pair<int, double>> device_chunks(const Layout& l, int dev) {
  switch (l.schedule) {
    case Schedule::interleaved_1f1b: {
      std::vector<std::pair<int, double>> out;
      for (int v = 0; v < l.virtual_stages; ++v) out.push_back({dev + v * l.pp, 1.0});
      return out;
    }
    case Schedule::dualpipe:
      if (l.pp == 1) return {{0, 1.0}};
      return {{dev, 0.5}, {l.pp - 1 - dev, 0.5}};
    case Schedule::dualpipev: return {{dev, 1.0}, {2 * l.pp - 1 - dev, 1.0}};
    default: return {{dev, 1.0}};
  }
}

// The analytic collective model prices groups with the same number of GPUs on every node; the
// DP (dp cp GPUs, stride tp), expert-DP (edp, stride ep) and CP (cp, stride tp) groups of a
// layout can be uneven over nodes (3 nodes of 8, tp 2, pp 2: DP has 4 GPUs on node 0, 2 on
// node 1). The parallelism field of the first uneven group, or empty.
std::string uneven_group(const Layout& l) {
  auto regular = [&](int members, int stride) {
    std::vector<topo::GpuRef> g;
    for (int i = 0; i < members; ++i) g.push_back({i * stride / l.gpus_per_node, i * stride % l.gpus_per_node});
    return members < 2 || net::Group(std::move(g)).regular();
  };
  if (!regular(l.dp * l.cp, l.tp)) return "dp";
  if (!regular(l.edp, l.ep)) return "ep";
  if (!regular(l.cp, l.tp)) return "cp";
  return {};
}
constexpr const char* kUnevenGroup = "the analytic fidelity needs a group with the same GPUs on every node";

int ceil_div(double a, double b) { return static_cast<int>(std::ceil(a / b - 1e-9)); }

}  // namespace

double bubble_seconds(Schedule s, int pp, int v, double f, double b, double w, double fb) {
  if (pp <= 1) return 0;
  switch (s) {
    case Schedule::one_f_one_b: return (pp - 1) * (f + b);
    case Schedule::interleaved_1f1b: return (pp - 1) * (f + b) / std::max(1, v);
    case Schedule::zb1p: return std::max(0.0, (pp - 1) * (f + b - 2 * w));
    case Schedule::dualpipe: return std::max(0.0, (pp / 2.0 - 1) * (fb + b - 3 * w));
    // pp devices run 2pp stages of half a device's layers: (2pp/2 - 1) x half the device's times.
    case Schedule::dualpipev: return std::max(0.0, (pp - 1) * (fb + b - 3 * w) / 2.0);
  }
  return 0;
}

double activations_in_flight(Schedule s, int pp, int v, int micro_batches) {
  double peak = pp;
  switch (s) {
    case Schedule::one_f_one_b:
    case Schedule::zb1p: peak = pp; break;
    // Megatron (Narayanan et al. 2021, Korthikanti et al. 2022 §4.2.3): pp (1 + (pp-1)/(pp v)).
    case Schedule::interleaved_1f1b: peak = pp * (1.0 + (pp - 1.0) / (pp * std::max(1, v))); break;
    case Schedule::dualpipe: peak = pp + 1; break;
    // 2pp + 1 chunk activations of half a device's layers.
    case Schedule::dualpipev: peak = (2.0 * pp + 1) / 2.0; break;
  }
  return std::min(peak, static_cast<double>(std::max(1, micro_batches)));
}

// ---------------------------------------------------------------------------------------------

struct Trainer::Run {
  RunResult result;
};

struct Trainer::Cache {
  std::mutex mu;
  std::map<std::tuple<int, size_t, int, int, int, int, double>, double> comm;
  // (piece, tokens, sequences, kv_len, tp, ep, sp, recompute, comm_sms, corun, gemm, act)
  std::map<std::tuple<int, int64_t, int64_t, int64_t, int, int, int, int, int, bool, int, int>, Work> work;
};

namespace {
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
}  // namespace

Trainer::Trainer(const scenario::Scenario& s, const scenario::TrainingSpec& spec,
                 const calib::CalibrationSet& calibration)
    : Trainer(s, spec, calibration.for_gpu(s.gpu_of_node(spec.cluster.node))) {}

Trainer::Trainer(const scenario::Scenario& s, const scenario::TrainingSpec& spec, const calib::CalibrationTable& table)
    : spec_(spec),
      model_(s.model(spec.model)),
      node_(s.node(spec.cluster.node)),
      op_cost_(s.gpu_of_node(spec.cluster.node), table),
      comm_costs_(table.comm),
      topology_(std::make_unique<topo::Topology>(cluster_topology(s, spec))),
      analytic_(std::make_unique<net::AnalyticModel>(*topology_, comm_costs_)),
      cache_(std::make_unique<Cache>()) {}

Trainer::~Trainer() = default;

Layout Trainer::layout(const scenario::TrainingSpec& t, std::vector<Problem>& problems) const {
  const auto& p = t.parallelism;
  const auto& m = model_;
  auto fail = [&](const std::string& key, std::string msg) {
    problems.push_back({core::Infeasible::layout, where_parallel(t, key), "training.parallelism." + key, std::move(msg)});
  };
  Layout l;
  l.gpus_per_node = node_.gpus;
  l.nodes = t.cluster.nodes;
  l.gpus = l.nodes * l.gpus_per_node;
  l.tp = p.tp, l.pp = p.pp, l.cp = p.cp, l.ep = p.ep, l.zero = p.zero;
  l.schedule = p.schedule;
  l.virtual_stages = p.schedule == Schedule::interleaved_1f1b ? p.virtual_stages : 1;
  l.micro_batch = p.micro_batch;
  l.recompute = p.recompute;
  l.comm_sms = p.comm_sms;
  if (l.tp > l.gpus_per_node || l.gpus_per_node % l.tp != 0) {
    fail("tp", fmt::format("tp {} must divide the {} GPUs of a node (tensor parallelism stays inside a node)", l.tp,
                           l.gpus_per_node));
  }
  const int mp = l.tp * l.pp * l.cp;
  if (l.gpus % mp != 0) {
    fail("pp", fmt::format("tp x pp x cp = {} x {} x {} = {} does not divide the {} GPUs", l.tp, l.pp, l.cp, mp, l.gpus));
    l.dp = 1;
  } else {
    l.dp = l.gpus / mp;
  }
  if (p.dp > 0 && p.dp * mp != l.gpus) {
    fail("dp", fmt::format("dp x tp x pp x cp = {} x {} x {} x {} = {} GPUs, but the cluster has {}", p.dp, l.tp, l.pp,
                           l.cp, p.dp * mp, l.gpus));
  }
  if (m.attention.heads % l.tp != 0) {
    fail("tp", fmt::format("{} attention heads do not divide over tp {}", m.attention.heads, l.tp));
  }
  if (m.attention.kind == model::AttentionKind::gqa && m.attention.kv_heads % l.tp != 0 &&
      l.tp % m.attention.kv_heads != 0) {
    fail("tp", fmt::format("{} KV heads and tp {}: neither divides the other", m.attention.kv_heads, l.tp));
  }
  if (m.ffn_intermediate > 0 && m.ffn_intermediate % l.tp != 0) {
    fail("tp", fmt::format("FFN width {} does not divide over tp {}", m.ffn_intermediate, l.tp));
  }
  if (l.ep > 1 && !m.is_moe()) fail("ep", fmt::format("ep {} on a dense model ({} has no experts)", l.ep, m.id));
  if (m.is_moe()) {
    const int experts = m.moe->routed_experts;
    if (l.ep > experts) fail("ep", fmt::format("ep {} exceeds the {} routed experts", l.ep, experts));
    else if (experts % l.ep != 0) fail("ep", fmt::format("{} routed experts do not divide over ep {}", experts, l.ep));
  }
  const int dcp = l.dp * l.cp * l.tp;
  if (dcp % l.ep != 0) {
    fail("ep", fmt::format("ep {} must divide the DP x CP x TP group of {} x {} x {} = {} GPUs it is carved from", l.ep,
                           l.dp, l.cp, l.tp, dcp));
  }
  if (l.ep > l.gpus_per_node && l.ep % l.gpus_per_node != 0) {
    fail("ep", fmt::format("an EP group of {} GPUs spans nodes of {}: it must be whole nodes", l.ep, l.gpus_per_node));
  }
  l.edp = std::max(1, dcp / std::max(1, l.ep));
  if (l.comm_sms >= op_cost_.machine().sm_count()) {
    fail("comm_sms", fmt::format("comm_sms {} leaves no SM of the {} for compute", l.comm_sms,
                                 op_cost_.machine().sm_count()));
  }
  const int chunks = model_chunks(l);
  if (chunks > m.layers) {
    fail(l.schedule == Schedule::interleaved_1f1b ? "virtual_stages" : "pp",
         fmt::format("{} model chunks ({} schedule) for {} layers: at least one layer per chunk", chunks,
                     scenario::schedule_name(l.schedule), m.layers));
    l.chunk_layers.assign(static_cast<size_t>(std::max(1, chunks)), 1);
  } else {
    l.chunk_layers = split_layers(m.layers, chunks);
  }
  l.split = describe_split(m.layers, l.chunk_layers,
                           l.schedule == Schedule::dualpipev || l.schedule == Schedule::interleaved_1f1b ? "chunks"
                                                                                                         : "stages");
  return l;
}

namespace {

// Everything one micro-batch costs on one device, and what the device holds.
struct DeviceWork {
  Work work;
  Params params;
};

}  // namespace

StepResult Trainer::step(const scenario::TrainingSpec& t, const Layout& l, int64_t seq_len, double batch_sequences,
                         std::vector<Problem>* problems, bool with_timeline) const {
  return step_impl(t, l, seq_len, batch_sequences, problems, with_timeline, nullptr);
}

StepResult Trainer::step_impl(const scenario::TrainingSpec& t, const Layout& l, int64_t seq_len,
                              double batch_sequences, std::vector<Problem>* problems, bool with_timeline,
                              detail::StepDetail* detail) const {
  const auto& m = model_;
  const auto& prec = t.precision;
  const hw::GpuSpec& gpu = op_cost_.gpu();
  StepResult r;
  r.seq_len = seq_len;
  r.batch_sequences = batch_sequences;
  const int replicas = l.dp;
  const double exact_m = batch_sequences / (replicas * l.micro_batch);
  r.micro_batches = std::max(1, ceil_div(batch_sequences, replicas * l.micro_batch));
  if (std::abs(exact_m - r.micro_batches) > 1e-9) {
    r.notes.push_back(fmt::format("{:g} sequences over {} replicas x micro-batch {} = {:.3g} micro-batches: the "
                                  "busiest replica runs {}",
                                  batch_sequences, replicas, l.micro_batch, exact_m, r.micro_batches));
  }
  if ((l.schedule == Schedule::dualpipe || l.schedule == Schedule::dualpipev) && r.micro_batches < l.pp) {
    r.notes.push_back(fmt::format("{} micro-batches < {} stages: DualPipe's pipeline never fills; its bubble formula "
                                  "is a lower bound here",
                                  r.micro_batches, l.pp));
  }
  if (l.schedule == Schedule::interleaved_1f1b && r.micro_batches % l.pp != 0) {
    r.notes.push_back(fmt::format("interleaved 1F1B wants micro-batches ({}) a multiple of pp ({})", r.micro_batches, l.pp));
  }
  r.tokens = batch_sequences * d(seq_len);

  // One micro-batch's shape on one GPU.
  model::LayerShape s;
  s.sequences = l.micro_batch;
  const int64_t q_len = std::max<int64_t>(1, seq_len / l.cp);
  s.tokens = q_len * l.micro_batch;
  // Context parallel with load-balanced chunks: a query sees seq/2 keys on average; the op
  // model's causal attention sees kv_len - q_len/2, hence kv_len = (seq + q_len) / 2.
  if (l.cp > 1) s.kv_len = (seq_len + q_len) / 2;
  s.tp = l.tp;
  s.gemm = prec.gemm;
  s.act = prec.activations;
  calib::Share share;
  if (l.comm_sms > 0) share.sms = op_cost_.machine().sm_count() - l.comm_sms;
  // DualPipe's overlapped pairs run the compute kernels beside the all-to-all kernels: beyond the
  // SMs those take (comm_sms), the compute kernels share HBM, L2 and the memory system with them
  // and take the calibration's co-running slowdown (H800: DeepSeek's profile of an overlapped
  // pair, see calibration/data/h800.yaml and docs/training.md; 1 where nothing is measured).
  share.corun = (l.schedule == Schedule::dualpipe || l.schedule == Schedule::dualpipev) && m.is_moe() && l.ep > 1;
  const bool mla = m.attention.kind == model::AttentionKind::mla;
  const int sp = t.parallelism.sequence_parallel ? l.tp : 1;
  const double layer_input = d(s.tokens) * m.hidden * core::dtype_bytes(prec.activations) / sp;

  // Communication groups (ranks: tp fastest, then cp, dp, pp; GPU = rank / g, rank % g).
  const int g = l.gpus_per_node;
  auto gpu_of = [g](int rank) { return topo::GpuRef{rank / g, rank % g}; };
  auto estimate = [&](net::CollectiveOp op, std::vector<topo::GpuRef> members, double bytes) {
    if (members.size() < 2 || bytes <= 0) return 0.0;
    // Groups here are strided runs of ranks: the first two members and the size identify one.
    const auto key = std::tuple{static_cast<int>(op), members.size(), members[0].node, members[0].local,
                                members[1].node, members[1].local, bytes};
    {
      std::lock_guard lock(cache_->mu);
      if (auto it = cache_->comm.find(key); it != cache_->comm.end()) return it->second;
    }
    net::CollectiveSpec c(op, net::Group(std::move(members)), bytes);
    const double v = analytic_->estimate(c).time_s;
    std::lock_guard lock(cache_->mu);
    cache_->comm.emplace(key, v);
    return v;
  };

  // TP: two all-reduces of the layer's activations forward (after attention and after the FFN),
  // two backward (Megatron; with sequence parallelism a reduce-scatter and an all-gather each,
  // the same bytes).
  double tp_ar = 0;
  if (l.tp > 1) {
    std::vector<topo::GpuRef> tpg;
    for (int i = 0; i < l.tp; ++i) tpg.push_back(gpu_of(i));
    tp_ar = estimate(net::CollectiveOp::all_reduce, tpg, layer_input * sp);
  }
  // EP: dispatch and combine forward; backward the same two patterns (gradients before the
  // down projection go out in the dispatch format, DeepSeek-V3 §3.3.4, and come back combined).
  double ep_pair = 0;
  if (m.is_moe() && l.ep > 1) {
    std::vector<topo::GpuRef> epg;
    for (int i = 0; i < l.ep; ++i) epg.push_back(gpu_of(i));
    net::CollectiveSpec c(net::CollectiveOp::moe_dispatch, net::Group(epg));
    c.moe.tokens_per_gpu = std::max<int64_t>(1, s.tokens / l.tp);
    c.moe.hidden = m.hidden;
    c.moe.topk = m.moe->top_k;
    // Node-limited routing: the model's expert groups are the EP group's nodes (DeepSeek-V3: 8
    // groups = 8 nodes of EP64, at most 4 per token).
    c.moe.max_nodes = m.moe->limited_groups;
    c.moe.experts = m.moe->routed_experts;
    c.moe.dispatch_format = prec.dispatch == core::DType::fp8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
    c.moe.combine_format = prec.combine == core::DType::fp8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
    c.moe.routing = net::MoeRouting::expected;
    const auto key = std::tuple{-1, static_cast<size_t>(l.ep), static_cast<int>(c.moe.dispatch_format),
                                static_cast<int>(c.moe.combine_format), 0, 0, static_cast<double>(c.moe.tokens_per_gpu)};
    bool found = false;
    {
      std::lock_guard lock(cache_->mu);
      if (auto it = cache_->comm.find(key); it != cache_->comm.end()) ep_pair = it->second, found = true;
    }
    if (!found) {
      const double dispatch = analytic_->estimate(c).time_s;
      c.op = net::CollectiveOp::moe_combine;
      const double combine = analytic_->estimate(c).time_s;
      ep_pair = dispatch + combine;
      std::lock_guard lock(cache_->mu);
      cache_->comm.emplace(key, ep_pair);
    }
  }

  // CP: every rank needs the keys and values of the whole sequence: all-gathered forward (MLA:
  // the latent and the RoPE key; MHA/GQA: K and V of the rank's heads), their gradients
  // reduce-scattered backward.
  double cp_gather = 0, cp_reduce = 0;
  if (l.cp > 1) {
    const auto& a = m.attention;
    const double per_token = (mla ? a.kv_lora_rank + a.qk_rope_head_dim
                                  : 2.0 * std::max(1, a.kv_heads / l.tp) * a.head_dim) *
                             core::dtype_bytes(prec.activations);
    std::vector<topo::GpuRef> cpg;
    for (int i = 0; i < l.cp; ++i) cpg.push_back(gpu_of(i * l.tp));
    const double bytes = d(seq_len) * l.micro_batch * per_token;
    cp_gather = estimate(net::CollectiveOp::all_gather, cpg, bytes);
    cp_reduce = estimate(net::CollectiveOp::reduce_scatter, cpg, bytes);
  }

  // Per-layer work, priced once per kind of layer.
  auto memo = [&](int piece, int recompute, auto&& compute) {
    const auto key = std::tuple{piece, s.tokens, s.sequences, s.kv_len, l.tp, l.ep, sp, recompute, l.comm_sms,
                                share.corun, static_cast<int>(prec.gemm), static_cast<int>(prec.activations)};
    {
      std::lock_guard lock(cache_->mu);
      if (auto it = cache_->work.find(key); it != cache_->work.end()) return it->second;
    }
    const Work w = compute();
    std::lock_guard lock(cache_->mu);
    cache_->work.emplace(key, w);
    return w;
  };
  auto layer_work = [&](int layer) {
    Work w = memo(m.is_moe_layer(layer) ? 1 : 0, static_cast<int>(l.recompute), [&] {
      model::LayerShape ls = s;
      if (m.is_moe_layer(layer)) {
        ls.expert_tokens = s.tokens * m.moe->top_k / l.tp;
        ls.local_experts = std::max(1, m.moe->routed_experts / l.ep);
      }
      auto ops = model::attention_ops(m, ls);
      for (auto& op : model::ffn_ops(m, layer, ls)) ops.push_back(std::move(op));
      return price(ops, op_cost_, share, l.recompute, mla, layer_input, sp, m.hidden);
    });
    w.tp_f = 2 * tp_ar;
    w.tp_b = 2 * tp_ar;
    w.cp_f = cp_gather;
    w.cp_b = cp_reduce;
    if (m.is_moe_layer(layer)) w.ep_f = w.ep_b = ep_pair;
    return w;
  };
  Work dense = m.dense_ffn_layers() > 0 ? layer_work(0) : Work{};
  Work moe = m.is_moe() ? layer_work(m.layers - 1) : Work{};
  // The embedding's backward needs only the token ids: nothing saved (a gather's gradient is a
  // scatter-add of twice its traffic).
  Work embed = memo(2, 0, [&] { return price(model::embedding_ops(m, s), op_cost_, share, Recompute::none, mla, 0); });
  embed.act = 0;
  // The output head under the same policy: with recomputation the logits are recomputed from
  // the saved head input in the backward pass (a fused linear cross-entropy) instead of stored.
  Work head = memo(3, static_cast<int>(l.recompute), [&] {
    return price(model::head_ops(m, s), op_cost_, share, l.recompute, mla, layer_input);
  });
  Work mtp;
  if (m.mtp_depth > 0) {
    model::LayerShape ls = s;
    if (m.is_moe()) {
      ls.expert_tokens = s.tokens * m.moe->top_k / l.tp;
      ls.local_experts = std::max(1, m.moe->routed_experts / l.ep);
    }
    mtp = memo(4, static_cast<int>(l.recompute), [&] {
            return price(model::mtp_ops(m, ls), op_cost_, share, l.recompute, mla, layer_input, sp, m.hidden, false);
          }).scaled(m.mtp_depth);
    if (m.is_moe()) mtp.ep_f = mtp.ep_b = ep_pair * m.mtp_depth;
    mtp.tp_f = mtp.tp_b = 2 * tp_ar * m.mtp_depth;
    mtp.cp_f = cp_gather * m.mtp_depth;
    mtp.cp_b = cp_reduce * m.mtp_depth;
  }

  // Parameters of one layer, split into what DP replicates and what EP spreads.
  const double attn_p = model::attention_params(m) + model::layer_norm_params(m);
  Params dense_p{attn_p + (m.ffn_intermediate > 0 ? model::dense_ffn_params(m, m.ffn_intermediate) : 0.0), 0};
  Params moe_p;
  if (m.is_moe()) {
    moe_p.shared = attn_p + model::router_params(m) + m.moe->shared_experts * model::expert_params(m);
    moe_p.expert = m.moe->routed_experts * model::expert_params(m);
  }
  const auto counts = model::count_params(m);
  const double head_p = m.tied_embeddings ? 0.0 : counts.output_head;

  // Chunks in model order.
  const int chunks = static_cast<int>(l.chunk_layers.size());
  std::vector<DeviceWork> chunk(static_cast<size_t>(chunks));
  int first = 0;
  for (int c = 0; c < chunks; ++c) {
    auto& cw = chunk[static_cast<size_t>(c)];
    for (int i = first; i < first + l.chunk_layers[static_cast<size_t>(c)]; ++i) {
      const bool is_moe = m.is_moe_layer(i);
      cw.work += is_moe ? moe : dense;
      const Params& pp = is_moe ? moe_p : dense_p;
      cw.params.shared += pp.shared;
      cw.params.expert += pp.expert;
    }
    first += l.chunk_layers[static_cast<size_t>(c)];
    if (c == 0) {
      cw.work += embed;
      cw.params.shared += counts.embedding;
    }
    if (c == chunks - 1) {
      cw.work += head;
      cw.params.shared += head_p;
      if (m.mtp_depth > 0) {
        // DeepSeek-V3 §3.2.3: the MTP modules sit on the last stage, sharing its embedding and head.
        cw.work += mtp;
        cw.params.shared += counts.mtp_total - (m.is_moe() ? m.mtp_depth * moe_p.expert : 0.0);
        cw.params.expert += m.is_moe() ? m.mtp_depth * moe_p.expert : 0.0;
      }
    }
  }

  // Devices: per-micro-batch work and held parameters; the busiest sets the pace.
  const bool dual = l.schedule == Schedule::dualpipe || l.schedule == Schedule::dualpipev;
  auto pair_time = [](const Work& w) { return std::max(w.f + w.b + w.w, w.ep_f + w.ep_b); };
  auto per_mb = [&](const Work& w) {
    return dual ? pair_time(w) + w.tp_f + w.tp_b + w.cp_f + w.cp_b
                : w.f + w.b + w.w + w.ep_f + w.ep_b + w.tp_f + w.tp_b + w.cp_f + w.cp_b;
  };
  DeviceWork busiest;
  double busiest_time = -1;
  double peak_memory_device = -1;
  MemoryBreakdown mem;
  const double shared_shard = l.dp * l.cp;  // ZeRO shards what DP (and CP) replicate
  const double expert_shard = l.edp;
  const double w_bytes = core::dtype_bytes(prec.weights), g_bytes = core::dtype_bytes(prec.gradients);
  const double master_bytes = prec.master == prec.weights ? 0.0 : core::dtype_bytes(prec.master);
  const double mom_bytes = 2 * core::dtype_bytes(prec.moments);
  std::vector<double> device_time(static_cast<size_t>(l.pp));
  for (int dev = 0; dev < l.pp; ++dev) {
    DeviceWork dw;
    Params held;
    for (auto [c, weight] : device_chunks(l, dev)) {
      dw.work += chunk[static_cast<size_t>(c)].work.scaled(weight);
      held.shared += chunk[static_cast<size_t>(c)].params.shared;
      held.expert += chunk[static_cast<size_t>(c)].params.expert;
    }
    // Activations per micro-batch: DualPipe keeps one stage's worth per micro-batch in flight.
    if (l.schedule == Schedule::dualpipe && l.pp > 1) dw.work.act = std::max(chunk[static_cast<size_t>(dev)].work.act,
                                                                             chunk[static_cast<size_t>(l.pp - 1 - dev)].work.act);
    if (l.schedule == Schedule::dualpipev) dw.work.act /= 2;  // activations counted in chunk units below
    dw.params.shared = held.shared / l.tp;
    dw.params.expert = held.expert / (l.ep > 1 ? l.ep : l.tp);
    if (detail) detail->device.push_back(dw.work);
    const double t_dev = per_mb(dw.work);
    device_time[static_cast<size_t>(dev)] = t_dev;
    if (t_dev > busiest_time) busiest_time = t_dev, busiest = dw;

    // Memory of this device.
    MemoryBreakdown mb;
    const double p_all = dw.params.shared + dw.params.expert;
    const double p_shard = dw.params.shared / shared_shard + dw.params.expert / expert_shard;
    mb.params = p_all;
    mb.weights = (l.zero >= 3 ? p_shard : p_all) * w_bytes;
    mb.gradients = (l.zero >= 2 ? p_shard : p_all) * g_bytes;
    mb.master = (l.zero >= 1 ? p_shard : p_all) * master_bytes;
    mb.moments = (l.zero >= 1 ? p_shard : p_all) * mom_bytes;
    mb.in_flight = activations_in_flight(l.schedule, l.pp, l.virtual_stages, r.micro_batches);
    const double act_unit = l.schedule == Schedule::dualpipev ? 2 * dw.work.act : dw.work.act;
    mb.activations = act_unit * mb.in_flight;
    mb.reserve = t.memory_reserve_bytes;
    mb.capacity = gpu.hbm_bytes;
    mb.total = mb.weights + mb.gradients + mb.master + mb.moments + mb.activations + mb.reserve;
    if (mb.total > peak_memory_device) peak_memory_device = mb.total, mem = mb;
  }
  r.memory = mem;
  if (problems && mem.total > mem.capacity) {
    problems->push_back(
        {core::Infeasible::memory, where_parallel(t, "recompute"), "training.parallelism",
         fmt::format("out of memory at sequence {}: {} per GPU needed, {} of HBM: weights {}, gradients {}, master {}, "
                     "moments {}, activations {} ({:.3g} micro-batches in flight), reserve {}",
                     seq_len, gib(mem.total), gib(mem.capacity), gib(mem.weights), gib(mem.gradients), gib(mem.master),
                     gib(mem.moments), gib(mem.activations), mem.in_flight, gib(mem.reserve))});
  }

  const Work& w = busiest.work;
  const int M = r.micro_batches;
  r.f_s = w.f, r.b_s = w.b + w.w, r.w_s = w.w, r.ep_f_s = w.ep_f, r.ep_b_s = w.ep_b;
  r.per_micro_batch_s = per_mb(w);
  const double compute = M * (w.f + w.b + w.w);
  const double ep_exposed = dual ? M * (pair_time(w) - (w.f + w.b + w.w)) : M * (w.ep_f + w.ep_b);
  const double tp_exposed = M * (w.tp_f + w.tp_b);
  const double cp_exposed = M * (w.cp_f + w.cp_b);
  const double ft = dual ? w.f : w.f + w.ep_f + w.tp_f + w.cp_f;
  const double bt = dual ? w.b + w.w : w.b + w.w + w.ep_b + w.tp_b + w.cp_b;
  const double bubble = bubble_seconds(l.schedule, l.pp, l.virtual_stages, ft, bt, w.w, per_mb(w));

  // Pipeline sends: one activation (forward) and one gradient (backward) per stage boundary
  // and micro-batch. Hidden behind compute in steady state; exposed along the fill and the drain
  // (2 (pp - 1) sends) except under DualPipe, which overlaps them (DeepSeek-V3 §3.2.1).
  double pp_exposed = 0;
  if (l.pp > 1 && !dual) {
    const double t_p2p =
        estimate(net::CollectiveOp::p2p, {gpu_of(0), gpu_of(l.tp * l.cp * l.dp)}, layer_input);
    pp_exposed = 2.0 * (l.pp - 1) * t_p2p;
  }

  // DP: gradients reduce-scattered (ZeRO >= 1) or all-reduced (ZeRO-0) over the replicas, the
  // reduction of the last micro-batch's backward overlapping it; then the updated weights
  // all-gathered (ZeRO >= 1). Experts sync over their own replicas.
  double dp_exposed = 0;
  {
    std::vector<topo::GpuRef> dpg, edpg;
    for (int i = 0; i < l.dp * l.cp; ++i) dpg.push_back(gpu_of(i * l.tp));
    for (int i = 0; i < l.edp; ++i) edpg.push_back(gpu_of(i * l.ep));
    const auto& P = busiest.params;
    double reduce = 0, gather = 0;
    if (l.zero == 0) {
      reduce = estimate(net::CollectiveOp::all_reduce, dpg, P.shared * g_bytes) +
               estimate(net::CollectiveOp::all_reduce, edpg, P.expert * g_bytes);
    } else {
      reduce = estimate(net::CollectiveOp::reduce_scatter, dpg, P.shared * g_bytes) +
               estimate(net::CollectiveOp::reduce_scatter, edpg, P.expert * g_bytes);
      gather = estimate(net::CollectiveOp::all_gather, dpg, P.shared * w_bytes) +
               estimate(net::CollectiveOp::all_gather, edpg, P.expert * w_bytes);
    }
    dp_exposed = std::max(0.0, reduce - bt) + gather;
    if (l.zero >= 3) {
      // ZeRO-3 gathers the weights before each micro-batch's forward and backward, prefetched
      // behind the previous one's compute.
      dp_exposed += M * std::max(0.0, 2 * gather - (w.f + w.b + w.w));
      r.per_micro_batch_s += std::max(0.0, 2 * gather - (w.f + w.b + w.w));
    }
  }

  // Optimizer: AdamW over the GPU's shard, an HBM stream: read the gradient, read and write the
  // master weight and the two moments, write the working weight.
  double optimizer = 0;
  {
    const auto& P = busiest.params;
    const double shard = l.zero >= 1 ? P.shared / shared_shard + P.expert / expert_shard : P.shared + P.expert;
    const double bytes = shard * (g_bytes + 2 * (master_bytes > 0 ? master_bytes : w_bytes) + 2 * mom_bytes + w_bytes);
    optimizer = op_cost_.seconds(model::make_elementwise("optimizer.adamw", bytes, 12.0 * shard));
  }

  if (detail) {
    for (const auto& c : chunk) detail->chunk.push_back(c.work);
    detail->p2p_bytes = layer_input;
    detail->dp_exposed = dp_exposed;
    detail->optimizer = optimizer;
  }
  r.step_time_s = compute + ep_exposed + tp_exposed + cp_exposed + bubble + pp_exposed + dp_exposed + optimizer;
  r.breakdown = {{"compute", compute},
                 {"exposed_ep_comm", ep_exposed},
                 {"exposed_tp_comm", tp_exposed},
                 {"exposed_cp_comm", cp_exposed},
                 {"pipeline_bubble", bubble},
                 {"exposed_pp_comm", pp_exposed},
                 {"exposed_dp_comm", dp_exposed},
                 {"optimizer", optimizer}};
  r.model_flops = model::train_flops_per_token(m, seq_len, true, false).total * r.tokens;
  r.mfu = r.model_flops / (r.step_time_s * l.gpus * gpu.peak_flops_per_s(core::DType::bf16));
  r.tokens_per_s_per_gpu = r.tokens / (r.step_time_s * l.gpus);

  if (with_timeline) {
    // A schematic of the step for each device: fill, the micro-batches' forward and backward
    // (DualPipe: overlapped pairs), drain, gradient sync and optimizer.
    for (int dev = 0; dev < l.pp; ++dev) {
      const std::string lane = fmt::format("stage {} compute", dev);
      const double fill = l.pp > 1 ? bubble * dev / (l.pp - 1) : 0.0;
      double at = 0;
      if (fill > 0) r.timeline.push_back({lane, "pipeline fill", "bubble", 0, fill}), at = fill;
      const double scale = busiest_time > 0 ? device_time[static_cast<size_t>(dev)] / busiest_time : 1.0;
      for (int k = 0; k < M; ++k) {
        if (dual) {
          const double pt = per_mb(w) * scale;
          r.timeline.push_back({lane, fmt::format("F{}+B{}", k, k), "compute", at, at + pt});
          if (w.ep_f + w.ep_b > 0) {
            r.timeline.push_back({fmt::format("stage {} comm", dev), fmt::format("all-to-all {}", k), "ep", at,
                                  at + (w.ep_f + w.ep_b) * scale});
          }
          at += pt;
        } else {
          const double f = ft * scale, b = bt * scale;
          r.timeline.push_back({lane, fmt::format("F{}", k), "compute", at, at + f});
          r.timeline.push_back({lane, fmt::format("B{}", k), "compute", at + f, at + f + b});
          at += f + b;
        }
      }
      const double pipe_end = compute + ep_exposed + tp_exposed + cp_exposed + bubble + pp_exposed;
      if (pipe_end > at) r.timeline.push_back({lane, "pipeline drain", "bubble", at, pipe_end});
      r.timeline.push_back({lane, "gradient sync", "dp", pipe_end, pipe_end + dp_exposed});
      r.timeline.push_back({lane, "optimizer", "optimizer", pipe_end + dp_exposed, r.step_time_s});
    }
  }
  return r;
}

Layout Trainer::fit_stage(const scenario::TrainingSpec& t, const Layout& base, const scenario::StageSpec& stage,
                          std::vector<std::string>& notes) const {
  // The layout of a stage other than the main one (a long-context extension) is seldom published:
  // the main stage's layout, or the same GPUs with full recomputation and/or the sequence split
  // over more GPUs (context parallel, taken from DP), the levers Megatron and DeepSeek use for
  // long sequences. The fastest that fits is taken and stated.
  std::vector<Layout> candidates;
  for (int cp = base.cp; cp <= base.dp * base.cp; cp *= 2) {
    if ((base.dp * base.cp) % cp != 0 || stage.seq_len % (cp == base.cp ? cp : 2 * cp) != 0) continue;
    Layout c = base;
    c.cp = cp;
    c.dp = base.dp * base.cp / cp;
    if (c.dp * c.micro_batch > stage.batch_sequences) break;
    candidates.push_back(c);
    if (c.recompute != Recompute::full) {
      c.recompute = Recompute::full;
      candidates.push_back(c);
    }
  }
  const Layout* best = nullptr;
  double best_s = 0;
  for (const auto& c : candidates) {
    if (!uneven_group(c).empty()) continue;
    std::vector<Problem> p;
    const double t_s = step(t, c, stage.seq_len, stage.batch_sequences, &p).step_time_s;
    if (p.empty() && (!best || t_s < best_s)) best = &c, best_s = t_s;
  }
  if (!best) return base;
  if (best->cp != base.cp || best->recompute != base.recompute) {
    notes.push_back(fmt::format("layout chosen for this stage (fastest that fits): context parallel {} (dp {}), {} "
                                "recomputation",
                                best->cp, best->dp, best->recompute == Recompute::full ? "full" : "as the main stage's"));
  }
  return *best;
}

Trainer::Run Trainer::run_stages(const scenario::TrainingSpec& t, EngineKind engine, bool with_timeline,
                                 std::vector<Problem>& problems) const {
  Run run;
  RunResult& r = run.result;
  r.model = model_.id;
  r.gpu = op_cost_.gpu().id;
  r.node = node_.id;
  r.engine = engine;
  const auto& asked = t.cluster;
  const auto& built = spec_.cluster;
  if (asked.node != built.node || asked.nodes != built.nodes || asked.fabric.kind != built.fabric.kind ||
      asked.fabric.switch_id != built.fabric.switch_id ||
      asked.fabric.oversubscription != built.fabric.oversubscription || asked.fabric.planes != built.fabric.planes) {
    problems.push_back({core::Infeasible::capacity, where_training(t, "cluster"), "training.cluster",
                        fmt::format("this Trainer was built for {} x {}; build one for {} x {}", built.nodes,
                                    built.node, asked.nodes, asked.node)});
    return run;
  }
  const Layout base = layout(t, problems);
  r.layout = base;
  r.gpus = base.gpus;
  r.nodes = base.nodes;
  r.rental_usd_per_gpu_hour = t.rental_usd_per_gpu_hour;
  if (!problems.empty()) return run;
  if (t.stages.empty()) {
    problems.push_back({core::Infeasible::input, where_training(t, "stages"), "training.stages", "the run has no stages"});
    return run;
  }
  if (const std::string key = uneven_group(base); !key.empty()) {
    problems.push_back({core::Infeasible::layout, where_parallel(t, key), "training.parallelism." + key, kUnevenGroup});
    return run;
  }
  // The main stage: the one with the most tokens.
  const size_t main = main_stage(t);
  auto price_step = [&](const Layout& l, const scenario::StageSpec& st, double batch, std::vector<Problem>* pr,
                        bool timeline) {
    return engine == EngineKind::event ? step_event(t, l, st.seq_len, batch, timeline)
                                       : step(t, l, st.seq_len, batch, pr, timeline);
  };
  double total_s = 0;
  for (size_t i = 0; i < t.stages.size(); ++i) {
    const auto& st = t.stages[i];
    StageResult sr;
    sr.name = st.name;
    sr.seq_len = st.seq_len;
    sr.batch_sequences = st.batch_sequences;
    const auto st_where = location_of(st.provenance, "batch");
    if (st.batch_sequences < base.dp * base.micro_batch && i == main) {
      problems.push_back({core::Infeasible::layout, st_where, fmt::format("training.stages[{}].batch", i),
                          fmt::format("a batch of {:g} sequences cannot feed {} replicas x micro-batch {}",
                                      st.batch_sequences, base.dp, base.micro_batch)});
      return run;
    }
    if (st.seq_len % base.cp != 0) {
      problems.push_back({core::Infeasible::layout, location_of(st.provenance, "seq_len"), fmt::format("training.stages[{}].seq_len", i),
                          fmt::format("sequence {} does not divide over cp {}", st.seq_len, base.cp)});
      return run;
    }
    sr.layout = i == main ? base : fit_stage(t, base, st, sr.notes);
    std::vector<Problem> stage_problems;
    sr.step = price_step(sr.layout, st, st.batch_sequences, &stage_problems, with_timeline && i == main);
    if (engine == EngineKind::event) step(t, sr.layout, st.seq_len, st.batch_sequences, &stage_problems);
    for (auto& p : stage_problems) {
      p.message = fmt::format("stage '{}': {}", st.name, p.message);
      problems.push_back(std::move(p));
    }
    for (const auto& n : sr.step.notes) sr.notes.push_back(n);
    sr.step_time_s = sr.step.step_time_s;
    sr.tokens = stage_tokens(st);
    double seconds = 0, steps = 0, left = sr.tokens;
    if (st.ramp) {
      // The batch grows linearly from `from` to the stage's batch over `over` tokens: priced in
      // segments at their mid-point batch (step time is piecewise linear in micro-batches).
      constexpr int kSegments = 16;
      const double over = std::min(st.ramp->over_tokens, sr.tokens);
      for (int k = 0; k < kSegments; ++k) {
        const double b = st.ramp->from_sequences +
                         (st.batch_sequences - st.ramp->from_sequences) * (k + 0.5) / kSegments;
        const double seg_tokens = over / kSegments;
        const double seg_steps = seg_tokens / (b * d(st.seq_len));
        // The analytic step is affine in the micro-batches: no need to price it again.
        const double seg_step =
            engine == EngineKind::analytic
                ? sr.step.step_time_s + (ceil_div(b, sr.layout.dp * sr.layout.micro_batch) - sr.step.micro_batches) *
                                            sr.step.per_micro_batch_s
                : price_step(sr.layout, st, b, nullptr, false).step_time_s;
        seconds += seg_steps * seg_step;
        steps += seg_steps;
      }
      left -= over;
    }
    const double full_steps = left / (st.batch_sequences * d(st.seq_len));
    seconds += full_steps * sr.step_time_s;
    steps += full_steps;
    sr.steps = steps;
    sr.gpu_hours = seconds * base.gpus / 3600.0;
    sr.days = seconds / 86400.0;
    total_s += seconds;
    r.gpu_hours_total += sr.gpu_hours;
    r.tokens_total += sr.tokens;
    if (i == main) {
      r.step = sr.step;
      r.gpu_hours_per_trillion_tokens = 1e12 / sr.step.tokens_per_s_per_gpu / 3600.0;
    }
    r.stages.push_back(std::move(sr));
  }
  r.wall_clock_days = total_s / 86400.0;
  r.rental_usd_total = r.gpu_hours_total * t.rental_usd_per_gpu_hour;
  return run;
}

RunResult Trainer::run(EngineKind engine, bool with_timeline) const {
  std::vector<Problem> problems;
  Run run = run_stages(spec_, engine, with_timeline, problems);
  if (!problems.empty()) throw_problem(problems.front());
  return std::move(run.result);
}

TrainingEstimate Trainer::estimate(const scenario::TrainingSpec& spec) const {
  TrainingEstimate e;
  Run run = run_stages(spec, EngineKind::analytic, false, e.problems);
  const auto& r = run.result;
  e.feasible = e.problems.empty();
  e.step_time_s = r.step.step_time_s;
  e.mfu = r.step.mfu;
  e.tokens_per_s_per_gpu = r.step.tokens_per_s_per_gpu;
  e.memory_per_gpu_bytes = r.step.memory.total;
  e.gpu_hours_total = r.gpu_hours_total;
  e.wall_clock_days = r.wall_clock_days;
  e.rental_usd_total = r.rental_usd_total;
  return e;
}

double stage_tokens(const scenario::StageSpec& st) {
  return st.tokens ? *st.tokens : st.steps.value_or(0) * st.batch_sequences * d(st.seq_len);
}

size_t main_stage(const scenario::TrainingSpec& t) {
  size_t main = 0;
  for (size_t i = 1; i < t.stages.size(); ++i) {
    if (stage_tokens(t.stages[i]) > stage_tokens(t.stages[main])) main = i;
  }
  return main;
}

TrainingEstimate estimate(const scenario::Scenario& s, const scenario::TrainingSpec& spec,
                          const calib::CalibrationSet& calibration) {
  TrainingEstimate e;
  if (!s.models.count(spec.model) || !s.nodes.count(spec.cluster.node) ||
      !s.switches.count(spec.cluster.fabric.switch_id)) {
    e.problems.push_back({core::Infeasible::input, where_training(spec, "model"), "training",
                          fmt::format("model '{}', node '{}' or switch '{}' is not among the scenario's resolved "
                                      "catalog entries",
                                      spec.model, spec.cluster.node, spec.cluster.fabric.switch_id)});
    return e;
  }
  // A cluster its fabric cannot join (more NICs than the switches' tiers hold) is a capacity
  // problem, found before the topology is built; the message is the fabric model's.
  const auto ts = cluster_topology(s, spec);
  const int planes = ts.fabric == topo::FabricKind::multiplane_fat_tree ? (ts.planes > 0 ? ts.planes : ts.node.nics) : 1;
  const int64_t endpoints = static_cast<int64_t>(ts.nodes) * ts.node.nics;
  if (ts.fabric_switch.ports >= 2 && ts.oversubscription >= 1 && planes >= 1) {
    const int64_t limit = topo::max_endpoints(ts.fabric, ts.fabric_switch.ports, ts.oversubscription, planes);
    if (endpoints > limit) {
      e.problems.push_back(
          {core::Infeasible::capacity, where_training(spec, "cluster"), "training.cluster",
           fmt::format("a {} of {}-port switches joins at most {} endpoints (oversubscription {}, {} plane(s)); {} "
                       "requested: use more planes, a three-tier fabric, or oversubscribe",
                       topo::fabric_kind_name(ts.fabric), ts.fabric_switch.ports, limit, ts.oversubscription, planes,
                       endpoints)});
      return e;
    }
  }
  const Trainer t(s, spec, calibration);
  return t.estimate(spec);
}

// ---------------------------------------------------------------------------------------------

namespace {
core::Json memory_json(const MemoryBreakdown& m) {
  core::Json parts = core::Json::array();
  for (auto [name, v] : {std::pair{"weights", m.weights}, {"gradients", m.gradients}, {"master_weights", m.master},
                         {"optimizer_moments", m.moments}, {"activations", m.activations}, {"reserve", m.reserve}}) {
    parts.push_back({{"part", name}, {"bytes", v}});
  }
  return parts;
}
}  // namespace

core::Json training_json(const RunResult& r, bool with_timeline) {
  core::Json j;
  j["model"] = r.model;
  j["gpu"] = r.gpu;
  j["gpus"] = r.gpus;
  j["nodes"] = r.nodes;
  j["engine"] = std::string(engine_name(r.engine));
  const auto& l = r.layout;
  j["parallelism"] = {{"dp", l.dp}, {"tp", l.tp}, {"pp", l.pp}, {"cp", l.cp}, {"ep", l.ep}, {"zero", l.zero},
                      {"schedule", std::string(scenario::schedule_name(l.schedule))},
                      {"micro_batches", r.step.micro_batches}, {"layer_split", l.split}};
  j["step_time_s"] = r.step.step_time_s;
  j["tokens_per_step"] = r.step.tokens;
  j["tokens_per_s_per_gpu"] = r.step.tokens_per_s_per_gpu;
  j["mfu"] = r.step.mfu;
  j["model_flops_per_step"] = r.step.model_flops;
  j["gpu_hours_per_trillion_tokens"] = r.gpu_hours_per_trillion_tokens;
  j["gpu_hours_total"] = r.gpu_hours_total;
  j["wall_clock_days"] = r.wall_clock_days;
  j["memory_per_gpu_bytes"] = r.step.memory.total;
  j["memory_capacity_bytes"] = r.step.memory.capacity;
  j["memory_breakdown"] = memory_json(r.step.memory);
  j["rental_usd_per_gpu_hour"] = r.rental_usd_per_gpu_hour;
  j["rental_usd_total"] = r.rental_usd_total;
  core::Json parts = core::Json::array();
  for (const auto& p : r.step.breakdown) parts.push_back({{"part", p.part}, {"seconds", p.seconds}});
  j["breakdown"] = parts;
  j["per_micro_batch"] = {{"forward_s", r.step.f_s}, {"backward_s", r.step.b_s}, {"weight_grad_s", r.step.w_s},
                          {"ep_forward_s", r.step.ep_f_s}, {"ep_backward_s", r.step.ep_b_s}};
  core::Json stages = core::Json::array();
  for (const auto& s : r.stages) {
    core::Json notes = core::Json::array();
    for (const auto& n : s.notes) notes.push_back(n);
    stages.push_back({{"name", s.name}, {"seq_len", s.seq_len}, {"batch", s.batch_sequences}, {"tokens", s.tokens},
                      {"steps", s.steps}, {"step_time_s", s.step_time_s}, {"mfu", s.step.mfu},
                      {"gpu_hours", s.gpu_hours}, {"days", s.days},
                      {"memory_per_gpu_bytes", s.step.memory.total},
                      {"recompute", s.layout.recompute == Recompute::full        ? "full"
                                    : s.layout.recompute == Recompute::selective ? "selective"
                                                                                 : "none"},
                      {"cp", s.layout.cp}, {"notes", notes}});
  }
  j["stages"] = stages;
  if (with_timeline) {
    core::Json tl = core::Json::array();
    for (const auto& e : r.step.timeline) {
      tl.push_back({{"lane", e.lane}, {"name", e.name}, {"kind", e.kind}, {"start_s", e.start_s}, {"end_s", e.end_s}});
    }
    j["timeline"] = tl;
  }
  return j;
}

core::Json trace_json(const RunResult& r) {
  core::Json events = core::Json::array();
  std::vector<std::string> lanes;
  for (const auto& e : r.step.timeline) {
    if (std::find(lanes.begin(), lanes.end(), e.lane) == lanes.end()) lanes.push_back(e.lane);
  }
  for (size_t i = 0; i < lanes.size(); ++i) {
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 0}, {"tid", i}, {"args", {{"name", lanes[i]}}}});
  }
  for (const auto& e : r.step.timeline) {
    const auto tid = std::find(lanes.begin(), lanes.end(), e.lane) - lanes.begin();
    events.push_back({{"ph", "X"}, {"cat", e.kind}, {"name", e.name}, {"pid", 0}, {"tid", tid},
                      {"ts", e.start_s * 1e6}, {"dur", (e.end_s - e.start_s) * 1e6}});
  }
  return core::Json{{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

}  // namespace fleetsim::train
