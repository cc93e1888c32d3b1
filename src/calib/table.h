// Calibration tables: what a GPU achieves, as opposed to its peaks (hw/). One table per GPU in
// calibration/data/<gpu>.yaml, measured by the microkernels in calibration/ or derived from
// published measurements. A GPU with no table gets documented defaults, marked as such.
//
// This file holds the table's frame and its communication part: the achieved fraction of a
// link's per-direction line rate by message size, and the latency of a small message. The
// compute part (GEMMs, attention, HBM streams) is in compute_table.h; OpCost (op_cost.h) prices
// ops with it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "calib/compute_table.h"
#include "core/schema.h"
#include "hw/specs.h"

namespace fleetsim::calib {

enum class Provenance { measured, derived, default_values };
inline constexpr core::NameTable<Provenance, 3> kProvenances({{Provenance::measured, "measured"},
                                                             {Provenance::derived, "derived"},
                                                             {Provenance::default_values, "default"}});
inline std::string_view provenance_name(Provenance p) { return kProvenances.name_of(p); }

struct TableProvenance {
  Provenance kind = Provenance::default_values;
  std::string source;   // who measured or what publications it is derived from
  std::string date;     // when (ISO date)
  std::string tool;     // kernel/library and version ("cuBLASLt 13.1, fleetsim calibration 0.1")
  std::string device;   // the device name the measurement ran on, if measured
};

// Achieved fraction of line rate as a function of message size: piecewise linear in
// log(bytes) between points, constant beyond the first and last. One point: a plateau.
struct EfficiencyPoint {
  double bytes = 0;
  double fraction = 0;
};
class EfficiencyCurve {
 public:
  EfficiencyCurve() = default;
  explicit EfficiencyCurve(std::vector<EfficiencyPoint> points);  // sorted by bytes on construction
  double at(double bytes) const;
  const std::vector<EfficiencyPoint>& points() const { return points_; }

 private:
  std::vector<EfficiencyPoint> points_;
};

// One class of link: the latency of a small message end to end (the alpha of alpha-beta) and the
// efficiency curve (beta = 1 / (line rate x fraction)).
struct LinkCalibration {
  double latency_s = 0;
  EfficiencyCurve efficiency;
  std::string source;
};

enum class LinkClass { nvlink, pcie, scale_out };

struct CommCalibration {
  LinkCalibration nvlink;     // GPU to GPU through NVSwitch
  LinkCalibration pcie;       // GPU to NIC or host
  LinkCalibration scale_out;  // RDMA between nodes (InfiniBand or RoCE), NIC to NIC

  const LinkCalibration& link(LinkClass c) const;
};

struct CalibrationTable {
  std::string gpu;  // GpuSpec id
  TableProvenance provenance;
  CommCalibration comm;        // absent in a file: the defaults of default_calibration
  ComputeCalibration compute;  // absent in a file: every parameter at its default
  core::Provenance figures;  // sources of individual figures
};

const core::Schema<CalibrationTable>& calibration_table_schema();

// Loads one table. Throws InputError with file, line and field.
CalibrationTable load_calibration_table(const std::filesystem::path& file);

// fleetsim's communication defaults: what a table without `comm:` gets.
CommCalibration default_comm();

// Documented defaults for a GPU with no table (provenance default_values).
CalibrationTable default_calibration(const hw::GpuSpec& gpu);

// The tables of a directory, by GPU id.
class CalibrationSet {
 public:
  static CalibrationSet load(const std::filesystem::path& dir);  // a missing dir is an empty set
  // The GPU's table, or its defaults.
  CalibrationTable for_gpu(const hw::GpuSpec& gpu) const;
  bool has(const std::string& gpu_id) const { return tables_.count(gpu_id) > 0; }
  const std::map<std::string, CalibrationTable>& tables() const { return tables_; }

 private:
  std::map<std::string, CalibrationTable> tables_;
};

}  // namespace fleetsim::calib
