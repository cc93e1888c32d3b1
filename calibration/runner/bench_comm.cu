// Launch gaps and one-direction copies: GPU 0 -> GPU 1 over NVLink (or whatever joins them) and
// pinned host -> GPU 0 over PCIe.
#include <algorithm>

#include "common.cuh"

namespace fleetsim::calibration {

namespace {

__global__ void empty_kernel() {}

// Pinned host memory freed on scope exit.
class HostBuffer {
 public:
  explicit HostBuffer(size_t bytes) { CUDA_CHECK(cudaMallocHost(&ptr_, std::max<size_t>(bytes, 16))); }
  ~HostBuffer() {
    if (ptr_) cudaFreeHost(ptr_);
  }
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  void* get() const { return ptr_; }

 private:
  void* ptr_ = nullptr;
};

}  // namespace

std::vector<double> time_launch(const TimingOptions& o) {
  // Not behind a spin kernel: the host's launch rate is what is measured. Each sample is the
  // mean over 100 launches, back to back.
  constexpr int kLaunches = 100;
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  cudaEvent_t a, b;
  CUDA_CHECK(cudaEventCreate(&a));
  CUDA_CHECK(cudaEventCreate(&b));
  for (int w = 0; w < o.warmup; ++w) empty_kernel<<<1, 32, 0, s>>>();
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaStreamSynchronize(s));
  std::vector<double> out;
  for (int i = 0; i < o.samples; ++i) {
    CUDA_CHECK(cudaEventRecord(a, s));
    for (int j = 0; j < kLaunches; ++j) empty_kernel<<<1, 32, 0, s>>>();
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaEventRecord(b, s));
    CUDA_CHECK(cudaEventSynchronize(b));
    float ms = 0;
    CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
    out.push_back(ms * 1e-3 / kLaunches);
  }
  CUDA_CHECK(cudaEventDestroy(a));
  CUDA_CHECK(cudaEventDestroy(b));
  CUDA_CHECK(cudaStreamDestroy(s));
  return out;
}

bool peer_access_possible() {
  int count = 0;
  CUDA_CHECK(cudaGetDeviceCount(&count));
  if (count < 2) return false;
  int can = 0;
  CUDA_CHECK(cudaDeviceCanAccessPeer(&can, 0, 1));
  return can != 0;
}

std::vector<double> time_peer_copy(double bytes, const TimingOptions& o) {
  const size_t n = static_cast<size_t>(bytes);
  CUDA_CHECK(cudaSetDevice(1));
  DeviceBuffer dst(n);
  CUDA_CHECK(cudaSetDevice(0));
  const cudaError_t e = cudaDeviceEnablePeerAccess(1, 0);
  if (e == cudaErrorPeerAccessAlreadyEnabled) {
    cudaGetLastError();
  } else {
    CUDA_CHECK(e);
  }
  DeviceBuffer src(n);
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  fill_random(src.get(), n / 4, Fill::f32, 71, 1.0f, s);
  auto out = time_op([&](int) { CUDA_CHECK(cudaMemcpyPeerAsync(dst.get(), 1, src.get(), 0, n, s)); }, 1, o, s);
  CUDA_CHECK(cudaStreamDestroy(s));
  return out;
}

std::vector<double> time_host_copy(double bytes, const TimingOptions& o) {
  const size_t n = static_cast<size_t>(bytes);
  HostBuffer src(n);
  DeviceBuffer dst(n);
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  auto out = time_op([&](int) { CUDA_CHECK(cudaMemcpyAsync(dst.get(), src.get(), n, cudaMemcpyHostToDevice, s)); }, 1,
                     o, s);
  CUDA_CHECK(cudaStreamDestroy(s));
  return out;
}

}  // namespace fleetsim::calibration
