#include "net/comm_costs.h"

#include <algorithm>

namespace fleetsim::net {

calib::LinkClass link_class(topo::LinkType t) {
  switch (t) {
    case topo::LinkType::nvlink: return calib::LinkClass::nvlink;
    case topo::LinkType::pcie: return calib::LinkClass::pcie;
    case topo::LinkType::nic_leaf:
    case topo::LinkType::leaf_spine:
    case topo::LinkType::spine_core: return calib::LinkClass::scale_out;
  }
  return calib::LinkClass::scale_out;
}

CommCosts CommCosts::ideal() {
  calib::CommCalibration c;
  const calib::LinkCalibration line_rate{0.0, calib::EfficiencyCurve({{1.0, 1.0}}), "ideal: line rate, no latency"};
  c.nvlink = c.pcie = c.scale_out = line_rate;
  return CommCosts(c);
}

double CommCosts::efficiency(topo::LinkType t, double bytes) const {
  return calibration_.link(link_class(t)).efficiency.at(std::max(bytes, 1.0));
}

double CommCosts::route_latency_s(const topo::Route& r, double switch_latency_s) const {
  const int extra_switches = std::max(0, r.fabric_switches - r.scale_out_segments);
  return r.nvlink_segments * latency_s(calib::LinkClass::nvlink) + r.pcie_segments * latency_s(calib::LinkClass::pcie) +
         r.scale_out_segments * latency_s(calib::LinkClass::scale_out) + extra_switches * switch_latency_s;
}

}  // namespace fleetsim::net
