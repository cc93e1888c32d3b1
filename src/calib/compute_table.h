// The compute part of a calibration table (`compute:` in calibration/data/<gpu>.yaml): the
// model's parameters that are given outright, and the measured or published points the others
// are fitted to (calib/fit.h). A parameter that is neither given nor constrained by a point
// keeps its documented default (ModelParams).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calib/op_model.h"
#include "core/schema.h"
#include "model/op.h"

namespace fleetsim::calib {

// How long a measured op took, as it was published: exactly one of the three.
struct Achieved {
  std::optional<double> time_s;
  std::optional<double> flop_rate;  // op FLOPs / time
  std::optional<double> byte_rate;  // op bytes / time
  bool includes_launch = false;     // timed back to back on a stream (launch gap included)
  bool hold_out = false;            // predicted and reported, not fitted
  std::string source;               // empty: the section's
  std::string note;
};

// A GEMM or grouped GEMM: groups x [m x k] x [k x n], A and B in `dtype`, C in `out`.
struct GemmPoint {
  int64_t m = 0, n = 0, k = 0, groups = 1;
  std::string layout;  // "normal", "contiguous", "masked" (as published; the model sees groups)
  core::DType dtype = core::DType::bf16;
  core::DType out = core::DType::bf16;
  Achieved achieved;
};

enum class AttentionKind { decode, prefill };
inline constexpr core::NameTable<AttentionKind, 2> kAttentionKinds({{AttentionKind::decode, "decode"},
                                                                  {AttentionKind::prefill, "prefill"}});

struct AttentionPoint {
  AttentionKind kind = AttentionKind::decode;
  int64_t batch = 1, heads = 1, q_len = 1, kv_len = 1, d_qk = 0, d_v = 0;
  double kv_bytes_per_token = 0;  // decode: cache bytes per token and layer
  bool causal = true;             // prefill
  core::DType dtype = core::DType::bf16;
  Achieved achieved;
};

enum class StreamPattern { read, copy };
inline constexpr core::NameTable<StreamPattern, 2> kStreamPatterns({{StreamPattern::read, "read"},
                                                                  {StreamPattern::copy, "copy"}});

struct StreamPoint {
  StreamPattern pattern = StreamPattern::copy;
  double bytes = 0;  // bytes moved: read, plus written for a copy
  Achieved achieved;
};

struct KernelSection {
  std::optional<double> latency_s, launch_overhead_s, sustained_clock_hz;
  std::optional<double> corun_slowdown;  // compute kernels beside communication kernels
  int sm_count = 0;  // 0: the GPU's
};
struct HbmSection {
  std::optional<double> read_efficiency, copy_efficiency, saturation;
  std::vector<StreamPoint> points;
};
struct GemmSection {
  std::optional<double> pipeline_efficiency, epilogue_exposed, overlap;
  std::vector<GemmPoint> points;
};
struct AttentionSection {
  std::optional<double> decode_compute_efficiency, prefill_compute_efficiency, overlap;
  std::vector<AttentionPoint> points;
};

struct ComputeCalibration {
  std::string source;
  // The id of another GPU whose table's compute part applies unchanged (the same silicon,
  // clocks and memory: H100 SXM5 and H800 SXM5). Resolved by CalibrationSet::load.
  std::string same_as;
  KernelSection kernel;
  HbmSection hbm;
  GemmSection gemm;
  AttentionSection attention;
  core::Provenance figures;
};

const core::Schema<ComputeCalibration>& compute_calibration_schema();

// The defaults with the given parameters applied (the start of a fit).
ModelParams given_params(const ComputeCalibration& c);

// A measurement as the fit sees it: the op, its measured time and how it was timed.
struct FitPoint {
  model::Op op;
  double seconds = 0;
  bool includes_launch = false;
  bool hold_out = false;
  std::string label;   // "gemm fp8 64x2112x7168"
  std::string source;
};
// Every point of the table, in file order (hbm, gemm, attention).
std::vector<FitPoint> fit_points(const ComputeCalibration& c);

}  // namespace fleetsim::calib
