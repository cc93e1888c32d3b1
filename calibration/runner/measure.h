// The runner's measurements on the GPU (the .cu files), behind plain C++ declarations so that the
// host side (main.cpp) compiles without CUDA headers. Every CUDA and cuBLASLt call is checked: a
// failure throws CudaError naming the call, the file and the line.
//
// How times are taken (every function below): random operands (not zeros: tensor cores and HBM
// draw data-dependent power), rotating buffers whose total exceeds the L2 several times (so no op
// finds its operands cached by the previous one), warm-up launches, then samples of one op each,
// timed by a CUDA event pair and queued behind a spin kernel so that no host gap falls inside.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fleetsim::calibration {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DeviceInfo {
  std::string name;
  int count = 0;          // devices visible
  int sm_count = 0;
  int cc_major = 0, cc_minor = 0;
  double memory_bytes = 0;
  double l2_bytes = 0;
  std::string versions;   // "CUDA runtime 13000, driver 13000, cuBLASLt 130100"
};
// The first device, or nullopt when there is none (or no driver): the caller exits 77.
std::optional<DeviceInfo> query_device();

struct TimingOptions {
  int warmup = 10;
  int samples = 50;
  double rotate_bytes = 0;  // operand footprint to rotate through; 0: 4 x L2
};

// HBM streams of `bytes` (read: bytes read; copy: half read, half written). `sms`: limit the
// grid to this many SMs' worth of blocks (0: all).
std::vector<double> time_hbm_read(double bytes, int sms, const TimingOptions& o);
std::vector<double> time_hbm_copy(double bytes, const TimingOptions& o);

// groups x [m x k] x [k x n] through cuBLASLt (strided batched for groups > 1): A and B in
// BF16 or FP8 E4M3 (fp8 = true), C in BF16, FP32 accumulation. Empty when cuBLASLt offers no
// algorithm for the shape (FP8 needs sm_89+).
std::vector<double> time_gemm(int64_t m, int64_t n, int64_t k, int64_t groups, bool fp8, const TimingOptions& o);

// MLA decode over a BF16 latent cache of d_qk = 576 (values: its first 512), split-KV with a
// combine pass: fleetsim's reference kernel (CUDA cores, memory-bound for heads <= 8).
std::vector<double> time_mla_decode(int64_t batch, int64_t heads, int64_t kv_len, const TimingOptions& o);
// Flash-attention forward, BF16, head dim 128, WMMA tensor cores: fleetsim's reference kernel
// (simple, so slower than FlashAttention-3; its points are held out of the fit).
std::vector<double> time_prefill(int64_t batch, int64_t heads, int64_t seq, bool causal, const TimingOptions& o);
// Both kernels against naive references on small shapes; false (with a message) on mismatch.
bool verify_attention(std::string& message);

// Per empty kernel, launched back to back from the host (what an eager framework pays).
std::vector<double> time_launch(const TimingOptions& o);
// One-direction copies: GPU 0 -> GPU 1 (needs 2 devices with peer access), pinned host -> GPU 0.
std::vector<double> time_peer_copy(double bytes, const TimingOptions& o);
std::vector<double> time_host_copy(double bytes, const TimingOptions& o);
bool peer_access_possible();

}  // namespace fleetsim::calibration
