// OpCost: the one place fleetsim computes how long GPU work takes. Built once per GPU from its
// spec and calibration table (fitting the table's points, a millisecond), then priced millions
// of times: seconds() is a few arithmetic operations, no allocation, safe to call from many
// threads at once (the object is immutable).
//
//   calib::OpCost cost(gpu, calibration.for_gpu(gpu));
//   double t = cost.seconds(op);                        // launch gap + kernel, seconds
//   calib::OpTiming b = cost.breakdown(op);             // the terms, the bound, the efficiency
//   double t112 = cost.seconds(op, {.sms = 112});       // 20 of 132 SMs given to all-to-all
//
// The model and its equations: op_model.h and docs/calibration.md.
#pragma once

#include <string>
#include <vector>

#include "calib/fit.h"
#include "calib/op_model.h"
#include "calib/table.h"
#include "hw/specs.h"
#include "model/op.h"

namespace fleetsim::calib {

class OpCost {
 public:
  // Fits the table's free parameters to its points. The GPU is copied.
  OpCost(const hw::GpuSpec& gpu, const CalibrationTable& table);
  // With parameters already resolved (tests, what-ifs).
  OpCost(const hw::GpuSpec& gpu, const ModelParams& params);

  // Launch gap plus kernel time of the op on the whole GPU; 0 for an op with no work.
  double seconds(const model::Op& op) const { return evaluate(op, machine_, params_).seconds; }
  // On a share of the GPU: compute-bound work slows as its tiles take more waves over fewer SMs;
  // memory-bound work only when the SMs left cannot saturate HBM, or communication kernels
  // stream through HBM meanwhile.
  double seconds(const model::Op& op, const Share& share) const {
    return evaluate(op, machine_, params_, share).seconds;
  }
  OpTiming breakdown(const model::Op& op, const Share& share = {}) const {
    return evaluate(op, machine_, params_, share);
  }
  // Sum over ops, one after another on one stream.
  double seconds(const std::vector<model::Op>& ops, const Share& share = {}) const;

  const hw::GpuSpec& gpu() const { return gpu_; }
  const ModelParams& params() const { return params_; }
  const Machine& machine() const { return machine_; }
  Provenance provenance() const { return provenance_; }
  // How the parameters were obtained (empty when built from parameters).
  const FitResult& fit() const { return fit_; }

 private:
  hw::GpuSpec gpu_;
  FitResult fit_;
  ModelParams params_;
  Machine machine_;
  Provenance provenance_ = Provenance::default_values;
};

// The slowdown of compute while `comm_sms` of the GPU's SMs run communication kernels:
// seconds(op, share) / seconds(op). A convenience for the training engine's reports.
double sm_share_slowdown(const OpCost& cost, const model::Op& op, int comm_sms, double comm_hbm_bytes_per_s = 0);

}  // namespace fleetsim::calib
