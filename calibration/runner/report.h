// What the calibration runner measured, reduced and written as a calibration table
// (calibration/data/<gpu>.yaml, the schema calib::calibration_table_schema reads). Plain C++:
// built and tested without CUDA, so CI checks the writer on fake measurements.
//
// Reduction: the median of the samples (robust to the odd preempted run), with the 10th and
// 90th percentiles kept in the point's note. GEMM and attention times are kernel times (the
// runner queues them behind a spin kernel, so no host gap is inside); the launch gap is
// measured apart, with empty kernels launched back to back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calib/table.h"

namespace fleetsim::calibration {

struct Summary {
  double median_s = 0;
  double p10_s = 0;
  double p90_s = 0;
  int samples = 0;
};
// Throws std::invalid_argument for no samples, or a sample that is not a positive time.
Summary summarize(std::vector<double> samples_s);

// Every `every`-th shape of a list is held out of the fit, to check it (index 2, 2 + every, ...).
bool held_out(size_t index, size_t every = 5);

struct GemmResult {
  int64_t m = 0, n = 0, k = 0, groups = 1;
  core::DType dtype = core::DType::bf16;
  Summary time;
  bool hold_out = false;
};
struct AttentionResult {
  calib::AttentionKind kind = calib::AttentionKind::decode;
  int64_t batch = 1, heads = 1, q_len = 1, kv_len = 1, d_qk = 0, d_v = 0;
  bool causal = true;
  Summary time;
  bool hold_out = false;
  std::string note;
};
struct StreamResult {
  calib::StreamPattern pattern = calib::StreamPattern::copy;
  double bytes = 0;  // read, plus written for a copy
  Summary time;
};
// A copy between two GPUs (NVLink) or between host and GPU (PCIe), one direction.
struct TransferResult {
  double bytes = 0;
  Summary time;
};

struct RunInfo {
  std::string gpu;            // catalog id
  std::string device;         // the driver's name for it
  std::string date;           // ISO date
  std::string tool;           // runner, CUDA and cuBLASLt versions
  int sm_count = 0;
  std::optional<Summary> launch;       // per empty kernel, back to back
  std::optional<double> hbm_saturation;  // share of SMs whose reads reach 95% of the full bandwidth
  double nvlink_bw_per_direction = 0;  // line rates the transfer fractions are of (catalog)
  double pcie_bw_per_direction = 0;
};

struct Results {
  RunInfo info;
  std::vector<StreamResult> hbm;
  std::vector<GemmResult> gemm;
  std::vector<AttentionResult> attention;
  std::vector<TransferResult> nvlink;  // empty: one GPU, not measured
  std::vector<TransferResult> pcie;    // empty: not measured
};

// The table as YAML. Links not measured keep calib::default_comm()'s figures, marked as such;
// with neither NVLink nor PCIe measured there is no comm section (the loader's defaults).
std::string to_yaml(const Results& r);

// A link's calibration from transfers of increasing size: the latency is the smallest
// message's time, the efficiency at each size its achieved share of the line rate (<= 1).
calib::LinkCalibration link_from(const std::vector<TransferResult>& transfers, double line_rate_bytes_per_s,
                                 const std::string& source);

}  // namespace fleetsim::calibration
