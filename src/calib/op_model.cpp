#include "calib/op_model.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace fleetsim::calib {

Machine::Machine(const hw::GpuSpec& gpu, const ModelParams& p)
    : bf16_(gpu.bf16_flops_per_s),
      fp8_(gpu.fp8_flops_per_s),
      fp4_(gpu.fp4_flops_per_s),
      tf32_(gpu.tf32_flops_per_s),
      fp32_(gpu.fp32_flops_per_s),
      hbm_bw_(gpu.hbm_bw_bytes_per_s),
      clock_ratio_(1.0),
      sms_(p.sm_count > 0 ? p.sm_count : gpu.sm_count > 0 ? gpu.sm_count : kDefaultSmCount) {
  FLEETSIM_CHECK(bf16_ > 0 && hbm_bw_ > 0, "a GPU needs a BF16 peak and an HBM bandwidth");
  if (p.sustained_clock_hz > 0 && gpu.boost_clock_hz > 0) {
    clock_ratio_ = std::min(1.0, p.sustained_clock_hz / gpu.boost_clock_hz);
  }
}

double Machine::peak_flops_per_s(core::DType t) const {
  switch (t) {
    case core::DType::fp4:
    case core::DType::int4:
      if (fp4_ > 0) return fp4_;
      [[fallthrough]];
    case core::DType::fp8:
    case core::DType::int8:
      if (fp8_ > 0) return fp8_;
      return bf16_;
    case core::DType::tf32:
    case core::DType::fp32: return tf32_ > 0 ? tf32_ : bf16_ / 2;
    case core::DType::bf16:
    case core::DType::fp16:
    case core::DType::int6: return bf16_;
  }
  return bf16_;
}

namespace {

double d(int64_t v) { return static_cast<double>(v); }
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// (a^p + b^p)^(1/p), computed without overflow; p = 2 and p = 4 (the defaults) avoid pow.
double soft_max(double a, double b, double p) {
  const double hi = std::max(a, b);
  if (hi <= 0) return 0;
  const double r = std::min(a, b) / hi;
  if (p == 2) return hi * std::sqrt(1 + r * r);
  if (p == 4) return hi * std::sqrt(std::sqrt(1 + (r * r) * (r * r)));
  return hi * std::pow(1 + std::pow(r, p), 1 / p);
}

// What every kind shares: the SMs and bandwidth the op gets.
struct Context {
  const Machine& gpu;
  const ModelParams& p;
  int sms;             // SMs the op runs on
  double f_sm;         // sustained tensor FLOP/s of one SM for the op's format
  double bw;           // HBM bytes/s available to the op
  double bw_per_sm;    // one SM's share of the whole bandwidth (what an epilogue store gets)
};

Context context(const model::Op& op, const Machine& gpu, const ModelParams& p, const Share& share) {
  const int all = gpu.sm_count();
  const int sms = share.sms > 0 ? std::min(share.sms, all) : all;
  // Fewer SMs than saturate HBM draw proportionally less of it.
  const double sat = std::min(1.0, d(sms) / (p.hbm_saturation * d(all)));
  const double bw = std::max(0.0, gpu.hbm_bw_bytes_per_s() - share.comm_hbm_bytes_per_s) * sat;
  FLEETSIM_CHECK(bw > 0, "communication kernels use all of the HBM bandwidth");
  const double f_sm = gpu.peak_flops_per_s(op.dtype) * gpu.clock_ratio() / d(all);
  return {gpu, p, sms, f_sm, bw, gpu.hbm_bw_bytes_per_s() / d(all)};
}

struct Terms {
  double compute_s = 0, memory_s = 0, overlap = 2;
  int64_t tiles = 0, waves = 0;
};

Terms gemm(const model::Op& op, const Context& c) {
  const int64_t m = std::max<int64_t>(op.m, 1), n = std::max<int64_t>(op.n, 1), k = std::max<int64_t>(op.k, 1);
  const int64_t g = std::max<int64_t>(op.groups, 1);
  const int64_t bm = m <= 64 ? 64 : 128;
  const int64_t row_tiles = g * ceil_div(m, bm);
  int64_t bn = 128;
  if (row_tiles * ceil_div(n, 128) < c.sms) {
    // Not enough 128-wide tiles for every SM: narrower tiles spread the work (DeepGEMM picks
    // BN in 16..128 step 8 to use the most SMs in one wave). The narrowest multiple of 8 with
    // ceil(n / BN) <= floor(S / row_tiles):
    const int64_t cols = std::max<int64_t>(1, c.sms / row_tiles);
    bn = std::clamp<int64_t>(ceil_div(ceil_div(n, cols), 8) * 8, 16, 128);
  }
  Terms t;
  t.tiles = row_tiles * ceil_div(n, bn);
  t.waves = ceil_div(t.tiles, c.sms);
  // Output bytes per element from the op's traffic: rows x n outputs beyond A and B.
  const double rows = op.flops / (2.0 * d(n) * d(k));
  const double in = core::dtype_bytes(op.dtype);
  const double out = rows > 0 ? std::clamp((op.bytes - in * (rows * d(k) + d(g) * d(k) * d(n))) / (rows * d(n)), 1.0, 4.0)
                              : 2.0;
  const double main_loop = 2.0 * d(bm) * d(bn) * d(k) / (c.f_sm * c.p.gemm_pipeline_efficiency);
  const double epilogue = c.p.gemm_epilogue_exposed * d(bm) * d(bn) * out / c.bw_per_sm;
  t.compute_s = d(t.waves) * (main_loop + epilogue);
  t.memory_s = op.bytes / (c.bw * c.p.read_efficiency);
  t.overlap = c.p.gemm_overlap;
  return t;
}

Terms attention_prefill(const model::Op& op, const Context& c) {
  constexpr int64_t kBlock = 128;  // query rows and keys per block
  const int64_t q = std::max<int64_t>(op.q_len, 1), kv = std::max<int64_t>(op.kv_len, q);
  const int64_t q_tiles = ceil_div(q, kBlock);
  const int64_t kv_blocks = ceil_div(kv, kBlock);
  // Key blocks per (sequence, head). Causal: query tile i sees the prefix and i+1 tiles of its
  // own keys, the diagonal block computed whole; the last tile sees all kv_len keys.
  const int64_t per_head = op.causal ? (q_tiles - 1) * ceil_div(kv - q, kBlock) + (q_tiles - 1) * q_tiles / 2 + kv_blocks
                                     : q_tiles * kv_blocks;
  const int64_t items = std::max<int64_t>(op.batch, 1) * std::max<int64_t>(op.heads, 1);
  Terms t;
  t.tiles = items * per_head;
  // Work units of unequal length: the makespan of the longest-first schedule is at least the
  // total over the SMs and at least the longest unit (a query tile's whole key range).
  const int64_t rounds = op.causal ? std::max(ceil_div(t.tiles, c.sms), kv_blocks)
                                   : ceil_div(items * q_tiles, c.sms) * kv_blocks;
  t.waves = rounds;
  const double block = 2.0 * kBlock * kBlock * d(op.d_qk + op.d_v) / (c.f_sm * c.p.prefill_compute_efficiency);
  t.compute_s = d(rounds) * block;
  t.memory_s = op.bytes / (c.bw * c.p.read_efficiency);
  t.overlap = c.p.attention_overlap;
  return t;
}

Terms attention_decode(const model::Op& op, const Context& c) {
  constexpr int64_t kRows = 64, kKeys = 64;  // the MMA's rows (heads x queries) and a KV block
  const int64_t rows = std::max<int64_t>(op.heads, 1) * std::max<int64_t>(op.q_len, 1);
  Terms t;
  t.tiles = std::max<int64_t>(op.batch, 1) * ceil_div(rows, kRows) * ceil_div(std::max<int64_t>(op.kv_len, 1), kKeys);
  t.waves = ceil_div(t.tiles, c.sms);  // split-KV spreads the blocks over the SMs
  const double block = 2.0 * kRows * kKeys * d(op.d_qk + op.d_v) / (c.f_sm * c.p.decode_compute_efficiency);
  t.compute_s = d(t.waves) * block;
  t.memory_s = op.bytes / (c.bw * c.p.read_efficiency);
  t.overlap = c.p.attention_overlap;
  return t;
}

Terms stream(const model::Op& op, const Context& c) {
  Terms t;
  const double alu = c.gpu.cuda_core_flops_per_s() * c.gpu.clock_ratio() * d(c.sms) / d(c.gpu.sm_count());
  t.compute_s = alu > 0 ? op.flops / alu : 0;
  t.memory_s = op.bytes / (c.bw * c.p.copy_efficiency);
  t.overlap = c.p.attention_overlap;
  return t;
}

double roofline(const model::Op& op, const Machine& gpu) {
  const bool tensor = op.kind != model::OpKind::elementwise && op.kind != model::OpKind::memcpy;
  const double peak = tensor ? gpu.peak_flops_per_s(op.dtype) : gpu.cuda_core_flops_per_s();
  return std::max(peak > 0 ? op.flops / peak : 0.0, op.bytes / gpu.hbm_bw_bytes_per_s());
}

}  // namespace

OpTiming evaluate(const model::Op& op, const Machine& gpu, const ModelParams& p, const Share& share) {
  OpTiming out;
  if (op.flops <= 0 && op.bytes <= 0) return out;  // nothing to do: no kernel
  const Context c = context(op, gpu, p, share);
  Terms t;
  switch (op.kind) {
    case model::OpKind::gemm:
    case model::OpKind::grouped_gemm: t = gemm(op, c); break;
    case model::OpKind::attention_prefill: t = attention_prefill(op, c); break;
    case model::OpKind::attention_decode: t = attention_decode(op, c); break;
    case model::OpKind::elementwise:
    case model::OpKind::memcpy: t = stream(op, c); break;
  }
  out.launch_s = p.launch_overhead_s;
  out.latency_s = p.kernel_latency_s;
  out.compute_s = t.compute_s;
  out.memory_s = t.memory_s;
  out.tiles = t.tiles;
  out.waves = t.waves;
  const double corun = share.corun ? p.corun_slowdown : 1.0;
  out.seconds = corun * (out.launch_s + out.latency_s + soft_max(t.compute_s, t.memory_s, t.overlap));
  out.roofline_s = roofline(op, gpu);
  out.efficiency = out.roofline_s / out.seconds;
  const double busy = std::max(t.compute_s, t.memory_s);
  out.bound = busy < out.latency_s + out.launch_s ? Bound::latency
              : t.compute_s >= t.memory_s       ? Bound::compute
                                                : Bound::memory;
  return out;
}

}  // namespace fleetsim::calib
