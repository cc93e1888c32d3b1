#include "calib/table.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace fleetsim::calib {

using core::Dim;

EfficiencyCurve::EfficiencyCurve(std::vector<EfficiencyPoint> points) : points_(std::move(points)) {
  std::sort(points_.begin(), points_.end(), [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
}

double EfficiencyCurve::at(double bytes) const {
  FLEETSIM_CHECK(!points_.empty(), "an efficiency curve needs at least one point");
  if (bytes <= points_.front().bytes) return points_.front().fraction;
  if (bytes >= points_.back().bytes) return points_.back().fraction;
  auto hi = std::upper_bound(points_.begin(), points_.end(), bytes,
                             [](double b, const EfficiencyPoint& p) { return b < p.bytes; });
  auto lo = hi - 1;
  const double t = (std::log(bytes) - std::log(lo->bytes)) / (std::log(hi->bytes) - std::log(lo->bytes));
  return lo->fraction + t * (hi->fraction - lo->fraction);
}

const LinkCalibration& CommCalibration::link(LinkClass c) const {
  switch (c) {
    case LinkClass::nvlink: return nvlink;
    case LinkClass::pcie: return pcie;
    case LinkClass::scale_out: return scale_out;
  }
  return scale_out;
}

namespace {

const core::Schema<TableProvenance>& provenance_schema() {
  static const auto s =
      core::Schema<TableProvenance>("calibration_provenance", "Where a calibration table comes from.")
          .choice("kind", &TableProvenance::kind, kProvenances,
                  "measured on the GPU, derived from published measurements, or fleetsim's defaults.")
          .text("source", &TableProvenance::source, "Who measured it, or the publications it is derived from.")
          .text("date", &TableProvenance::date, "When (ISO date).")
          .text("tool", &TableProvenance::tool, "Kernels or libraries and their versions.", std::string())
          .text("device", &TableProvenance::device, "Device name reported by the driver, if measured.",
                std::string());
  return s;
}

const core::Schema<EfficiencyPoint>& point_schema() {
  static const auto s = core::Schema<EfficiencyPoint>("efficiency_point", "Achieved fraction at a message size.")
                            .quantity("bytes", &EfficiencyPoint::bytes, Dim::bytes, "Message size.", core::positive())
                            .quantity("fraction", &EfficiencyPoint::fraction, Dim::fraction,
                                      "Achieved share of the per-direction line rate.",
                                      core::Range{0, 1, true, false});
  return s;
}

struct LinkFile {
  double latency_s = 0;
  std::vector<EfficiencyPoint> points;
  std::string source;
};

const core::Schema<LinkFile>& link_schema() {
  static const auto s = core::Schema<LinkFile>("link_calibration", "Latency and achieved bandwidth of a link class.")
                            .quantity("latency", &LinkFile::latency_s, Dim::seconds,
                                      "End-to-end latency of a small message.", core::non_negative())
                            .list("efficiency", &LinkFile::points, point_schema(),
                                  "Achieved fraction of line rate by message size (one point: a plateau).")
                            .text("source", &LinkFile::source, "Where the figures come from.");
  return s;
}

LinkCalibration to_link(const LinkFile& f) { return {f.latency_s, EfficiencyCurve(f.points), f.source}; }

core::Schema<CommCalibration>::ParseFn link_field(LinkCalibration CommCalibration::*m) {
  return [m](const core::ConfigNode& n, CommCalibration& c) { c.*m = to_link(link_schema().parse(n)); };
}

core::Json emit_link(const LinkCalibration& l) {
  core::Json pts = core::Json::array();
  for (const auto& p : l.efficiency.points()) pts.push_back({{"bytes", p.bytes}, {"fraction", p.fraction}});
  return {{"latency_s", l.latency_s}, {"efficiency", pts}, {"source", l.source}};
}

const core::Schema<CommCalibration>& comm_schema() {
  static const auto s = [] {
    core::Schema<CommCalibration> c("comm_calibration", "Achieved communication: NVLink, PCIe, scale-out RDMA.");
    for (auto [key, member, doc] :
         {std::tuple{"nvlink", &CommCalibration::nvlink, "GPU to GPU through NVSwitch."},
          std::tuple{"pcie", &CommCalibration::pcie, "GPU to NIC or host."},
          std::tuple{"scale_out", &CommCalibration::scale_out, "RDMA between nodes, NIC to NIC."}}) {
      c.custom({key, "<link_calibration>", doc, true, "", "link_calibration"}, link_field(member), nullptr, false,
               [member](const CommCalibration& cc, core::EmitMode) { return emit_link(cc.*member); });
    }
    return c;
  }();
  return s;
}

}  // namespace

const core::Schema<CalibrationTable>& calibration_table_schema() {
  static const auto s =
      core::Schema<CalibrationTable>("calibration", "What a GPU achieves: a table per GPU in calibration/data.")
          .provenance(&CalibrationTable::figures)
          .text("gpu", &CalibrationTable::gpu, "GPU id from the hardware catalog.")
          .object("provenance", &CalibrationTable::provenance, provenance_schema(), "Where the table comes from.")
          .object("comm", &CalibrationTable::comm, comm_schema(),
                  "Achieved communication; absent: fleetsim's defaults (default_comm).", false)
          .object("compute", &CalibrationTable::compute, compute_calibration_schema(),
                  "Achieved compute and memory: the op cost model's parameters and points.", false)
          .check([](const core::ConfigNode& n, CalibrationTable& t) {
            if (!n.get("comm")) t.comm = default_comm();
          });
  return s;
}

CalibrationTable load_calibration_table(const std::filesystem::path& file) {
  return calibration_table_schema().parse(core::ConfigDoc::load_file(file).root());
}

CommCalibration default_comm() {
  // Applied to GPUs without a table. DeepSeek's H800 measurements are the best published
  // figures for NVSwitch and 400G InfiniBand: ~160 of 200 GB/s per direction over NVLink
  // (V3 report §3.2.2, DeepEP 153-158 GB/s), 64-byte latencies of 3.33 us (NVLink) and 2.8 us
  // (IB, same leaf) (ISCA'25 Table 5). PCIe is taken at the same 80% as NVLink.
  CommCalibration c;
  const std::string src = "default: V3 report §3.2.2 (160 of 200 GB/s NVLink), ISCA'25 Table 5 latencies";
  c.nvlink = {3.33e-6, EfficiencyCurve({{1.0, 0.8}}), src};
  c.pcie = {3.33e-6, EfficiencyCurve({{1.0, 0.8}}), src};
  c.scale_out = {2.8e-6, EfficiencyCurve({{1.0, 0.8}}), "default: ISCA'25 (~40 of 50 GB/s IB for planning), Table 5 latency"};
  return c;
}

CalibrationTable default_calibration(const hw::GpuSpec& gpu) {
  // Compute: every model parameter at its documented default (ModelParams, docs/calibration.md).
  CalibrationTable t;
  t.gpu = gpu.id;
  t.provenance.kind = Provenance::default_values;
  t.provenance.source = "fleetsim defaults (DeepSeek's H800 communication figures applied to all GPUs)";
  t.provenance.date = "2025-05-15";
  t.comm = default_comm();
  return t;
}

CalibrationSet CalibrationSet::load(const std::filesystem::path& dir) {
  CalibrationSet set;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return set;
  std::map<std::string, core::ConfigDoc> docs;
  for (const auto& f : core::yaml_files_in(dir, "calibration")) {
    auto doc = core::ConfigDoc::load_file(f);
    CalibrationTable t = calibration_table_schema().parse(doc.root());
    if (set.tables_.count(t.gpu)) doc.root().fail_at("gpu", fmt::format("a second table for gpu '{}'", t.gpu));
    docs.emplace(t.gpu, doc);
    set.tables_.emplace(t.gpu, std::move(t));
  }
  // compute.same_as: one level, to a table that has its own compute part.
  for (auto& [id, t] : set.tables_) {
    const std::string ref = t.compute.same_as;
    if (ref.empty()) continue;
    auto it = set.tables_.find(ref);
    const auto compute = docs.at(id).root().require("compute");
    if (it == set.tables_.end() || !it->second.compute.same_as.empty()) {
      compute.fail_at("same_as", fmt::format("'{}' has no table with its own compute part in {}", ref, dir.string()));
    }
    const std::string source = t.compute.source;
    t.compute = it->second.compute;
    t.compute.same_as = ref;
    if (!source.empty()) t.compute.source = source;
  }
  return set;
}

CalibrationTable CalibrationSet::for_gpu(const hw::GpuSpec& gpu) const {
  auto it = tables_.find(gpu.id);
  return it == tables_.end() ? default_calibration(gpu) : it->second;
}

}  // namespace fleetsim::calib
