#include "calib/op_cost.h"

#include <algorithm>

namespace fleetsim::calib {

OpCost::OpCost(const hw::GpuSpec& gpu, const CalibrationTable& table)
    : gpu_(gpu),
      fit_(fit_table(gpu, table.compute)),
      params_(fit_.params),
      machine_(gpu_, params_),
      provenance_(table.provenance.kind) {}

OpCost::OpCost(const hw::GpuSpec& gpu, const ModelParams& params)
    : gpu_(gpu), params_(params), machine_(gpu_, params_) {
  fit_.params = params;
}

double OpCost::seconds(const std::vector<model::Op>& ops, const Share& share) const {
  double t = 0;
  for (const auto& op : ops) t += evaluate(op, machine_, params_, share).seconds;
  return t;
}

double sm_share_slowdown(const OpCost& cost, const model::Op& op, int comm_sms, double comm_hbm_bytes_per_s) {
  const int all = cost.machine().sm_count();
  const double full = cost.seconds(op);
  if (full <= 0) return 1;
  return cost.seconds(op, {std::max(1, all - comm_sms), comm_hbm_bytes_per_s}) / full;
}

}  // namespace fleetsim::calib
