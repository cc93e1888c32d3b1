// What the runner's .cu files share: checked CUDA calls, random fills, the spin kernel and the
// timing loop (see measure.h for the procedure).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "measure.h"

namespace fleetsim::calibration {

[[noreturn]] void fail_cuda(const char* call, const char* file, int line, const std::string& what);

}  // namespace fleetsim::calibration

#define CUDA_CHECK(call)                                                                             \
  do {                                                                                               \
    const cudaError_t err_ = (call);                                                                 \
    if (err_ != cudaSuccess) ::fleetsim::calibration::fail_cuda(#call, __FILE__, __LINE__, cudaGetErrorString(err_)); \
  } while (false)

namespace fleetsim::calibration {

enum class Fill { bf16, fp8_e4m3, f32 };
// Uniform values in [-scale, scale] from a hash of (index, seed), converted to the format.
void fill_random(void* data, size_t elements, Fill format, uint64_t seed, float scale, cudaStream_t s);
// Holds the stream for `seconds` so that the host can queue a batch of timed ops behind it.
void launch_spin(cudaStream_t s, double seconds);

// A device allocation freed on scope exit.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr; }
  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  template <class T>
  T* as() const { return static_cast<T*>(ptr_); }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// How many copies of an operand set of `set_bytes` to rotate through: enough that their total
// exceeds the footprint (default 4 x L2), at least 1.
int rotations_for(double set_bytes, const TimingOptions& o);

// Times op(rotation) per the procedure of measure.h: returns one sample (seconds) per op.
template <class Op>
std::vector<double> time_op(Op&& op, int rotations, const TimingOptions& o, cudaStream_t s) {
  constexpr int kBatch = 10;
  for (int w = 0; w < o.warmup; ++w) op(w % rotations);
  CUDA_CHECK(cudaStreamSynchronize(s));
  std::vector<cudaEvent_t> ev(2 * kBatch);
  for (auto& e : ev) CUDA_CHECK(cudaEventCreate(&e));
  std::vector<double> out;
  int done = 0;
  while (static_cast<int>(out.size()) < o.samples) {
    launch_spin(s, 2e-3);
    for (int j = 0; j < kBatch; ++j) {
      CUDA_CHECK(cudaEventRecord(ev[2 * j], s));
      op((done + j) % rotations);
      CUDA_CHECK(cudaEventRecord(ev[2 * j + 1], s));
    }
    CUDA_CHECK(cudaStreamSynchronize(s));
    for (int j = 0; j < kBatch; ++j) {
      float ms = 0;
      CUDA_CHECK(cudaEventElapsedTime(&ms, ev[2 * j], ev[2 * j + 1]));
      out.push_back(ms * 1e-3);
    }
    done += kBatch;
  }
  for (auto& e : ev) CUDA_CHECK(cudaEventDestroy(e));
  return out;
}

}  // namespace fleetsim::calibration
