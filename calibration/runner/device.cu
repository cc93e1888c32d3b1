// Device queries, random fills, the spin kernel and buffers.
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include <algorithm>
#include <cmath>

#include "common.cuh"

namespace fleetsim::calibration {

void fail_cuda(const char* call, const char* file, int line, const std::string& what) {
  throw CudaError(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " + what);
}

namespace {

__device__ uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

__global__ void fill_kernel(void* data, size_t n, int format, uint64_t seed, float scale) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const float u = static_cast<float>(mix(i ^ (seed << 40)) >> 40) * (1.0f / 16777216.0f);  // [0, 1)
    const float v = scale * (2.0f * u - 1.0f);
    if (format == 0) static_cast<__nv_bfloat16*>(data)[i] = __float2bfloat16(v);
    if (format == 1) static_cast<__nv_fp8_e4m3*>(data)[i] = __nv_fp8_e4m3(v);
    if (format == 2) static_cast<float*>(data)[i] = v;
  }
}

__global__ void spin_kernel(uint64_t ns) {
  uint64_t start = 0, now = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (now - start < ns);
}

}  // namespace

void fill_random(void* data, size_t n, Fill format, uint64_t seed, float scale, cudaStream_t s) {
  fill_kernel<<<1024, 256, 0, s>>>(data, n, static_cast<int>(format), seed, scale);
  CUDA_CHECK(cudaGetLastError());
}

void launch_spin(cudaStream_t s, double seconds) {
  spin_kernel<<<1, 1, 0, s>>>(static_cast<uint64_t>(seconds * 1e9));
  CUDA_CHECK(cudaGetLastError());
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) { CUDA_CHECK(cudaMalloc(&ptr_, std::max<size_t>(bytes, 16))); }
DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);  // no throw from a destructor; a failed free leaks, nothing worse
}

int rotations_for(double set_bytes, const TimingOptions& o) {
  int device = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  int l2 = 0;
  CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device));
  const double footprint = o.rotate_bytes > 0 ? o.rotate_bytes : 4.0 * l2;
  return std::max(1, static_cast<int>(std::ceil(footprint / std::max(set_bytes, 1.0))));
}

std::optional<DeviceInfo> query_device() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();  // clear the sticky "no device" error
    return std::nullopt;
  }
  CUDA_CHECK(cudaSetDevice(0));
  cudaDeviceProp p{};
  CUDA_CHECK(cudaGetDeviceProperties(&p, 0));
  int runtime = 0, driver = 0;
  CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  CUDA_CHECK(cudaDriverGetVersion(&driver));
  DeviceInfo d;
  d.name = p.name;
  d.count = count;
  d.sm_count = p.multiProcessorCount;
  d.cc_major = p.major;
  d.cc_minor = p.minor;
  d.memory_bytes = static_cast<double>(p.totalGlobalMem);
  d.l2_bytes = p.l2CacheSize;
  d.versions = "CUDA runtime " + std::to_string(runtime) + ", driver " + std::to_string(driver) + ", cuBLASLt " +
               std::to_string(cublasLtGetVersion());
  return d;
}

}  // namespace fleetsim::calibration
