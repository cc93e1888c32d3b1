// The work of one training step as data (work.h): one micro-batch's shape on one GPU, the
// collectives each layer issues, each kind of layer priced once, the model chunks assembled in
// model order, the devices from the pipeline placement, and the step's once-per-step transfers
// (pipeline sends, DP sync) and optimizer.
#include "train/work.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/analytics.h"
#include "model/layer_ops.h"
#include "train/detail.h"

namespace fleetsim::train {

using scenario::Recompute;
using scenario::Schedule;

namespace detail {

double CollectiveCache::collective(net::CollectiveOp op, std::vector<topo::GpuRef> members, double bytes) {
  if (members.size() < 2 || bytes <= 0) return 0.0;
  const GroupKey key{op, members.size(), members[0].node, members[0].local, members[1].node, members[1].local, bytes};
  {
    std::lock_guard lock(mu_);
    if (auto it = group_.find(key); it != group_.end()) return it->second;
  }
  net::CollectiveSpec c(op, net::Group(std::move(members)), bytes);
  const double v = model_.estimate(c).time_s;
  std::lock_guard lock(mu_);
  group_.emplace(key, v);
  return v;
}

double CollectiveCache::moe_pair(const net::CollectiveSpec& dispatch) {
  const MoeKey key{dispatch.group.size(), dispatch.moe.dispatch_format, dispatch.moe.combine_format,
                   dispatch.moe.tokens_per_gpu};
  {
    std::lock_guard lock(mu_);
    if (auto it = moe_.find(key); it != moe_.end()) return it->second;
  }
  net::CollectiveSpec c = dispatch;
  const double dispatch_s = model_.estimate(c).time_s;
  c.op = net::CollectiveOp::moe_combine;
  const double combine_s = model_.estimate(c).time_s;
  const double v = dispatch_s + combine_s;
  std::lock_guard lock(mu_);
  moe_.emplace(key, v);
  return v;
}

}  // namespace detail

namespace {

using detail::d;
using detail::Params;
using detail::StepWork;
using detail::Work;

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

// One micro-batch's shape on one GPU and what its kernels share the GPU with.
struct MicroBatch {
  model::LayerShape s;
  calib::Share share;
  bool mla = false;
  int sp = 1;              // sequence parallelism: the TP degree, else 1
  double layer_input = 0;  // bytes of a layer's input on one GPU
};

MicroBatch micro_batch(const model::ModelSpec& m, const scenario::TrainingSpec& t, const Layout& l, int64_t seq_len,
                       int sm_count) {
  const auto& prec = t.precision;
  MicroBatch mb;
  model::LayerShape& s = mb.s;
  s.sequences = l.micro_batch;
  const int64_t q_len = std::max<int64_t>(1, seq_len / l.cp);
  s.tokens = q_len * l.micro_batch;
  // Context parallel with load-balanced chunks: a query sees seq/2 keys on average; the op
  // model's causal attention sees kv_len - q_len/2, hence kv_len = (seq + q_len) / 2.
  if (l.cp > 1) s.kv_len = (seq_len + q_len) / 2;
  s.tp = l.tp;
  s.gemm = prec.gemm;
  s.act = prec.activations;
  if (l.comm_sms > 0) mb.share.sms = sm_count - l.comm_sms;
  // DualPipe's overlapped pairs run the compute kernels beside the all-to-all kernels: beyond the
  // SMs those take (comm_sms), the compute kernels share HBM, L2 and the memory system with them
  // and take the calibration's co-running slowdown (H800: DeepSeek's profile of an overlapped
  // pair, see calibration/data/h800.yaml and docs/training.md; 1 where nothing is measured).
  mb.share.corun = detail::overlapped_pairs(l.schedule) && m.is_moe() && l.ep > 1;
  mb.mla = m.attention.kind == model::AttentionKind::mla;
  mb.sp = t.parallelism.sequence_parallel ? l.tp : 1;
  mb.layer_input = d(s.tokens) * m.hidden * core::dtype_bytes(prec.activations) / mb.sp;
  return mb;
}

// EP group 0's dispatch: DeepEP's normal kernels with node-limited routing (the model's expert
// groups are the EP group's nodes; DeepSeek-V3: 8 groups = 8 nodes of EP64, at most 4 per token).
net::CollectiveSpec ep_dispatch(const model::ModelSpec& m, const scenario::TrainingSpec& t, const Layout& l,
                                const MicroBatch& mb) {
  std::vector<topo::GpuRef> epg;
  for (int i = 0; i < l.ep; ++i) epg.push_back(detail::gpu_of_rank(l, i));
  net::CollectiveSpec c(net::CollectiveOp::moe_dispatch, net::Group(epg));
  c.moe.tokens_per_gpu = std::max<int64_t>(1, mb.s.tokens / l.tp);
  c.moe.hidden = m.hidden;
  c.moe.topk = m.moe->top_k;
  c.moe.max_nodes = m.moe->limited_groups;
  c.moe.experts = m.moe->routed_experts;
  c.moe.dispatch_format =
      t.precision.dispatch == core::DType::fp8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
  c.moe.combine_format = t.precision.combine == core::DType::fp8 ? net::TokenFormat::fp8_scaled : net::TokenFormat::bf16;
  c.moe.routing = net::MoeRouting::expected;
  return c;
}

// The collectives of one layer and micro-batch (seconds).
struct LayerComm {
  double tp_ar = 0;                    // one TP all-reduce of the layer's activations
  double ep_pair = 0;                  // EP dispatch + combine
  double cp_gather = 0, cp_reduce = 0; // CP keys and values gathered, their gradients reduced
};

LayerComm layer_comm(const model::ModelSpec& m, const scenario::TrainingSpec& t, const Layout& l, int64_t seq_len,
                     const MicroBatch& mb, const std::optional<net::CollectiveSpec>& ep,
                     detail::CollectiveCache& cache) {
  LayerComm c;
  // TP: two all-reduces of the layer's activations forward (after attention and after the FFN),
  // two backward (Megatron; with sequence parallelism a reduce-scatter and an all-gather each,
  // the same bytes).
  if (l.tp > 1) {
    std::vector<topo::GpuRef> tpg;
    for (int i = 0; i < l.tp; ++i) tpg.push_back(detail::gpu_of_rank(l, i));
    c.tp_ar = cache.collective(net::CollectiveOp::all_reduce, tpg, mb.layer_input * mb.sp);
  }
  // EP: dispatch and combine forward; backward the same two patterns (gradients before the
  // down projection go out in the dispatch format, DeepSeek-V3 §3.3.4, and come back combined).
  if (ep) c.ep_pair = cache.moe_pair(*ep);
  // CP: every rank needs the keys and values of the whole sequence: all-gathered forward (MLA:
  // the latent and the RoPE key; MHA/GQA: K and V of the rank's heads), their gradients
  // reduce-scattered backward.
  if (l.cp > 1) {
    const auto& a = m.attention;
    const double per_token = (mb.mla ? a.kv_lora_rank + a.qk_rope_head_dim
                                     : 2.0 * std::max(1, a.kv_heads / l.tp) * a.head_dim) *
                             core::dtype_bytes(t.precision.activations);
    std::vector<topo::GpuRef> cpg;
    for (int i = 0; i < l.cp; ++i) cpg.push_back(detail::gpu_of_rank(l, i * l.tp));
    const double bytes = d(seq_len) * l.micro_batch * per_token;
    c.cp_gather = cache.collective(net::CollectiveOp::all_gather, cpg, bytes);
    c.cp_reduce = cache.collective(net::CollectiveOp::reduce_scatter, cpg, bytes);
  }
  return c;
}

// One micro-batch of each piece of the model, priced once per kind of layer.
struct Pieces {
  Work dense, moe, embed, head, mtp;  // mtp: all the MTP modules
};

class PiecePricer {
 public:
  PiecePricer(const model::ModelSpec& m, const scenario::TrainingSpec& t, const Layout& l, const MicroBatch& mb,
              const LayerComm& comm, const calib::OpCost& cost, detail::WorkCache& cache)
      : m_(m), t_(t), l_(l), mb_(mb), comm_(comm), cost_(cost), cache_(cache) {}

  Pieces pieces() {
    Pieces p;
    p.dense = m_.dense_ffn_layers() > 0 ? layer(0) : Work{};
    p.moe = m_.is_moe() ? layer(m_.layers - 1) : Work{};
    // The embedding's backward needs only the token ids: nothing saved (a gather's gradient is
    // a scatter-add of twice its traffic).
    p.embed = memo(2, Recompute::none, [&] {
      return price(model::embedding_ops(m_, mb_.s), cost_, mb_.share, Recompute::none, mb_.mla, 0);
    });
    p.embed.act = 0;
    // The output head under the same policy: with recomputation the logits are recomputed from
    // the saved head input in the backward pass (a fused linear cross-entropy) instead of stored.
    p.head = memo(3, l_.recompute, [&] {
      return price(model::head_ops(m_, mb_.s), cost_, mb_.share, l_.recompute, mb_.mla, mb_.layer_input);
    });
    if (m_.mtp_depth > 0) p.mtp = mtp();
    return p;
  }

 private:
  template <class F>
  Work memo(int piece, Recompute recompute, F&& compute) {
    const auto& s = mb_.s;
    const detail::WorkKey key{piece,      s.tokens,    s.sequences,         s.kv_len,
                              l_.tp,      l_.ep,       mb_.sp,              recompute,
                              l_.comm_sms, mb_.share.corun, t_.precision.gemm, t_.precision.activations};
    return cache_.get(key, std::forward<F>(compute));
  }
  model::LayerShape expert_shape() const {
    model::LayerShape ls = mb_.s;
    ls.expert_tokens = mb_.s.tokens * m_.moe->top_k / l_.tp;
    ls.local_experts = std::max(1, m_.moe->routed_experts / l_.ep);
    return ls;
  }
  Work layer(int layer) {
    Work w = memo(m_.is_moe_layer(layer) ? 1 : 0, l_.recompute, [&] {
      const model::LayerShape ls = m_.is_moe_layer(layer) ? expert_shape() : mb_.s;
      auto ops = model::attention_ops(m_, ls);
      for (auto& op : model::ffn_ops(m_, layer, ls)) ops.push_back(std::move(op));
      return price(ops, cost_, mb_.share, l_.recompute, mb_.mla, mb_.layer_input, mb_.sp, m_.hidden);
    });
    w.tp_f = 2 * comm_.tp_ar;
    w.tp_b = 2 * comm_.tp_ar;
    w.cp_f = comm_.cp_gather;
    w.cp_b = comm_.cp_reduce;
    if (m_.is_moe_layer(layer)) w.ep_f = w.ep_b = comm_.ep_pair;
    return w;
  }
  Work mtp() {
    const model::LayerShape ls = m_.is_moe() ? expert_shape() : mb_.s;
    Work w = memo(4, l_.recompute, [&] {
               return price(model::mtp_ops(m_, ls), cost_, mb_.share, l_.recompute, mb_.mla, mb_.layer_input, mb_.sp,
                            m_.hidden, false);
             }).scaled(m_.mtp_depth);
    if (m_.is_moe()) w.ep_f = w.ep_b = comm_.ep_pair * m_.mtp_depth;
    w.tp_f = w.tp_b = 2 * comm_.tp_ar * m_.mtp_depth;
    w.cp_f = comm_.cp_gather * m_.mtp_depth;
    w.cp_b = comm_.cp_reduce * m_.mtp_depth;
    return w;
  }

  const model::ModelSpec& m_;
  const scenario::TrainingSpec& t_;
  const Layout& l_;
  const MicroBatch& mb_;
  const LayerComm& comm_;
  const calib::OpCost& cost_;
  detail::WorkCache& cache_;
};

// The model chunks in model order: their layers, the embedding on the first, the head and the
// MTP modules on the last; one micro-batch's work and the parameters each holds.
void assemble_chunks(StepWork& w, const model::ModelSpec& m, const Layout& l, const Pieces& pieces) {
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
  const int chunks = static_cast<int>(l.chunk_layers.size());
  w.chunk.assign(static_cast<size_t>(chunks), Work{});
  w.chunk_params.assign(static_cast<size_t>(chunks), Params{});
  int first = 0;
  for (int c = 0; c < chunks; ++c) {
    Work& cw = w.chunk[static_cast<size_t>(c)];
    Params& cp = w.chunk_params[static_cast<size_t>(c)];
    for (int i = first; i < first + l.chunk_layers[static_cast<size_t>(c)]; ++i) {
      const bool is_moe = m.is_moe_layer(i);
      cw += is_moe ? pieces.moe : pieces.dense;
      const Params& pp = is_moe ? moe_p : dense_p;
      cp.shared += pp.shared;
      cp.expert += pp.expert;
    }
    first += l.chunk_layers[static_cast<size_t>(c)];
    if (c == 0) {
      cw += pieces.embed;
      cp.shared += counts.embedding;
    }
    if (c == chunks - 1) {
      cw += pieces.head;
      cp.shared += head_p;
      if (m.mtp_depth > 0) {
        // DeepSeek-V3 §3.2.3: the MTP modules sit on the last stage, sharing its embedding and head.
        cw += pieces.mtp;
        cp.shared += counts.mtp_total - (m.is_moe() ? m.mtp_depth * moe_p.expert : 0.0);
        cp.expert += m.is_moe() ? m.mtp_depth * moe_p.expert : 0.0;
      }
    }
  }
}

// The pipeline devices from the placement: the chunks each holds, weighted, and the parameters
// they hold; the busiest sets the pace.
void assemble_devices(StepWork& w, const Layout& l) {
  const bool dual = detail::overlapped_pairs(l.schedule);
  double busiest_time = -1;
  w.device.assign(static_cast<size_t>(l.pp), detail::DeviceWork{});
  for (int dev = 0; dev < l.pp; ++dev) {
    auto& dw = w.device[static_cast<size_t>(dev)];
    dw.gpu = detail::gpu_of_rank(l, dev * l.tp * l.cp * l.dp);
    dw.slots = detail::device_slots(l, dev);
    Params held;
    for (auto [c, weight] : dw.slots) {
      dw.work += w.chunk[static_cast<size_t>(c)].scaled(weight);
      held.shared += w.chunk_params[static_cast<size_t>(c)].shared;
      held.expert += w.chunk_params[static_cast<size_t>(c)].expert;
    }
    // Activations per micro-batch: DualPipe keeps one stage's worth per micro-batch in flight.
    if (l.schedule == Schedule::dualpipe && l.pp > 1) {
      dw.work.act = std::max(w.chunk[static_cast<size_t>(dev)].act, w.chunk[static_cast<size_t>(l.pp - 1 - dev)].act);
    }
    if (l.schedule == Schedule::dualpipev) dw.work.act /= 2;  // activations counted in chunk units
    dw.params.shared = held.shared / l.tp;
    dw.params.expert = held.expert / (l.ep > 1 ? l.ep : l.tp);
    dw.seconds_per_micro_batch = detail::micro_batch_seconds(dw.work, dual);
    if (dw.seconds_per_micro_batch > busiest_time) {
      busiest_time = dw.seconds_per_micro_batch;
      w.busiest = static_cast<size_t>(dev);
    }
  }
}

// The micro-batches of a step, and what is worth saying about them.
void split_batch(StepWork& w, const Layout& l) {
  const int replicas = l.dp;
  const double exact_m = w.batch_sequences / (replicas * l.micro_batch);
  w.micro_batches = std::max(1, detail::ceil_div(w.batch_sequences, replicas * l.micro_batch));
  if (std::abs(exact_m - w.micro_batches) > 1e-9) {
    w.notes.push_back(fmt::format("{:g} sequences over {} replicas x micro-batch {} = {:.3g} micro-batches: the "
                                  "busiest replica runs {}",
                                  w.batch_sequences, replicas, l.micro_batch, exact_m, w.micro_batches));
  }
  if (detail::overlapped_pairs(l.schedule) && w.micro_batches < l.pp) {
    w.notes.push_back(fmt::format("{} micro-batches < {} stages: DualPipe's pipeline never fills; its bubble formula "
                                  "is a lower bound here",
                                  w.micro_batches, l.pp));
  }
  if (l.schedule == Schedule::interleaved_1f1b && w.micro_batches % l.pp != 0) {
    w.notes.push_back(
        fmt::format("interleaved 1F1B wants micro-batches ({}) a multiple of pp ({})", w.micro_batches, l.pp));
  }
  w.tokens = w.batch_sequences * d(w.seq_len);
}

// Once per step: the pipeline sends (one activation or gradient across a boundary), the DP sync
// of the busiest device's parameters and its optimizer step.
void price_step_transfers(StepWork& w, const scenario::TrainingSpec& t, const Layout& l, double layer_input,
                          const calib::OpCost& cost, detail::CollectiveCache& cache) {
  w.p2p_bytes = layer_input;
  if (l.pp > 1 && !detail::overlapped_pairs(l.schedule)) {
    w.p2p_s = cache.collective(net::CollectiveOp::p2p, {w.device[0].gpu, w.device[1].gpu}, layer_input);
  }
  // DP: gradients reduce-scattered (ZeRO >= 1) or all-reduced (ZeRO-0) over the replicas; then
  // the updated weights all-gathered (ZeRO >= 1). Experts sync over their own replicas.
  const auto bytes = detail::state_bytes(t.precision);
  std::vector<topo::GpuRef> dpg, edpg;
  for (int i = 0; i < l.dp * l.cp; ++i) dpg.push_back(detail::gpu_of_rank(l, i * l.tp));
  for (int i = 0; i < l.edp; ++i) edpg.push_back(detail::gpu_of_rank(l, i * l.ep));
  const auto& P = w.device[w.busiest].params;
  if (l.zero == 0) {
    w.dp_reduce_s = cache.collective(net::CollectiveOp::all_reduce, dpg, P.shared * bytes.gradients) +
                    cache.collective(net::CollectiveOp::all_reduce, edpg, P.expert * bytes.gradients);
  } else {
    w.dp_reduce_s = cache.collective(net::CollectiveOp::reduce_scatter, dpg, P.shared * bytes.gradients) +
                    cache.collective(net::CollectiveOp::reduce_scatter, edpg, P.expert * bytes.gradients);
    w.dp_gather_s = cache.collective(net::CollectiveOp::all_gather, dpg, P.shared * bytes.weights) +
                    cache.collective(net::CollectiveOp::all_gather, edpg, P.expert * bytes.weights);
  }
  // Optimizer: AdamW over the GPU's shard, an HBM stream: read the gradient, read and write the
  // master weight and the two moments, write the working weight.
  const double shared_shard = l.dp * l.cp;  // ZeRO shards what DP (and CP) replicate
  const double expert_shard = l.edp;
  const double shard = l.zero >= 1 ? P.shared / shared_shard + P.expert / expert_shard : P.shared + P.expert;
  const double stream = shard * (bytes.gradients + 2 * (bytes.master > 0 ? bytes.master : bytes.weights) +
                                 2 * bytes.moments + bytes.weights);
  w.optimizer_s = cost.seconds(model::make_elementwise("optimizer.adamw", stream, 12.0 * shard));
}

}  // namespace

detail::StepWork Trainer::describe_step(const scenario::TrainingSpec& t, const Layout& l, int64_t seq_len,
                                        double batch_sequences) const {
  const auto& m = model_;
  StepWork w;
  w.seq_len = seq_len;
  w.batch_sequences = batch_sequences;
  split_batch(w, l);
  w.model_flops = model::train_flops_per_token(m, seq_len, true, false).total * w.tokens;
  const MicroBatch mb = micro_batch(m, t, l, seq_len, op_cost_.machine().sm_count());
  if (m.is_moe() && l.ep > 1) w.ep_dispatch = ep_dispatch(m, t, l, mb);
  const LayerComm comm = layer_comm(m, t, l, seq_len, mb, w.ep_dispatch, cache_->comm);
  const Pieces pieces = PiecePricer(m, t, l, mb, comm, op_cost_, cache_->work).pieces();
  assemble_chunks(w, m, l, pieces);
  assemble_devices(w, l);
  price_step_transfers(w, t, l, mb.layer_input, op_cost_, cache_->comm);
  return w;
}

}  // namespace fleetsim::train
