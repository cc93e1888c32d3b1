#include "report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/units.h"

namespace fleetsim::calibration {

namespace {

// The sample at quantile q (nearest rank) of sorted samples.
double quantile(const std::vector<double>& sorted, double q) {
  const auto i = static_cast<size_t>(std::lround(q * static_cast<double>(sorted.size() - 1)));
  return sorted[i];
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string seconds(double s) { return core::quantity_text(s, core::Dim::seconds); }

std::string spread(const Summary& t) {
  return fmt::format("median of {}; p10 {}, p90 {}", t.samples, core::format_quantity(t.p10_s, core::Dim::seconds),
                     core::format_quantity(t.p90_s, core::Dim::seconds));
}

std::string link_yaml(const std::string& name, const calib::LinkCalibration& l) {
  std::string out = fmt::format("  {}:\n    latency: {}\n    efficiency:\n", name, seconds(l.latency_s));
  for (const auto& p : l.efficiency.points()) {
    out += fmt::format("      - {{bytes: {}, fraction: {}}}\n", core::quantity_text(p.bytes, core::Dim::bytes),
                       p.fraction);
  }
  return out + fmt::format("    source: {}\n", quoted(l.source));
}

}  // namespace

Summary summarize(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("no samples to summarize");
  for (double s : samples) {
    if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument(fmt::format("a sample of {} s is not a time", s));
  }
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  Summary out;
  out.samples = static_cast<int>(n);
  out.median_s = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  out.p10_s = quantile(samples, 0.1);
  out.p90_s = quantile(samples, 0.9);
  return out;
}

bool held_out(size_t index, size_t every) { return every > 0 && index % every == 2; }

calib::LinkCalibration link_from(const std::vector<TransferResult>& transfers, double line_rate, const std::string& source) {
  if (transfers.empty()) throw std::invalid_argument("no transfers to calibrate a link from");
  if (!(line_rate > 0)) throw std::invalid_argument("a link needs its line rate");
  auto sorted = transfers;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  calib::LinkCalibration link;
  link.latency_s = sorted.front().time.median_s;
  link.source = source;
  // alpha-beta: t = latency + bytes / (rate x fraction), so fraction = bytes / ((t - latency) x
  // rate). Sizes within twice the latency say nothing about bandwidth and are left out.
  std::vector<calib::EfficiencyPoint> pts;
  for (const auto& t : sorted) {
    const double busy = t.time.median_s - link.latency_s;
    if (t.time.median_s < 2 * link.latency_s) continue;
    pts.push_back({t.bytes, std::min(1.0, t.bytes / (busy * line_rate))});
  }
  if (pts.empty()) pts.push_back({sorted.back().bytes, std::min(1.0, sorted.back().bytes / (sorted.back().time.median_s * line_rate))});
  link.efficiency = calib::EfficiencyCurve(std::move(pts));
  return link;
}

std::string to_yaml(const Results& r) {
  const auto& i = r.info;
  std::string y = fmt::format(
      "# Measured by fleetsim_calibrate (calibration/README.md). Check the fit and its held-out shapes:\n"
      "#   fleetsim calib fit <this file>\n"
      "gpu: {}\nprovenance:\n  kind: measured\n  source: {}\n  date: {}\n  tool: {}\n  device: {}\n",
      i.gpu, quoted("fleetsim calibration runner on " + i.device), quoted(i.date), quoted(i.tool), quoted(i.device));
  if (!r.nvlink.empty() || !r.pcie.empty()) {
    const auto def = calib::default_comm();
    y += "comm:\n";
    y += link_yaml("nvlink", r.nvlink.empty() ? def.nvlink
                                              : link_from(r.nvlink, i.nvlink_bw_per_direction,
                                                          "measured: cudaMemcpyPeerAsync GPU 0 -> 1, one direction"));
    y += link_yaml("pcie", r.pcie.empty() ? def.pcie
                                          : link_from(r.pcie, i.pcie_bw_per_direction,
                                                      "measured: cudaMemcpyAsync pinned host -> GPU"));
    y += link_yaml("scale_out", def.scale_out);
  }
  y += fmt::format("compute:\n  source: {}\n  kernel:\n    sm_count: {}\n", quoted("measured on " + i.device), i.sm_count);
  if (i.launch) {
    y += fmt::format("    launch_overhead: {{value: {}, note: {}}}\n", seconds(i.launch->median_s),
                     quoted("empty kernels back to back, " + spread(*i.launch)));
  }
  if (i.hbm_saturation || !r.hbm.empty()) {
    y += "  hbm:\n";
    if (i.hbm_saturation) y += fmt::format("    saturation: {}\n", *i.hbm_saturation);
    if (!r.hbm.empty()) y += "    points:\n";
    for (const auto& s : r.hbm) {
      y += fmt::format("      - {{pattern: {}, bytes: {}, time: {}, note: {}}}\n",
                       s.pattern == calib::StreamPattern::read ? "read" : "copy",
                       core::quantity_text(s.bytes, core::Dim::bytes), seconds(s.time.median_s), quoted(spread(s.time)));
    }
  }
  if (!r.gemm.empty()) {
    y += "  gemm:\n    points:\n";
    for (const auto& g : r.gemm) {
      y += fmt::format("      - {{groups: {}, m: {}, n: {}, k: {}, dtype: {}, time: {}, hold_out: {}, note: {}}}\n",
                       g.groups, g.m, g.n, g.k, core::dtype_name(g.dtype), seconds(g.time.median_s),
                       g.hold_out ? "true" : "false", quoted("cuBLASLt, " + spread(g.time)));
    }
  }
  if (!r.attention.empty()) {
    y += "  attention:\n    points:\n";
    for (const auto& a : r.attention) {
      const bool decode = a.kind == calib::AttentionKind::decode;
      y += fmt::format("      - {{kind: {}, batch: {}, heads: {}, q_len: {}, kv_len: {}, d_qk: {}, d_v: {}, causal: {}, "
                       "time: {}, hold_out: {}, note: {}}}\n",
                       decode ? "decode" : "prefill", a.batch, a.heads, a.q_len, a.kv_len, a.d_qk, a.d_v,
                       a.causal ? "true" : "false", seconds(a.time.median_s), a.hold_out ? "true" : "false",
                       quoted(a.note.empty() ? spread(a.time) : a.note + "; " + spread(a.time)));
    }
  }
  return y;
}

}  // namespace fleetsim::calibration
