// What moving bytes costs on each kind of link, from the calibration table (calib/table.h):
// both fidelities of net/ price transfers here and nowhere else.
//
//   latency (alpha): before the first byte, a transfer pays the calibrated small-message
//     latency of each segment of its route (an NVLink hop, a PCIe hop, a trip through the
//     scale-out fabric), plus the port-to-port latency of every fabric switch beyond the first
//     (the scale-out figure is measured through one leaf: 2.8 us, ISCA'25 Table 5);
//   bandwidth (beta): on a link of line rate R (per direction) a transfer of `bytes` achieves
//     R x f(bytes), f the calibrated efficiency curve of the link's class. In the max-min
//     problem a transfer therefore takes 1/f of a link's capacity per byte/s it moves.
//
// Worked number (H800, calibration/data/h800.yaml): a 256 MiB transfer between two GPUs of a
// node pays 3.33 us, then moves at 200 GB/s x 0.68 = 136 GB/s: 3.33 us + 1.974 ms.
#pragma once

#include "calib/table.h"
#include "core/names.h"
#include "topo/topology.h"

namespace fleetsim::net {

calib::LinkClass link_class(topo::LinkType t);
inline constexpr core::NameTable<calib::LinkClass, 3> kLinkClasses({{calib::LinkClass::nvlink, "nvlink"},
                                                                   {calib::LinkClass::pcie, "pcie"},
                                                                   {calib::LinkClass::scale_out, "scale_out"}});
inline std::string_view link_class_name(calib::LinkClass c) { return kLinkClasses.name_of(c); }

class CommCosts {
 public:
  explicit CommCosts(calib::CommCalibration calibration) : calibration_(std::move(calibration)) {}
  // The textbook model: every link at line rate, no latency.
  static CommCosts ideal();

  // Achieved fraction of line rate on a link of type t for a transfer of `bytes`.
  double efficiency(topo::LinkType t, double bytes) const;
  double latency_s(calib::LinkClass c) const { return calibration_.link(c).latency_s; }
  // Latency of a route before its first byte arrives (see the header).
  double route_latency_s(const topo::Route& r, double switch_latency_s) const;

  const calib::CommCalibration& calibration() const { return calibration_; }

 private:
  calib::CommCalibration calibration_;
};

}  // namespace fleetsim::net
