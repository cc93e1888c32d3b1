// The op cost model: how long one op takes on one GPU. Roofline times divided by efficiencies,
// with the tile and wave structure of the kernels that run the op, a fixed in-kernel latency and
// the launch gap. docs/calibration.md derives every term; the equations:
//
//   kernel time  t_k = t0 + (T_c^p + T_m^p)^(1/p)       (a smooth roofline; p -> inf is max)
//   op time      t   = t_launch + t_k                    (0 for an op with no work)
//
//   T_m = bytes / (B x e_stream x sat(SMs))              B: HBM bandwidth; e_stream: read (GEMM
//                                                        operands, KV cache) or copy (element-wise)
//   GEMM (DeepGEMM/CUTLASS tiling; tile BM x BN, BM = 64 for m <= 64 else 128):
//     tiles = groups x ceil(m/BM) x ceil(n/BN), BN = 128 when that fills the SMs, else the
//             narrowest multiple of 8 that spreads the tiles over them (small-m decode GEMMs)
//     T_c   = ceil(tiles / S) x [2 BM BN k / (F_sm e_pipe) + c_epi x BM BN b_out / (B / S_all)]
//             waves of tiles: the main loop at the pipeline efficiency of the sustained per-SM
//             tensor rate F_sm, plus the exposed part c_epi of storing the output tile at the
//             SM's share of HBM bandwidth.
//   Attention prefill (flash attention, 128 x 128 blocks, causal diagonal blocks computed whole):
//     T_c = ceil(blocks / S) x 2 x 128 x 128 x (d_qk + d_v) / (F_sm e_prefill)
//   Attention decode (FlashMLA-style split-KV; heads x q_len rows padded to the 64-row MMA):
//     T_c = ceil(blocks / S) x 2 x 64 x 64 x (d_qk + d_v) / (F_sm e_decode)
//   Element-wise and copies: T_c = flops / (CUDA-core peak); T_m with the copy efficiency.
//
// F_sm = peak(dtype) x (sustained clock / boost clock) / SMs: the DeepSeek H800s throttle to
// ~1.6 GHz under load (FlashMLA deep-dive), so 989 TFLOP/s of BF16 is ~865 in practice.
// Every efficiency is <= 1 and padding only adds work, so t >= max(flops/peak, bytes/B): the model
// is never faster than the roofline.
//
// Worked number (H800, DeepGEMM shape m=4096 n=7168 k=16384 FP8, the shipped fit: e_pipe =
// 0.837, c_epi = 0.651, t0 = 3.55 us, e_read = 0.948): F_sm = 1979e12 x (1.6/1.83) / 132 = 13.11
// TFLOP/s; tiles = 32 x 56 = 1792 -> 14 waves of 132; main loop 2x128x128x16384 / (13.11e12 x
// 0.837) = 48.9 us, epilogue 0.651 x 32768 B / (3.35e12 / 132) = 0.84 us, T_c = 14 x 49.8 =
// 696.7 us. T_m = 243.3 MB / (3.35e12 x 0.948) = 76.6 us. Kernel: 3.55 + sqrt(696.7^2 + 76.6^2)
// = 704.4 us -> 1366 TFLOP/s (DeepGEMM publishes 1426: -4.2%).
#pragma once

#include <string_view>

#include "core/names.h"
#include "hw/specs.h"
#include "model/op.h"

namespace fleetsim::calib {

// The model's parameters for one GPU, resolved: given in the calibration table, fitted to its
// points, or these documented defaults (the rounded H800 fit; see docs/calibration.md).
struct ModelParams {
  double kernel_latency_s = 3.5e-6;   // t0: first loads, pipeline fill, last store
  double launch_overhead_s = 2.0e-6;  // gap between back-to-back kernels on one stream
  double sustained_clock_hz = 0;      // tensor clock under load; 0: the boost clock
  double corun_slowdown = 1;          // compute kernels beside communication kernels (training overlap)
  int sm_count = 0;                   // 0: the GPU's, else kDefaultSmCount
  double hbm_saturation = 0.5;        // share of SMs that saturates HBM (used with fewer SMs)
  double read_efficiency = 0.9;       // achieved share of HBM bandwidth, reading
  double copy_efficiency = 0.9;       // reading and writing
  double gemm_pipeline_efficiency = 0.84;
  double gemm_epilogue_exposed = 0.65;
  double gemm_overlap = 2;            // p of GEMMs
  double decode_compute_efficiency = 0.77;
  double prefill_compute_efficiency = 0.76;
  double attention_overlap = 4;       // p of attention kernels
};

// Hopper's SM count, used for a GPU whose count is not published.
inline constexpr int kDefaultSmCount = 132;

// Which limit dominates an op's kernel time.
enum class Bound { compute, memory, latency };
inline constexpr core::NameTable<Bound, 3> kBounds({{Bound::compute, "compute"},
                                                   {Bound::memory, "memory"},
                                                   {Bound::latency, "latency"}});
inline std::string_view bound_name(Bound b) { return kBounds.name_of(b); }

// One op priced, term by term (seconds unless named otherwise).
struct OpTiming {
  double seconds = 0;       // launch + kernel
  double launch_s = 0;
  double latency_s = 0;     // t0
  double compute_s = 0;     // T_c: tensor/ALU time with padding, waves and efficiency
  double memory_s = 0;      // T_m: HBM time at the achieved stream rate
  double roofline_s = 0;    // max(flops / peak, bytes / bandwidth) at the datasheet peaks
  double efficiency = 0;    // roofline_s / seconds, <= 1
  Bound bound = Bound::latency;
  int64_t tiles = 0;        // work units of the kernel (GEMM tiles, attention blocks)
  int64_t waves = 0;        // rounds of work units over the SMs
};

// What the model needs of a GPU, precomputed once from its spec and the parameters.
class Machine {
 public:
  Machine(const hw::GpuSpec& gpu, const ModelParams& params);

  // Datasheet peak of the tensor cores for the format the op runs in. A format the GPU lacks
  // runs in the next wider one it has (fp4 -> fp8 -> bf16; int6 -> bf16).
  double peak_flops_per_s(core::DType t) const;
  double clock_ratio() const { return clock_ratio_; }  // sustained / boost, <= 1
  double hbm_bw_bytes_per_s() const { return hbm_bw_; }
  double cuda_core_flops_per_s() const { return fp32_; }
  int sm_count() const { return sms_; }

 private:
  double bf16_, fp8_, fp4_, tf32_, fp32_;
  double hbm_bw_;
  double clock_ratio_;
  int sms_;
};

// The resources an op gets: all SMs and all HBM bandwidth, or a share when communication
// kernels hold some SMs (DeepSeek-V3 trains with 20 of 132 SMs on all-to-all) and stream through
// HBM themselves.
struct Share {
  int sms = 0;                     // 0: all
  double comm_hbm_bytes_per_s = 0; // HBM bandwidth the communication kernels use meanwhile
  // Running beside communication kernels (overlapped micro-batches): the kernel takes the
  // calibration's co-running slowdown (ModelParams::corun_slowdown: HBM, L2 and memory-system
  // contention measured on the GPU) on top of the SMs it is left.
  bool corun = false;
};

// Prices one op. Pure: no state, no allocation.
OpTiming evaluate(const model::Op& op, const Machine& gpu, const ModelParams& p, const Share& share = {});

}  // namespace fleetsim::calib
