#include "calib/fit.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace fleetsim::calib {

namespace {

// A fittable parameter: where it lives, its range, and the unit the solver steps in (so that
// every coordinate is of order one).
struct Param {
  const char* name;
  double ModelParams::*member;
  double lo, hi, scale;
};

const std::vector<Param>& params() {
  static const std::vector<Param> p = {
      {"kernel_latency", &ModelParams::kernel_latency_s, 0, 50e-6, 1e-6},
      {"read_efficiency", &ModelParams::read_efficiency, 0.05, 1, 1},
      {"copy_efficiency", &ModelParams::copy_efficiency, 0.05, 1, 1},
      {"gemm_pipeline_efficiency", &ModelParams::gemm_pipeline_efficiency, 0.05, 1, 1},
      {"gemm_epilogue_exposed", &ModelParams::gemm_epilogue_exposed, 0, 1, 1},
      {"decode_compute_efficiency", &ModelParams::decode_compute_efficiency, 0.05, 1, 1},
      {"prefill_compute_efficiency", &ModelParams::prefill_compute_efficiency, 0.05, 1, 1},
  };
  return p;
}

double predict(const FitPoint& pt, const Machine& m, const ModelParams& p) {
  const OpTiming t = evaluate(pt.op, m, p);
  return pt.includes_launch ? t.seconds : t.seconds - t.launch_s;
}

class Problem {
 public:
  Problem(const hw::GpuSpec& gpu, const ModelParams& start, std::vector<const Param*> free,
          std::vector<const FitPoint*> points)
      : start_(start), machine_(gpu, start), free_(std::move(free)), points_(std::move(points)) {}

  ModelParams at(const Eigen::VectorXd& x) const {
    ModelParams p = start_;
    for (size_t i = 0; i < free_.size(); ++i) p.*(free_[i]->member) = x[static_cast<Eigen::Index>(i)] * free_[i]->scale;
    return p;
  }
  Eigen::VectorXd residuals(const Eigen::VectorXd& x) const {
    const ModelParams p = at(x);
    Eigen::VectorXd r(static_cast<Eigen::Index>(points_.size()));
    for (size_t i = 0; i < points_.size(); ++i) {
      r[static_cast<Eigen::Index>(i)] = std::log(predict(*points_[i], machine_, p) / points_[i]->seconds);
    }
    return r;
  }
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& x, const Eigen::VectorXd& r) const {
    Eigen::MatrixXd j(r.size(), x.size());
    for (Eigen::Index c = 0; c < x.size(); ++c) {
      // A one-sided step that stays in range.
      const auto& prm = *free_[static_cast<size_t>(c)];
      double h = 1e-6 * std::max(1.0, std::fabs(x[c]));
      if ((x[c] + h) * prm.scale > prm.hi) h = -h;
      Eigen::VectorXd y = x;
      y[c] += h;
      j.col(c) = (residuals(y) - r) / h;
    }
    return j;
  }
  Eigen::VectorXd clamp(Eigen::VectorXd x) const {
    for (Eigen::Index c = 0; c < x.size(); ++c) {
      const auto& prm = *free_[static_cast<size_t>(c)];
      x[c] = std::clamp(x[c], prm.lo / prm.scale, prm.hi / prm.scale);
    }
    return x;
  }
  Eigen::VectorXd start() const {
    Eigen::VectorXd x(static_cast<Eigen::Index>(free_.size()));
    for (size_t i = 0; i < free_.size(); ++i) x[static_cast<Eigen::Index>(i)] = start_.*(free_[i]->member) / free_[i]->scale;
    return clamp(x);
  }
  const Machine& machine() const { return machine_; }

 private:
  ModelParams start_;
  Machine machine_;
  std::vector<const Param*> free_;
  std::vector<const FitPoint*> points_;
};

// Levenberg-Marquardt with box constraints (steps are clamped to the ranges). Returns the
// iterations taken.
int minimise(const Problem& prob, Eigen::VectorXd& x) {
  constexpr int kMaxIterations = 200;
  constexpr double kTolerance = 1e-12;  // relative decrease of the cost that ends the search
  Eigen::VectorXd r = prob.residuals(x);
  double cost = r.squaredNorm();
  double lambda = 1e-3;
  int it = 0;
  for (; it < kMaxIterations; ++it) {
    const Eigen::MatrixXd j = prob.jacobian(x, r);
    const Eigen::MatrixXd jtj = j.transpose() * j;
    const Eigen::VectorXd g = j.transpose() * r;
    bool improved = false;
    while (lambda < 1e12) {
      Eigen::MatrixXd a = jtj;
      a.diagonal() += lambda * jtj.diagonal() + Eigen::VectorXd::Constant(x.size(), 1e-12);
      const Eigen::VectorXd y = prob.clamp(x + a.ldlt().solve(-g));
      const Eigen::VectorXd ry = prob.residuals(y);
      const double cy = ry.squaredNorm();
      if (cy < cost) {
        const bool done = cost - cy <= kTolerance * std::max(cost, 1e-30) || (y - x).norm() <= kTolerance * (1 + x.norm());
        x = y;
        r = ry;
        cost = cy;
        lambda = std::max(lambda / 3, 1e-12);
        improved = !done;
        break;
      }
      lambda *= 4;
    }
    if (!improved) break;
  }
  return it;
}

std::vector<std::string> fixed_by_table(const ComputeCalibration& t) {
  std::vector<std::string> fixed;
  auto add = [&fixed](const std::optional<double>& v, const char* name) {
    if (v) fixed.emplace_back(name);
  };
  add(t.kernel.latency_s, "kernel_latency");
  add(t.hbm.read_efficiency, "read_efficiency");
  add(t.hbm.copy_efficiency, "copy_efficiency");
  add(t.gemm.pipeline_efficiency, "gemm_pipeline_efficiency");
  add(t.gemm.epilogue_exposed, "gemm_epilogue_exposed");
  add(t.attention.decode_compute_efficiency, "decode_compute_efficiency");
  add(t.attention.prefill_compute_efficiency, "prefill_compute_efficiency");
  return fixed;
}

}  // namespace

const std::vector<std::string>& fittable_parameters() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& p : params()) n.emplace_back(p.name);
    return n;
  }();
  return names;
}

FitResult fit_model(const hw::GpuSpec& gpu, const ModelParams& start, const std::vector<std::string>& fixed,
                    const std::vector<FitPoint>& points) {
  std::vector<const FitPoint*> used;
  for (const auto& p : points) {
    FLEETSIM_CHECK(p.seconds > 0, "a calibration point needs a positive time");
    if (!p.hold_out) used.push_back(&p);
  }
  std::vector<const Param*> candidates;
  for (const auto& p : params()) {
    if (std::find(fixed.begin(), fixed.end(), p.name) == fixed.end()) candidates.push_back(&p);
  }
  FitResult out;
  out.params = start;
  if (!used.empty() && !candidates.empty()) {
    // Free only the parameters the points constrain: some point's log-time must move by at
    // least kSensitivity per unit of the (scaled) parameter, e.g. 0.5% for an efficiency
    // change of 0.1, or 5% for 1 us of latency. Others keep their defaults rather than drift
    // along a flat direction of the cost.
    constexpr double kSensitivity = 0.05;
    Problem probe(gpu, start, candidates, used);
    const Eigen::VectorXd x0 = probe.start();
    const Eigen::MatrixXd j0 = probe.jacobian(x0, probe.residuals(x0));
    std::vector<const Param*> free;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (j0.col(static_cast<Eigen::Index>(c)).cwiseAbs().maxCoeff() > kSensitivity) free.push_back(candidates[c]);
    }
    if (!free.empty()) {
      Problem prob(gpu, start, free, used);
      Eigen::VectorXd x = prob.start();
      out.iterations = minimise(prob, x);
      out.params = prob.at(x);
      for (const auto* p : free) out.fitted.emplace_back(p->name);
    }
  }
  const Machine machine(gpu, out.params);
  double sum = 0;
  for (const auto& p : points) {
    PointFit f{p.label, p.source, p.hold_out, p.seconds, predict(p, machine, out.params), p.op.flops, p.op.bytes};
    if (!p.hold_out) sum += std::pow(std::log(f.predicted_s / f.measured_s), 2);
    out.points.push_back(std::move(f));
  }
  out.rms_log_error = used.empty() ? 0 : std::sqrt(sum / static_cast<double>(used.size()));
  return out;
}

FitResult fit_table(const hw::GpuSpec& gpu, const ComputeCalibration& table) {
  return fit_model(gpu, given_params(table), fixed_by_table(table), fit_points(table));
}

std::vector<PointFit> leave_one_out(const hw::GpuSpec& gpu, const ComputeCalibration& table) {
  const auto points = fit_points(table);
  const ModelParams start = given_params(table);
  const auto fixed = fixed_by_table(table);
  std::vector<PointFit> out;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].hold_out) continue;
    auto rest = points;
    rest[i].hold_out = true;
    FitResult r = fit_model(gpu, start, fixed, rest);
    out.push_back(r.points[i]);
  }
  return out;
}

}  // namespace fleetsim::calib
