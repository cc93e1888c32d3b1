// GEMMs through cuBLASLt: row-major C[m x n] = A[m x k] . B[n x k]^T (weights stored as [n x k],
// the "NT" form of DeepGEMM), which in cuBLASLt's column-major terms is C^T = op_T(B) . A^T with
// A and B both K-major: the TN layout FP8 requires. Groups run as a strided batch.
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include "common.cuh"

#define CUBLAS_CHECK(call)                                                                           \
  do {                                                                                               \
    const cublasStatus_t st_ = (call);                                                               \
    if (st_ != CUBLAS_STATUS_SUCCESS) {                                                              \
      ::fleetsim::calibration::fail_cuda(#call, __FILE__, __LINE__,                                  \
                                         std::string("cuBLAS status ") + std::to_string(static_cast<int>(st_))); \
    }                                                                                                \
  } while (false)

namespace fleetsim::calibration {

namespace {

constexpr size_t kWorkspace = 64ull << 20;

struct Layouts {
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  ~Layouts() {
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (c) cublasLtMatrixLayoutDestroy(c);
  }
};

void set_batch(cublasLtMatrixLayout_t l, int64_t groups, int64_t stride) {
  const int32_t count = static_cast<int32_t>(groups);
  CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)));
  CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)));
}

}  // namespace

std::vector<double> time_gemm(int64_t m, int64_t n, int64_t k, int64_t groups, bool fp8, const TimingOptions& o) {
  const cudaDataType_t in_type = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  const size_t in_bytes = fp8 ? 1 : 2;
  const size_t a_elems = static_cast<size_t>(groups * m * k), b_elems = static_cast<size_t>(groups * n * k);
  const size_t c_elems = static_cast<size_t>(groups * m * n);
  const double set_bytes = static_cast<double>((a_elems + b_elems) * in_bytes + c_elems * 2);
  const int rot = rotations_for(set_bytes, o);
  DeviceBuffer a(a_elems * in_bytes * rot), b(b_elems * in_bytes * rot), c(c_elems * 2 * rot);
  DeviceBuffer scales(2 * sizeof(float)), workspace(kWorkspace);
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreate(&s));
  // Values of unit size keep FP8 in range and BF16 sums well away from overflow.
  fill_random(a.get(), a_elems * rot, fp8 ? Fill::fp8_e4m3 : Fill::bf16, 21, 1.0f, s);
  fill_random(b.get(), b_elems * rot, fp8 ? Fill::fp8_e4m3 : Fill::bf16, 22, 1.0f, s);
  const float ones[2] = {1.0f, 1.0f};
  CUDA_CHECK(cudaMemcpyAsync(scales.get(), ones, sizeof(ones), cudaMemcpyHostToDevice, s));

  cublasLtHandle_t lt;
  CUBLAS_CHECK(cublasLtCreate(&lt));
  cublasLtMatmulDesc_t desc;
  CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t transa = CUBLAS_OP_T, transb = CUBLAS_OP_N;
  CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof(transa)));
  CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof(transb)));
  if (fp8) {
    const float* sa = scales.as<float>();
    const float* sb = scales.as<float>() + 1;
    CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &sa, sizeof(sa)));
    CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &sb, sizeof(sb)));
  }
  // Column-major view: "A" is the weights [k x n] (K-major), "B" the activations [k x m], C [n x m].
  Layouts l;
  CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&l.a, in_type, static_cast<uint64_t>(k), static_cast<uint64_t>(n), k));
  CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&l.b, in_type, static_cast<uint64_t>(k), static_cast<uint64_t>(m), k));
  CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&l.c, CUDA_R_16BF, static_cast<uint64_t>(n), static_cast<uint64_t>(m), n));
  if (groups > 1) {
    set_batch(l.a, groups, n * k);
    set_batch(l.b, groups, m * k);
    set_batch(l.c, groups, m * n);
  }
  cublasLtMatmulPreference_t pref;
  CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  const size_t ws = kWorkspace;
  CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)));
  cublasLtMatmulHeuristicResult_t heuristic{};
  int found = 0;
  // The library's first choice, as frameworks use it without autotuning.
  const cublasStatus_t hs = cublasLtMatmulAlgoGetHeuristic(lt, desc, l.a, l.b, l.c, l.c, pref, 1, &heuristic, &found);
  std::vector<double> out;
  if (hs == CUBLAS_STATUS_SUCCESS && found > 0) {
    const float alpha = 1.0f, beta = 0.0f;
    out = time_op(
        [&](int r) {
          const char* pa = static_cast<const char*>(b.get()) + r * b_elems * in_bytes;  // weights
          const char* pb = static_cast<const char*>(a.get()) + r * a_elems * in_bytes;  // activations
          char* pc = static_cast<char*>(c.get()) + r * c_elems * 2;
          CUBLAS_CHECK(cublasLtMatmul(lt, desc, &alpha, pa, l.a, pb, l.b, &beta, pc, l.c, pc, l.c, &heuristic.algo,
                                      workspace.get(), kWorkspace, s));
        },
        rot, o, s);
  }
  CUBLAS_CHECK(cublasLtMatmulPreferenceDestroy(pref));
  CUBLAS_CHECK(cublasLtMatmulDescDestroy(desc));
  CUBLAS_CHECK(cublasLtDestroy(lt));
  CUDA_CHECK(cudaStreamDestroy(s));
  return out;
}

}  // namespace fleetsim::calibration
