// Fitting the op cost model to measurements: the parameters a table does not give are chosen to
// minimise the squared log-ratios of predicted to measured times (relative errors, symmetric in
// over- and under-prediction), by Levenberg-Marquardt with Eigen on the model of op_model.h.
// A parameter is fitted only when the points constrain it (its column of the Jacobian is not
// zero) and stays within its physical range (efficiencies in (0, 1]).
//
// Fitted, when free: kernel latency, read and copy efficiencies, GEMM pipeline efficiency and
// exposed epilogue, decode and prefill compute efficiencies. Fixed (given or default): launch
// gap, sustained clock, SM count, HBM saturation, overlap exponents.
#pragma once

#include <string>
#include <vector>

#include "calib/compute_table.h"
#include "calib/op_model.h"
#include "hw/specs.h"

namespace fleetsim::calib {

struct PointFit {
  std::string label;
  std::string source;
  bool hold_out = false;
  double measured_s = 0;
  double predicted_s = 0;
  double flops = 0, bytes = 0;
  // Predicted rate over measured rate, minus 1: positive when the model is faster.
  double deviation() const { return measured_s / predicted_s - 1; }
};

struct FitResult {
  ModelParams params;
  std::vector<std::string> fitted;  // names of the parameters the fit chose
  std::vector<PointFit> points;     // every point, fitted or held out, predicted with `params`
  int iterations = 0;
  double rms_log_error = 0;         // over the fitted points
};

// Fits the free parameters of `start` (those not in `fixed`) to the points that are not held out.
// An empty point list returns `start` unchanged.
FitResult fit_model(const hw::GpuSpec& gpu, const ModelParams& start, const std::vector<std::string>& fixed,
                    const std::vector<FitPoint>& points);

// The table's parameters: given ones fixed, the rest fitted to its points.
FitResult fit_table(const hw::GpuSpec& gpu, const ComputeCalibration& table);

// Each fitted point predicted by a fit to all the others (leave-one-out cross-validation): the
// returned points carry those predictions.
std::vector<PointFit> leave_one_out(const hw::GpuSpec& gpu, const ComputeCalibration& table);

// Names of the fittable parameters.
const std::vector<std::string>& fittable_parameters();

}  // namespace fleetsim::calib
