#include "serve/unit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "model/analytics.h"
#include "model/layer_ops.h"
#include "net/analytic.h"
#include "net/collective.h"

namespace fleetsim::serve {

namespace {

using core::DType;


// Why unit `u` (at `field`) cannot run, blamed on its field `key`.
core::Infeasibility infeasible(core::Infeasible kind, const scenario::UnitSpec& u, const std::string& field,
                               const std::string& key, std::string message) {
  return {kind, core::location_of(u.provenance, key), field + "." + key, std::move(message)};
}

int64_t ceil_i(double v) { return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(v - 1e-9))); }

double gib(double bytes) { return bytes / (1024.0 * 1024.0 * 1024.0); }

}  // namespace

UnitModel::~UnitModel() = default;
UnitModel::UnitModel(UnitModel&&) noexcept = default;

UnitModel::UnitModel(const scenario::Scenario& s, const scenario::ServingSpec& sv, const scenario::UnitSpec& unit,
                     std::string field, Role role, const calib::CalibrationSet& calibration)
    : UnitModel(s, sv, unit, std::move(field), role, calibration, nullptr) {}

std::optional<UnitModel> UnitModel::make(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                                         const scenario::UnitSpec& unit, std::string field, Role role,
                                         const calib::CalibrationSet& calibration,
                                         std::vector<core::Infeasibility>& why) {
  std::optional<core::Infeasibility> failed;
  UnitModel u(s, sv, unit, std::move(field), role, calibration, &failed);
  if (failed) {
    why.push_back(std::move(*failed));
    return std::nullopt;
  }
  return std::optional<UnitModel>(std::move(u));
}

UnitModel::UnitModel(const scenario::Scenario& s, const scenario::ServingSpec& sv, const scenario::UnitSpec& unit,
                     std::string field, Role role, const calib::CalibrationSet& calibration,
                     std::optional<core::Infeasibility>* why)
    : model_(s.model(sv.model)), unit_(unit), precision_(sv.precision), field_(std::move(field)), role_(role) {
  // The first failed check ends construction: kept in *why, or raised as an InputError.
  const auto stop = [&](core::Infeasible kind, const std::string& key, std::string message) {
    core::Infeasibility w = infeasible(kind, unit, field_, key, std::move(message));
    if (!why) core::raise(w);
    *why = std::move(w);
  };
  const auto& node = s.node(sv.node);
  const auto& gpu = s.gpu_of_node(sv.node);
  gpu_id_ = gpu.id;
  gpus_ = unit.nodes * node.gpus;
  // Each draft token needs an MTP module of the model (V3/R1: one).
  draft_tokens_ = std::min(sv.mtp.draft_tokens, model_.mtp_depth);
  acceptance_ = sv.mtp.acceptance;
  sm_count_ = gpu.sm_count;
  const auto& m = model_;

  // Parallel layout.
  if (unit.attention_dp * unit.attention_tp != gpus_) {
    stop(core::Infeasible::layout, "attention_dp",
         fmt::format("attention_dp {} x attention_tp {} = {} GPUs, but the unit has {} nodes x {} GPUs = {}",
                     unit.attention_dp, unit.attention_tp, unit.attention_dp * unit.attention_tp, unit.nodes,
                     node.gpus, gpus_));
    return;
  }
  if (m.attention.heads % unit.attention_tp != 0) {
    stop(core::Infeasible::layout, "attention_tp",
         fmt::format("attention_tp {} does not divide the model's {} attention heads", unit.attention_tp,
                     m.attention.heads));
    return;
  }
  if (!m.is_moe()) {
    if (unit.ep != 1) {
      stop(core::Infeasible::layout, "ep", fmt::format("ep {}: model '{}' has no routed experts (dense FFN); use ep: 1", unit.ep, m.id));
      return;
    }
  } else {
    const int experts = m.moe->routed_experts + unit.redundant_experts;
    if (unit.ep > m.moe->routed_experts) {
      stop(core::Infeasible::layout, "ep",
           fmt::format("ep {} is larger than the model's {} routed experts", unit.ep, m.moe->routed_experts));
      return;
    }
    if (unit.ep > gpus_) {
      stop(core::Infeasible::layout, "ep", fmt::format("ep {} is larger than the unit's {} GPUs", unit.ep, gpus_));
      return;
    }
    if (experts % unit.ep != 0) {
      stop(core::Infeasible::layout, "ep",
           fmt::format("ep {} does not divide {} routed + {} redundant = {} experts", unit.ep, m.moe->routed_experts,
                       unit.redundant_experts, experts));
      return;
    }
    if (unit.ep > node.gpus && unit.ep % node.gpus != 0) {
      stop(core::Infeasible::layout, "ep", fmt::format("ep {} spans nodes of {} GPUs: it must be whole nodes", unit.ep, node.gpus));
      return;
    }
    if (unit.ep != gpus_) {
      stop(core::Infeasible::layout, "ep",
           fmt::format("ep {} differs from the unit's {} GPUs: fleetsim places the routed experts over every GPU "
                       "of the unit (as DeepSeek does: EP32 on 4 nodes, EP144 on 18)",
                       unit.ep, gpus_));
      return;
    }
    local_experts_ = experts / unit.ep;
  }

  // Memory of one GPU.
  const double wb = core::dtype_bytes(precision_.gemm);
  const double bf16 = core::dtype_bytes(DType::bf16);
  const int tp = unit.attention_tp;
  auto& mem = memory_;
  mem.hbm_bytes = gpu.hbm_bytes;
  double w = model::attention_params(m) / tp * m.layers * wb;
  w += (model::layer_norm_params(m) * m.layers + m.hidden) * bf16;  // + the final norm
  if (m.is_moe()) {
    const auto& e = *m.moe;
    w += model::dense_ffn_params(m, m.ffn_intermediate) * m.dense_ffn_layers() * wb;
    w += model::expert_params(m) * (e.shared_experts + local_experts_) * m.moe_layers() * wb;
    w += model::router_params(m) * m.moe_layers() * bf16;
  } else {
    w += model::dense_ffn_params(m, m.ffn_intermediate) / tp * m.layers * wb;
  }
  // Embedding and output head stay in BF16 (DeepSeek-V3 §3.3 keeps them out of FP8).
  // Vocabulary-parallel under TP (Megatron), whole on every GPU without it.
  w += static_cast<double>(m.vocab) * m.hidden * bf16 * (m.tied_embeddings ? 1 : 2) / tp;
  if (m.mtp_depth > 0) {
    // One more layer (attention, and this GPU's share of an MoE FFN) and the 2d -> d projection.
    double mtp = 2.0 * m.hidden * m.hidden + model::attention_params(m) / tp;
    mtp += m.is_moe() ? model::expert_params(m) * (m.moe->shared_experts + local_experts_)
                      : model::dense_ffn_params(m, m.ffn_intermediate) / tp;
    w += m.mtp_depth * mtp * wb;
  }
  mem.weight_bytes = w;
  mem.reserve_bytes = kReserveFraction * gpu.hbm_bytes;
  mem.kv_bytes = gpu.hbm_bytes - mem.weight_bytes - mem.reserve_bytes;
  const double kv_full = model::kv_cache_bytes_per_token(m, precision_.kv_cache);
  // MLA's latent is shared by all heads: every GPU of a TP group keeps all of it. GQA's K and V
  // heads split over TP (replicated when TP exceeds them).
  mem.kv_bytes_per_token = m.attention.kind == model::AttentionKind::mla
                               ? kv_full
                               : kv_full / std::min(tp, std::max(1, m.attention.kv_heads));
  if (mem.kv_bytes <= 0) {
    stop(core::Infeasible::memory, "nodes",
         fmt::format("model '{}' does not fit: {:.1f} GiB of weights per GPU + {:.1f} GiB reserve > {:.1f} GiB of "
                     "HBM on {} ({} GPUs, EP {}, attention TP {})",
                     m.id, gib(mem.weight_bytes), gib(mem.reserve_bytes), gib(gpu.hbm_bytes), gpu.id, gpus_, unit.ep,
                     tp));
    return;
  }
  mem.kv_tokens = mem.kv_bytes / mem.kv_bytes_per_token;
  const double request_tokens = sv.traffic.input.mean + sv.traffic.output.mean;
  if (mem.kv_tokens < request_tokens) {
    stop(core::Infeasible::memory, "nodes",
         fmt::format("model '{}' leaves {:.2f} GiB of KV cache per GPU on {}: {:.0f} tokens at {:.0f} bytes/token, "
                     "fewer than one average request ({:.0f} input + {:.0f} output tokens)",
                     m.id, gib(mem.kv_bytes), gpu.id, mem.kv_tokens, mem.kv_bytes_per_token, sv.traffic.input.mean,
                     sv.traffic.output.mean));
    return;
  }

  op_cost_ = std::make_unique<calib::OpCost>(gpu, calibration.for_gpu(gpu));
  comm_sms_ = role == Role::decode ? 0 : static_cast<int>(std::lround(kPrefillCommSmShare * sm_count_));
  if ((m.is_moe() && unit.ep > 1) || unit.attention_tp > 1) {
    if (unit.attention_tp > node.gpus) {
      stop(core::Infeasible::layout, "attention_tp", fmt::format("attention_tp {} spans nodes of {} GPUs: TP stays inside a node", unit.attention_tp, node.gpus));
      return;
    }
    topo::TopologySpec ts;
    ts.node = node;
    ts.gpu = gpu;
    ts.nic = s.nics.at(node.nic);
    ts.fabric_switch = s.fabric_switch(sv.fabric);
    ts.nodes = unit.nodes;
    ts.fabric = sv.fabric.kind;
    ts.oversubscription = sv.fabric.oversubscription;
    ts.planes = sv.fabric.planes;
    topology_ = std::make_unique<topo::Topology>(ts);
    comm_ = std::make_unique<net::CommCosts>(calibration.for_gpu(gpu).comm);
  }
}

double UnitModel::tokens_per_step() const {
  double t = 1, p = 1;
  for (int i = 0; i < draft_tokens_; ++i) {
    p *= acceptance_;
    t += p;
  }
  return t;
}

double UnitModel::all_reduce_s(int64_t tokens) const {
  if (!topology_) return 0;
  if (auto it = ar_cache_.find(tokens); it != ar_cache_.end()) return it->second;
  std::vector<topo::GpuRef> g;
  for (int i = 0; i < unit_.attention_tp; ++i) g.push_back({0, i});
  const net::AnalyticModel analytic(*topology_, *comm_);
  const double bytes = static_cast<double>(tokens) * model_.hidden * core::dtype_bytes(precision_.attention);
  const double t = analytic.estimate(net::CollectiveSpec(net::CollectiveOp::all_reduce, net::Group(g), bytes)).time_s;
  ar_cache_[tokens] = t;
  return t;
}

double UnitModel::all_to_all_s(int64_t tokens_per_gpu) const {
  if (!topology_ || !model_.is_moe() || unit_.ep <= 1) return 0;
  if (auto it = a2a_cache_.find(tokens_per_gpu); it != a2a_cache_.end()) return it->second;
  const auto& e = *model_.moe;
  const int per_node = topology_->gpus_per_node();
  net::Group group = unit_.ep <= per_node ? [&] {
    std::vector<topo::GpuRef> g;
    for (int i = 0; i < unit_.ep; ++i) g.push_back({0, i});
    return net::Group(g);
  }()
                                           : net::Group::nodes(0, unit_.ep / per_node, per_node);
  net::MoeSpec moe;
  moe.tokens_per_gpu = tokens_per_gpu;
  moe.hidden = model_.hidden;
  moe.topk = e.top_k;
  // Group-limited routing (V3: a token's experts lie in 4 of 8 groups); with the experts laid out
  // contiguously, a group spans nodes/groups nodes, so a token reaches at most that many times
  // limited_groups nodes.
  const int nodes = group.node_count();
  moe.max_nodes = e.limited_groups > 0 ? std::min(nodes, e.limited_groups * std::max(1, nodes / std::max(1, e.groups)))
                                       : 0;
  moe.experts = e.routed_experts + unit_.redundant_experts;
  moe.dispatch_format = core::dtype_bits(precision_.dispatch) <= 8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
  moe.combine_format = core::dtype_bits(precision_.combine) <= 8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
  moe.routing = net::MoeRouting::expected;
  // Decode runs DeepEP's low-latency kernels (a message per token and expert, no forwarding);
  // prefill the normal ones (V3 §3.4, DeepEP README).
  moe.low_latency = role_ == Role::decode;
  moe.nvlink_forwarding = !moe.low_latency;
  const net::AnalyticModel analytic(*topology_, *comm_);
  net::CollectiveSpec spec(net::CollectiveOp::moe_dispatch, group);
  spec.moe = moe;
  double t = analytic.estimate(spec).time_s;
  spec.op = net::CollectiveOp::moe_combine;
  t += analytic.estimate(spec).time_s;
  a2a_cache_[tokens_per_gpu] = t;
  return t;
}

StepTime UnitModel::forward(int64_t tokens, int64_t sequences, int64_t kv_len, bool decode, int64_t draft_rows) const {
  // One micro-batch of an attention group: `tokens` queries of `sequences` sequences.
  const auto& m = model_;
  const int tp = unit_.attention_tp;
  model::LayerShape a;
  a.tokens = tokens;
  a.sequences = sequences;
  a.decode = decode;
  a.kv_len = kv_len;
  a.tp = tp;
  a.gemm = precision_.gemm;
  a.act = precision_.attention;
  a.kv = precision_.kv_cache;
  // The FFN: MoE layers run their group's tokens split over its TP GPUs (sequence parallel, then
  // EP); a dense model's FFN is tensor parallel like its attention.
  model::LayerShape f = a;
  f.sequences = 1;
  if (m.is_moe()) {
    f.tp = 1;
    f.tokens = ceil_i(static_cast<double>(tokens) / tp);
  }
  if (m.is_moe()) {
    f.expert_tokens = f.tokens * m.moe->top_k;
    f.local_experts = local_experts_;
  }
  calib::Share share;
  // Prefill's overlapped micro-batches run the compute kernels beside DeepEP's normal kernels,
  // which hold SMs: the compute gets the rest, and takes the calibration's co-running slowdown
  // (HBM, L2 and memory-system contention; measured on the H800 in training's overlapped pairs,
  // the same kernels beside the same all-to-all). Decode's low-latency kernels free their SMs
  // once the RDMA is issued and move little data: neither applies there.
  if (unit_.micro_batches >= 2 && comm_sms_ > 0 && m.is_moe() && unit_.ep > 1) {
    share.sms = sm_count_ - comm_sms_;
    share.corun = true;
  }

  struct Part {
    double total = 0, attention = 0, gemm = 0;
  };
  auto price = [&](const std::vector<model::Op>& ops) {
    Part p;
    for (const auto& op : ops) {
      const double t = op_cost_->seconds(op, share);
      p.total += t;
      if (op.kind == model::OpKind::attention_decode || op.kind == model::OpKind::attention_prefill) p.attention += t;
      if (op.kind == model::OpKind::gemm || op.kind == model::OpKind::grouped_gemm) p.gemm += t;
    }
    return p;
  };
  Part attn = price(model::attention_ops(m, a));
  Part dense = price(model::ffn_ops(m, 0, f));
  const Part moe = m.is_moe() ? price(model::ffn_ops(m, m.layers - 1, f)) : Part{};
  auto edge_ops = model::embedding_ops(m, a);
  for (auto& op : model::head_ops(m, f)) edge_ops.push_back(std::move(op));
  Part edge = price(edge_ops);
  Part mtp;
  double mtp_a2a = 0;
  if (draft_rows > 0) {
    model::LayerShape d = a;
    d.tokens = draft_rows;
    d.sequences = draft_rows;
    model::LayerShape dffn = f;
    dffn.tokens = ceil_i(static_cast<double>(draft_rows) / tp);
    if (m.is_moe()) dffn.expert_tokens = dffn.tokens * m.moe->top_k;
    // The MTP module: projection, one layer, the shared head.
    auto ops = model::mtp_ops(m, d);
    mtp = price(ops);
    mtp.total *= draft_tokens_;
    mtp.attention *= draft_tokens_;
    mtp.gemm *= draft_tokens_;
    if (m.is_moe()) mtp_a2a = draft_tokens_ * all_to_all_s(dffn.tokens);
  }
  const double a2a = m.is_moe() ? all_to_all_s(f.tokens) : 0.0;
  // Tensor parallel: an all-reduce of the group's activations after attention and after a TP
  // FFN, on the compute stream's critical path (NVLink inside the node).
  const double ar = tp > 1 ? all_reduce_s(tokens) : 0.0;
  attn.total += ar;
  if (!m.is_moe()) dense.total += ar;
  const int nd = m.dense_ffn_layers(), nm = m.moe_layers();
  const double c_dense = attn.total + dense.total, c_moe = attn.total + moe.total;
  const int mb = unit_.micro_batches;

  StepTime st;
  st.compute_s = mb * (nd * c_dense + nm * c_moe + edge.total + mtp.total);
  st.all_to_all_s = mb * (nm * a2a + mtp_a2a);
  st.attention_s = mb * (m.layers * attn.attention + mtp.attention);
  st.gemm_s = mb * (m.layers * attn.gemm + nd * dense.gemm + nm * moe.gemm + edge.gemm + mtp.gemm);
  if (mb == 1) {
    st.seconds = st.compute_s + st.all_to_all_s;
  } else {
    st.seconds = mb * (nd * c_dense + nm * std::max(c_moe, a2a) + edge.total + std::max(mtp.total, mtp_a2a));
  }
  return st;
}

StepTime UnitModel::prefill_pass(double tokens_per_gpu, double prompt_len, double cached_fraction) const {
  FLEETSIM_CHECK(tokens_per_gpu > 0 && prompt_len > 0, "a prefill pass needs tokens and a prompt length");
  const int mb = unit_.micro_batches;
  // Tokens of one micro-batch of one attention group (TP GPUs share a group's tokens).
  const double group_tokens = tokens_per_gpu * unit_.attention_tp / mb;
  const double computed_per_prompt = std::max(1.0, prompt_len * (1.0 - cached_fraction));
  const int64_t tokens = ceil_i(group_tokens);
  // Whole prompts where the budget holds several; one prompt's chunk otherwise.
  const int64_t sequences = ceil_i(group_tokens / computed_per_prompt);
  const int64_t per_seq = ceil_i(static_cast<double>(tokens) / sequences);
  // Keys: the cached prefix plus, causally, the chunk itself.
  const int64_t kv = std::max<int64_t>(per_seq, static_cast<int64_t>(std::llround(prompt_len * cached_fraction)) + per_seq);
  return forward(sequences * per_seq, sequences, kv, false, 0);
}

StepTime UnitModel::decode_step(double requests, double kv_len) const {
  FLEETSIM_CHECK(requests > 0 && kv_len > 0, "a decode step needs requests and a context");
  const int mb = unit_.micro_batches;
  const int64_t seqs = ceil_i(requests / mb);
  const int64_t q = 1 + draft_tokens_;
  return forward(seqs * q, seqs, static_cast<int64_t>(std::llround(kv_len)), true, draft_tokens_ > 0 ? seqs : 0);
}

}  // namespace fleetsim::serve
