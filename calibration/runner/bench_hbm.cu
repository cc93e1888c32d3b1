// HBM streams: a read-only reduction and a copy, 16-byte vector accesses, grid-stride loops.
#include <algorithm>

#include "common.cuh"

namespace fleetsim::calibration {

namespace {

// Reads every 16-byte word; the XOR of all words decides a store no input can trigger, so the
// loads cannot be optimised away.
__global__ void read_kernel(const uint4* __restrict__ in, size_t n, uint32_t* sink) {
  uint32_t acc = 0;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const uint4 v = in[i];
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x9e3779b9u && threadIdx.x == 0) *sink = acc;
}

__global__ void copy_kernel(const uint4* __restrict__ in, uint4* __restrict__ out, size_t n) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    out[i] = in[i];
  }
}

constexpr int kThreads = 512;

int blocks_for(int sms) {
  int device = 0, per_sm = 0, all = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  CUDA_CHECK(cudaDeviceGetAttribute(&all, cudaDevAttrMultiProcessorCount, device));
  CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, read_kernel, kThreads, 0));
  return std::max(1, per_sm) * (sms > 0 ? std::min(sms, all) : all);
}

}  // namespace

std::vector<double> time_hbm_read(double bytes, int sms, const TimingOptions& o) {
  const size_t words = static_cast<size_t>(bytes) / sizeof(uint4);
  const int rot = rotations_for(bytes, o);
  DeviceBuffer buf(words * sizeof(uint4) * rot);
  DeviceBuffer sink(sizeof(uint32_t));
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  fill_random(buf.get(), buf.bytes() / 4, Fill::f32, 11, 1.0f, s);
  const int blocks = blocks_for(sms);
  auto out = time_op(
      [&](int r) {
        read_kernel<<<blocks, kThreads, 0, s>>>(buf.as<uint4>() + r * words, words, sink.as<uint32_t>());
        CUDA_CHECK(cudaGetLastError());
      },
      rot, o, s);
  CUDA_CHECK(cudaStreamDestroy(s));
  return out;
}

std::vector<double> time_hbm_copy(double bytes, const TimingOptions& o) {
  const size_t words = static_cast<size_t>(bytes / 2) / sizeof(uint4);  // half read, half written
  const int rot = rotations_for(bytes, o);
  DeviceBuffer src(words * sizeof(uint4) * rot), dst(words * sizeof(uint4) * rot);
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  fill_random(src.get(), src.bytes() / 4, Fill::f32, 12, 1.0f, s);
  const int blocks = blocks_for(0);
  auto out = time_op(
      [&](int r) {
        copy_kernel<<<blocks, kThreads, 0, s>>>(src.as<uint4>() + r * words, dst.as<uint4>() + r * words, words);
        CUDA_CHECK(cudaGetLastError());
      },
      rot, o, s);
  CUDA_CHECK(cudaStreamDestroy(s));
  return out;
}

}  // namespace fleetsim::calibration
