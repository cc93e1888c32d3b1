// Reference attention kernels: MLA decode over a latent cache (CUDA cores, split-KV plus a
// combine pass, as flash-decoding) and a flash-attention forward on WMMA tensor cores. Simple
// and checked against naive kernels (verify_attention) before anything is timed.
#include <cuda_bf16.h>
#include <mma.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common.cuh"

namespace fleetsim::calibration {

namespace {

constexpr int kLatent = 576;  // d_qk: 512 latent + 64 RoPE
constexpr int kValue = 512;   // d_v: the latent
constexpr int kWarps = 4;

// ---- MLA decode ------------------------------------------------------------------------------
// Lane l of a warp holds dims {64j + 2l, 64j + 2l + 1}, j = 0..8 (the first 8 pairs are values).
template <int H>
__global__ void __launch_bounds__(kWarps * 32) mla_decode_split(const __nv_bfloat16* __restrict__ q,
                                                                const __nv_bfloat16* __restrict__ kv, int kv_len,
                                                                int splits, float scale, float* part_m, float* part_l,
                                                                float* part_acc) {
  const int b = blockIdx.y, split = blockIdx.x, warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int per_split = (kv_len + splits - 1) / splits;
  const int t_begin = split * per_split, t_end = min(kv_len, t_begin + per_split);
  float qf[H][18];
  for (int h = 0; h < H; ++h) {
    for (int j = 0; j < 9; ++j) {
      const float2 v = __bfloat1622float2(
          *reinterpret_cast<const __nv_bfloat162*>(q + (static_cast<size_t>(b) * H + h) * kLatent + 64 * j + 2 * lane));
      qf[h][2 * j] = v.x;
      qf[h][2 * j + 1] = v.y;
    }
  }
  float m[H], l[H], acc[H][16];
  for (int h = 0; h < H; ++h) {
    m[h] = -INFINITY;
    l[h] = 0;
    for (int i = 0; i < 16; ++i) acc[h][i] = 0;
  }
  const __nv_bfloat16* cache = kv + static_cast<size_t>(b) * kv_len * kLatent;
  for (int t = t_begin + warp; t < t_end; t += kWarps) {
    float x[18];
    for (int j = 0; j < 9; ++j) {
      const float2 v = __bfloat1622float2(
          *reinterpret_cast<const __nv_bfloat162*>(cache + static_cast<size_t>(t) * kLatent + 64 * j + 2 * lane));
      x[2 * j] = v.x;
      x[2 * j + 1] = v.y;
    }
    for (int h = 0; h < H; ++h) {
      float s = 0;
      for (int i = 0; i < 18; ++i) s += qf[h][i] * x[i];
      for (int o = 16; o > 0; o /= 2) s += __shfl_xor_sync(0xffffffffu, s, o);
      s *= scale;
      const float m_new = fmaxf(m[h], s);
      const float c = __expf(m[h] - m_new), p = __expf(s - m_new);
      l[h] = l[h] * c + p;
      for (int i = 0; i < 16; ++i) acc[h][i] = acc[h][i] * c + p * x[i];
      m[h] = m_new;
    }
  }
  // Combine the warps of the block through shared memory, then write the split's partial.
  __shared__ float sm_m[kWarps][H], sm_l[kWarps][H], sm_acc[kWarps][H][kValue];
  for (int h = 0; h < H; ++h) {
    if (lane == 0) {
      sm_m[warp][h] = m[h];
      sm_l[warp][h] = l[h];
    }
    for (int j = 0; j < 8; ++j) {
      sm_acc[warp][h][64 * j + 2 * lane] = acc[h][2 * j];
      sm_acc[warp][h][64 * j + 2 * lane + 1] = acc[h][2 * j + 1];
    }
  }
  __syncthreads();
  for (int idx = threadIdx.x; idx < H * kValue; idx += blockDim.x) {
    const int h = idx / kValue, d = idx % kValue;
    float mm = -INFINITY;
    for (int w = 0; w < kWarps; ++w) mm = fmaxf(mm, sm_m[w][h]);
    float ll = 0, aa = 0;
    for (int w = 0; w < kWarps; ++w) {
      const float f = sm_l[w][h] > 0 ? __expf(sm_m[w][h] - mm) : 0.0f;
      ll += sm_l[w][h] * f;
      aa += sm_acc[w][h][d] * f;
    }
    const size_t slot = (static_cast<size_t>(b) * splits + split) * H + h;
    part_acc[slot * kValue + d] = aa;
    if (d == 0) {
      part_m[slot] = mm;
      part_l[slot] = ll;
    }
  }
}

__global__ void mla_decode_combine(int heads, int splits, const float* part_m, const float* part_l,
                                   const float* part_acc, float* out) {
  const int b = blockIdx.x, h = blockIdx.y;
  for (int d = threadIdx.x; d < kValue; d += blockDim.x) {
    float mm = -INFINITY;
    for (int s = 0; s < splits; ++s) mm = fmaxf(mm, part_m[(static_cast<size_t>(b) * splits + s) * heads + h]);
    float ll = 0, aa = 0;
    for (int s = 0; s < splits; ++s) {
      const size_t slot = (static_cast<size_t>(b) * splits + s) * heads + h;
      const float f = part_l[slot] > 0 ? __expf(part_m[slot] - mm) : 0.0f;
      ll += part_l[slot] * f;
      aa += part_acc[slot * kValue + d] * f;
    }
    out[(static_cast<size_t>(b) * heads + h) * kValue + d] = aa / ll;
  }
}

// One block per (request, head): scores into global scratch, then the softmax-weighted values.
__global__ void mla_decode_naive(const __nv_bfloat16* q, const __nv_bfloat16* kv, int heads, int kv_len, float scale,
                                 float* scores, float* out) {
  const int b = blockIdx.x, h = blockIdx.y;
  float* sc = scores + (static_cast<size_t>(b) * heads + h) * kv_len;
  const __nv_bfloat16* qq = q + (static_cast<size_t>(b) * heads + h) * kLatent;
  for (int t = threadIdx.x; t < kv_len; t += blockDim.x) {
    float s = 0;
    for (int d = 0; d < kLatent; ++d) {
      s += __bfloat162float(qq[d]) * __bfloat162float(kv[(static_cast<size_t>(b) * kv_len + t) * kLatent + d]);
    }
    sc[t] = s * scale;
  }
  __syncthreads();
  float mm = -INFINITY;
  for (int t = 0; t < kv_len; ++t) mm = fmaxf(mm, sc[t]);
  float ll = 0;
  for (int t = 0; t < kv_len; ++t) ll += expf(sc[t] - mm);
  for (int d = threadIdx.x; d < kValue; d += blockDim.x) {
    float a = 0;
    for (int t = 0; t < kv_len; ++t) {
      a += expf(sc[t] - mm) * __bfloat162float(kv[(static_cast<size_t>(b) * kv_len + t) * kLatent + d]);
    }
    out[(static_cast<size_t>(b) * heads + h) * kValue + d] = a / ll;
  }
}

int splits_for(int batch, int kv_len) {
  int device = 0, sms = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  // About two blocks per SM, at least 256 tokens per split.
  return std::max(1, std::min((2 * sms + batch - 1) / batch, (kv_len + 255) / 256));
}

struct DecodeBuffers {
  DeviceBuffer m, l, acc, out;
  DecodeBuffers(int64_t batch, int64_t heads, int splits)
      : m(sizeof(float) * batch * splits * heads),
        l(sizeof(float) * batch * splits * heads),
        acc(sizeof(float) * batch * splits * heads * kValue),
        out(sizeof(float) * batch * heads * kValue) {}
};

void run_decode(const __nv_bfloat16* q, const __nv_bfloat16* kv, int batch, int heads, int kv_len, int splits,
                DecodeBuffers& buf, cudaStream_t s) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(kLatent));
  const dim3 grid(splits, batch);
  auto* pm = buf.m.as<float>();
  auto* pl = buf.l.as<float>();
  auto* pa = buf.acc.as<float>();
  switch (heads) {
    case 1: mla_decode_split<1><<<grid, kWarps * 32, 0, s>>>(q, kv, kv_len, splits, scale, pm, pl, pa); break;
    case 2: mla_decode_split<2><<<grid, kWarps * 32, 0, s>>>(q, kv, kv_len, splits, scale, pm, pl, pa); break;
    case 4: mla_decode_split<4><<<grid, kWarps * 32, 0, s>>>(q, kv, kv_len, splits, scale, pm, pl, pa); break;
    default: throw CudaError("the reference decode kernel takes 1, 2 or 4 heads");
  }
  CUDA_CHECK(cudaGetLastError());
  mla_decode_combine<<<dim3(batch, heads), 256, 0, s>>>(heads, splits, pm, pl, pa, buf.out.as<float>());
  CUDA_CHECK(cudaGetLastError());
}

// ---- Flash-attention forward (head dim 128) --------------------------------------------------
namespace wmma = nvcuda::wmma;
constexpr int kD = 128, kBlockQ = 64, kBlockK = 64;

struct PrefillSmem {
  __nv_bfloat16 q[kBlockQ][kD], k[kBlockK][kD], v[kBlockK][kD];
  float s[kWarps][16][kBlockK];
  __nv_bfloat16 p[kWarps][16][kBlockK];
  float o_tmp[kWarps][16][kD], o_acc[kWarps][16][kD];
  float m[kBlockQ], l[kBlockQ], alpha[kBlockQ];
};

__device__ void load_rows(__nv_bfloat16 (*dst)[kD], const __nv_bfloat16* src, int row0, int rows, int seq) {
  // 16-byte chunks; rows past the sequence are zero.
  for (int c = threadIdx.x; c < rows * kD / 8; c += blockDim.x) {
    const int r = c / (kD / 8), col = (c % (kD / 8)) * 8;
    uint4 v = make_uint4(0, 0, 0, 0);
    if (row0 + r < seq) v = *reinterpret_cast<const uint4*>(src + static_cast<size_t>(row0 + r) * kD + col);
    *reinterpret_cast<uint4*>(&dst[r][col]) = v;
  }
}

__global__ void __launch_bounds__(kWarps * 32) flash_forward(const __nv_bfloat16* __restrict__ q,
                                                             const __nv_bfloat16* __restrict__ k,
                                                             const __nv_bfloat16* __restrict__ v,
                                                             __nv_bfloat16* __restrict__ o, int seq, bool causal,
                                                             float scale) {
  extern __shared__ __align__(128) unsigned char raw[];
  PrefillSmem& sm = *reinterpret_cast<PrefillSmem*>(raw);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const size_t head = blockIdx.y;
  const int q0 = blockIdx.x * kBlockQ;
  const __nv_bfloat16* qh = q + head * seq * kD;
  const __nv_bfloat16* kh = k + head * seq * kD;
  const __nv_bfloat16* vh = v + head * seq * kD;
  load_rows(sm.q, qh, q0, kBlockQ, seq);
  for (int i = threadIdx.x; i < kBlockQ; i += blockDim.x) {
    sm.m[i] = -INFINITY;
    sm.l[i] = 0;
  }
  for (int i = lane; i < 16 * kD; i += 32) sm.o_acc[warp][i / kD][i % kD] = 0;
  const int last_key = causal ? min(seq, q0 + kBlockQ) : seq;
  for (int k0 = 0; k0 < last_key; k0 += kBlockK) {
    __syncthreads();
    load_rows(sm.k, kh, k0, kBlockK, seq);
    load_rows(sm.v, vh, k0, kBlockK, seq);
    __syncthreads();
    // S = Q K^T for this warp's 16 rows.
    for (int n0 = 0; n0 < kBlockK; n0 += 16) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.0f);
      for (int d0 = 0; d0 < kD; d0 += 16) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major> bt;
        wmma::load_matrix_sync(a, &sm.q[warp * 16][d0], kD);
        wmma::load_matrix_sync(bt, &sm.k[n0][d0], kD);
        wmma::mma_sync(acc, a, bt, acc);
      }
      wmma::store_matrix_sync(&sm.s[warp][0][n0], acc, kBlockK, wmma::mem_row_major);
    }
    __syncwarp();
    // Online softmax: one lane per row.
    if (lane < 16) {
      const int row = warp * 16 + lane, qi = q0 + row;
      float mx = -INFINITY;
      for (int c = 0; c < kBlockK; ++c) {
        const int kj = k0 + c;
        const bool masked = kj >= seq || (causal && kj > qi);
        const float s = masked ? -INFINITY : sm.s[warp][lane][c] * scale;
        sm.s[warp][lane][c] = s;
        mx = fmaxf(mx, s);
      }
      const float m_old = sm.m[row], m_new = fmaxf(m_old, mx);
      const float a = m_new == -INFINITY ? 1.0f : __expf(m_old - m_new);
      float sum = 0;
      for (int c = 0; c < kBlockK; ++c) {
        const float p = m_new == -INFINITY ? 0.0f : __expf(sm.s[warp][lane][c] - m_new);
        sum += p;
        sm.p[warp][lane][c] = __float2bfloat16(p);
      }
      sm.m[row] = m_new;
      sm.l[row] = sm.l[row] * a + sum;
      sm.alpha[row] = a;
    }
    __syncwarp();
    // O_tmp = P V, then O_acc = O_acc x alpha + O_tmp.
    for (int n0 = 0; n0 < kD; n0 += 16) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.0f);
      for (int c0 = 0; c0 < kBlockK; c0 += 16) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> bv;
        wmma::load_matrix_sync(a, &sm.p[warp][0][c0], kBlockK);
        wmma::load_matrix_sync(bv, &sm.v[c0][n0], kD);
        wmma::mma_sync(acc, a, bv, acc);
      }
      wmma::store_matrix_sync(&sm.o_tmp[warp][0][n0], acc, kD, wmma::mem_row_major);
    }
    __syncwarp();
    for (int i = lane; i < 16 * kD; i += 32) {
      const int r = i / kD, c = i % kD;
      sm.o_acc[warp][r][c] = sm.o_acc[warp][r][c] * sm.alpha[warp * 16 + r] + sm.o_tmp[warp][r][c];
    }
  }
  __syncwarp();
  for (int i = lane; i < 16 * kD; i += 32) {
    const int r = i / kD, c = i % kD, qi = q0 + warp * 16 + r;
    if (qi < seq) o[(head * seq + qi) * kD + c] = __float2bfloat16(sm.o_acc[warp][r][c] / sm.l[warp * 16 + r]);
  }
}

__global__ void attention_naive(const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v, int seq,
                                bool causal, float scale, float* out) {
  extern __shared__ float scores[];
  const size_t head = blockIdx.y;
  const int qi = blockIdx.x;
  const int keys = causal ? qi + 1 : seq;
  for (int j = threadIdx.x; j < keys; j += blockDim.x) {
    float s = 0;
    for (int d = 0; d < kD; ++d) {
      s += __bfloat162float(q[(head * seq + qi) * kD + d]) * __bfloat162float(k[(head * seq + j) * kD + d]);
    }
    scores[j] = s * scale;
  }
  __syncthreads();
  float mm = -INFINITY;
  for (int j = 0; j < keys; ++j) mm = fmaxf(mm, scores[j]);
  float ll = 0;
  for (int j = 0; j < keys; ++j) ll += expf(scores[j] - mm);
  for (int d = threadIdx.x; d < kD; d += blockDim.x) {
    float a = 0;
    for (int j = 0; j < keys; ++j) a += expf(scores[j] - mm) * __bfloat162float(v[(head * seq + j) * kD + d]);
    out[(head * seq + qi) * kD + d] = a / ll;
  }
}

void run_prefill(const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v, __nv_bfloat16* o,
                 int64_t heads_total, int seq, bool causal, cudaStream_t s) {
  const size_t smem = sizeof(PrefillSmem);
  CUDA_CHECK(cudaFuncSetAttribute(flash_forward, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  const dim3 grid((seq + kBlockQ - 1) / kBlockQ, static_cast<unsigned>(heads_total));
  flash_forward<<<grid, kWarps * 32, smem, s>>>(q, k, v, o, seq, causal, 1.0f / std::sqrt(static_cast<float>(kD)));
  CUDA_CHECK(cudaGetLastError());
}

float bf16_to_float(uint16_t bits) {
  const uint32_t w = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &w, sizeof f);
  return f;
}

}  // namespace

std::vector<double> time_mla_decode(int64_t batch, int64_t heads, int64_t kv_len, const TimingOptions& o) {
  const size_t q_elems = static_cast<size_t>(batch * heads * kLatent), kv_elems = static_cast<size_t>(batch * kv_len * kLatent);
  const int rot = rotations_for(2.0 * static_cast<double>(q_elems + kv_elems), o);
  DeviceBuffer q(2 * q_elems * rot), kv(2 * kv_elems * rot);
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  fill_random(q.get(), q_elems * rot, Fill::bf16, 31, 1.0f, s);
  fill_random(kv.get(), kv_elems * rot, Fill::bf16, 32, 1.0f, s);
  const int splits = splits_for(static_cast<int>(batch), static_cast<int>(kv_len));
  DecodeBuffers buf(batch, heads, splits);
  auto out = time_op(
      [&](int r) {
        run_decode(q.as<__nv_bfloat16>() + r * q_elems, kv.as<__nv_bfloat16>() + r * kv_elems, static_cast<int>(batch),
                   static_cast<int>(heads), static_cast<int>(kv_len), splits, buf, s);
      },
      rot, o, s);
  CUDA_CHECK(cudaStreamDestroy(s));
  return out;
}

std::vector<double> time_prefill(int64_t batch, int64_t heads, int64_t seq, bool causal, const TimingOptions& o) {
  const size_t elems = static_cast<size_t>(batch * heads * seq * kD);
  const int rot = rotations_for(2.0 * 4 * static_cast<double>(elems), o);
  DeviceBuffer q(2 * elems * rot), k(2 * elems * rot), v(2 * elems * rot), out(2 * elems * rot);
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  fill_random(q.get(), elems * rot, Fill::bf16, 41, 1.0f, s);
  fill_random(k.get(), elems * rot, Fill::bf16, 42, 1.0f, s);
  fill_random(v.get(), elems * rot, Fill::bf16, 43, 1.0f, s);
  auto res = time_op(
      [&](int r) {
        run_prefill(q.as<__nv_bfloat16>() + r * elems, k.as<__nv_bfloat16>() + r * elems,
                    v.as<__nv_bfloat16>() + r * elems, out.as<__nv_bfloat16>() + r * elems, batch * heads,
                    static_cast<int>(seq), causal, s);
      },
      rot, o, s);
  CUDA_CHECK(cudaStreamDestroy(s));
  return res;
}

bool verify_attention(std::string& message) {
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  bool ok = true;
  {  // decode: 2 requests x 4 heads over 1000 latents, 2 splits
    const int batch = 2, heads = 4, kv_len = 1000, splits = 2;
    DeviceBuffer q(2ull * batch * heads * kLatent), kv(2ull * batch * kv_len * kLatent);
    DeviceBuffer scores(4ull * batch * heads * kv_len), ref(4ull * batch * heads * kValue);
    fill_random(q.get(), q.bytes() / 2, Fill::bf16, 51, 1.0f, s);
    fill_random(kv.get(), kv.bytes() / 2, Fill::bf16, 52, 1.0f, s);
    DecodeBuffers buf(batch, heads, splits);
    run_decode(q.as<__nv_bfloat16>(), kv.as<__nv_bfloat16>(), batch, heads, kv_len, splits, buf, s);
    mla_decode_naive<<<dim3(batch, heads), 256, 0, s>>>(q.as<__nv_bfloat16>(), kv.as<__nv_bfloat16>(), heads, kv_len,
                                                        1.0f / std::sqrt(static_cast<float>(kLatent)),
                                                        scores.as<float>(), ref.as<float>());
    CUDA_CHECK(cudaGetLastError());
    std::vector<float> got(batch * heads * kValue), want(got.size());
    CUDA_CHECK(cudaMemcpyAsync(got.data(), buf.out.get(), got.size() * 4, cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaMemcpyAsync(want.data(), ref.get(), want.size() * 4, cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
    float worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
    if (!(worst < 1e-3f)) {
      ok = false;
      message += "decode: max |error| " + std::to_string(worst) + "; ";
    }
  }
  for (bool causal : {false, true}) {  // prefill: 2 heads of 200 tokens (not a multiple of the blocks)
    const int heads = 2, seq = 200;
    const size_t elems = static_cast<size_t>(heads) * seq * kD;
    DeviceBuffer q(2 * elems), k(2 * elems), v(2 * elems), o(2 * elems), ref(4 * elems);
    fill_random(q.get(), elems, Fill::bf16, 61, 1.0f, s);
    fill_random(k.get(), elems, Fill::bf16, 62, 1.0f, s);
    fill_random(v.get(), elems, Fill::bf16, 63, 1.0f, s);
    run_prefill(q.as<__nv_bfloat16>(), k.as<__nv_bfloat16>(), v.as<__nv_bfloat16>(), o.as<__nv_bfloat16>(), heads, seq,
                causal, s);
    attention_naive<<<dim3(seq, heads), 128, seq * sizeof(float), s>>>(
        q.as<__nv_bfloat16>(), k.as<__nv_bfloat16>(), v.as<__nv_bfloat16>(), seq, causal,
        1.0f / std::sqrt(static_cast<float>(kD)), ref.as<float>());
    CUDA_CHECK(cudaGetLastError());
    std::vector<uint16_t> got(elems);
    std::vector<float> want(elems);
    CUDA_CHECK(cudaMemcpyAsync(got.data(), o.get(), 2 * elems, cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaMemcpyAsync(want.data(), ref.get(), 4 * elems, cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
    float worst = 0;
    for (size_t i = 0; i < elems; ++i) worst = std::max(worst, std::fabs(bf16_to_float(got[i]) - want[i]));
    // P is rounded to BF16 before the PV product, the output too: a few 1e-3 on values of ~0.1.
    if (!(worst < 2e-2f)) {
      ok = false;
      message += std::string(causal ? "causal" : "non-causal") + " prefill: max |error| " + std::to_string(worst) + "; ";
    }
  }
  CUDA_CHECK(cudaStreamDestroy(s));
  return ok;
}

}  // namespace fleetsim::calibration
