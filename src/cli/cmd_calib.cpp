// fleetsim calib show <gpu> [--json]: a GPU's calibration (provenance, parameters and where each
// came from, the fit) and predictions on reference ops (DeepGEMM's shapes, an HBM copy, MLA
// decode and prefill).
// fleetsim calib fit <gpu|table.yaml> [--json]: the fit of a table to its points, each point
// predicted by the fit and by a fit to all the others, and the held-out points (what the
// runner in calibration/ writes; see docs/calibration.md).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "calib/fit.h"
#include "calib/op_cost.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/table.h"
#include "core/text.h"
#include "core/units.h"

namespace fleetsim::cli {

namespace {

using core::Dim;
using core::format_quantity;

struct CalibArgs {
  std::string target;
  TableOutput output;
};

const hw::GpuSpec& find_gpu(Context& ctx, const std::string& id) {
  const auto& gpus = ctx.catalogs().hardware.gpus;
  if (const auto* g = gpus.find(id)) return *g;
  std::vector<std::string> ids;
  for (const auto& [k, v] : gpus.entries()) ids.push_back(k);
  throw core::InputError(fmt::format("unknown GPU '{}'{}; known: {}", id, core::did_you_mean(id, ids), core::join(ids, ", ")));
}

// A GPU id (its table in the data directory, or its defaults) or a table file. A file whose
// compute part is another GPU's (same_as) is read with the tables beside it.
calib::CalibrationTable resolve_table(Context& ctx, const std::string& target) {
  if (target.find('/') == std::string::npos && !target.ends_with(".yaml")) {
    return ctx.calibration().for_gpu(find_gpu(ctx, target));
  }
  auto table = calib::load_calibration_table(target);
  if (table.compute.same_as.empty()) return table;
  const auto dir = std::filesystem::path(target).parent_path();
  return calib::CalibrationSet::load(dir.empty() ? "." : dir).for_gpu(find_gpu(ctx, table.gpu));
}

// Where each parameter's value comes from: the table, the fit, or the default.
core::Json parameters(const calib::ComputeCalibration& c, const calib::FitResult& fit) {
  const auto& p = fit.params;
  auto origin = [&](const char* name, bool given) -> std::string {
    if (given) return "given";
    return std::find(fit.fitted.begin(), fit.fitted.end(), name) != fit.fitted.end() ? "fitted" : "default";
  };
  core::Json j = core::Json::array();
  auto add = [&](const char* name, double value, const char* unit, const std::string& from) {
    j.push_back({{"name", name}, {"value", value}, {"unit", unit}, {"origin", from}});
  };
  add("kernel_latency", p.kernel_latency_s, "s", origin("kernel_latency", c.kernel.latency_s.has_value()));
  add("launch_overhead", p.launch_overhead_s, "s", c.kernel.launch_overhead_s ? "given" : "default");
  add("sustained_clock", p.sustained_clock_hz, "Hz", c.kernel.sustained_clock_hz ? "given" : "default (boost)");
  add("read_efficiency", p.read_efficiency, "", origin("read_efficiency", c.hbm.read_efficiency.has_value()));
  add("copy_efficiency", p.copy_efficiency, "", origin("copy_efficiency", c.hbm.copy_efficiency.has_value()));
  add("hbm_saturation", p.hbm_saturation, "", c.hbm.saturation ? "given" : "default");
  add("gemm_pipeline_efficiency", p.gemm_pipeline_efficiency, "",
      origin("gemm_pipeline_efficiency", c.gemm.pipeline_efficiency.has_value()));
  add("gemm_epilogue_exposed", p.gemm_epilogue_exposed, "",
      origin("gemm_epilogue_exposed", c.gemm.epilogue_exposed.has_value()));
  add("gemm_overlap_exponent", p.gemm_overlap, "", c.gemm.overlap ? "given" : "default");
  add("decode_compute_efficiency", p.decode_compute_efficiency, "",
      origin("decode_compute_efficiency", c.attention.decode_compute_efficiency.has_value()));
  add("prefill_compute_efficiency", p.prefill_compute_efficiency, "",
      origin("prefill_compute_efficiency", c.attention.prefill_compute_efficiency.has_value()));
  add("attention_overlap_exponent", p.attention_overlap, "", c.attention.overlap ? "given" : "default");
  return j;
}

core::Json timing_json(const std::string& label, const model::Op& op, const calib::OpTiming& t) {
  return {{"op", label},
          {"kind", std::string(model::op_kind_name(op.kind))},
          {"dtype", std::string(core::dtype_name(op.dtype))},
          {"seconds", t.seconds},
          {"flop_per_s", op.flops / t.seconds},
          {"bytes_per_s", op.bytes / t.seconds},
          {"efficiency", t.efficiency},
          {"bound", std::string(calib::bound_name(t.bound))},
          {"compute_s", t.compute_s},
          {"memory_s", t.memory_s},
          {"waves", t.waves}};
}

// Reference ops: DeepGEMM's published shapes in FP8 and BF16, and DeepSeek-V3's attention.
std::vector<std::pair<std::string, model::Op>> reference_ops() {
  std::vector<std::pair<std::string, model::Op>> ops;
  const int64_t shapes[][3] = {{64, 2112, 7168},    {64, 24576, 1536},   {64, 7168, 16384},  {128, 7168, 16384},
                               {128, 4096, 7168},   {4096, 2112, 7168},  {4096, 24576, 1536}, {4096, 32768, 512},
                               {4096, 7168, 16384}, {4096, 4096, 7168},  {4096, 7168, 2048}};
  for (auto dt : {core::DType::fp8, core::DType::bf16}) {
    for (const auto& s : shapes) {
      ops.emplace_back(fmt::format("gemm {} {}x{}x{}", core::dtype_name(dt), s[0], s[1], s[2]),
                       model::make_gemm("gemm", s[0], s[1], s[2], dt));
    }
  }
  ops.emplace_back("grouped gemm fp8 8x4096x4096x7168 (MoE up)",
                   model::make_grouped_gemm("gemm", 8, 4096, 4096, 7168, core::DType::fp8));
  ops.emplace_back("hbm copy 1 GiB", model::make_memcpy("copy", 1 << 30));
  ops.emplace_back("MLA decode b=64 h=128 kv=4096 (bf16 latent)",
                   model::make_attention_decode("decode", 64, 128, 1, 4096, 576, 512, 1152, core::DType::bf16));
  ops.emplace_back("MLA decode b=64 h=16 kv=4096 (bf16 latent)",
                   model::make_attention_decode("decode", 64, 16, 1, 4096, 576, 512, 1152, core::DType::bf16));
  ops.emplace_back("MLA prefill causal 4K, 128 heads",
                   model::make_attention_prefill("prefill", 1, 128, 4096, 4096, 192, 128, true, core::DType::bf16));
  return ops;
}

core::Json points_json(const std::vector<calib::PointFit>& points, const std::vector<calib::PointFit>* loo) {
  core::Json j = core::Json::array();
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    core::Json e = {{"point", p.label},        {"source", p.source},     {"hold_out", p.hold_out},
                    {"measured_s", p.measured_s}, {"predicted_s", p.predicted_s}, {"deviation", p.deviation()}};
    if (loo) {
      for (const auto& l : *loo) {
        if (l.label == p.label && !p.hold_out) e["leave_one_out_deviation"] = l.deviation();
      }
    }
    j.push_back(std::move(e));
  }
  return j;
}

core::Json provenance_json(const calib::CalibrationTable& t) {
  return {{"kind", std::string(calib::provenance_name(t.provenance.kind))},
          {"source", t.provenance.source},
          {"date", t.provenance.date},
          {"tool", t.provenance.tool},
          {"device", t.provenance.device},
          {"compute_source", t.compute.source},
          {"compute_same_as", t.compute.same_as}};
}

std::string percent(double v) { return fmt::format("{:+.1f}%", 100 * v); }

std::string render_parameters(const core::Json& params) {
  Table t({"parameter", "value", "from"});
  for (const auto& p : params) {
    const double v = p["value"].get<double>();
    const std::string unit = p["unit"].get<std::string>();
    std::string shown = unit == "s"    ? format_quantity(v, Dim::seconds)
                        : unit == "Hz" ? (v > 0 ? format_quantity(v, Dim::hertz) : "boost")
                                       : fmt::format("{:.4g}", v);
    t.row({p["name"].get<std::string>(), shown, p["origin"].get<std::string>()});
  }
  return t.render();
}

// dev: predicted rate over measured rate, minus 1.
std::string render_points(const core::Json& points, bool loo) {
  Table t(loo ? std::vector<std::string>{"point", "measured", "predicted", "dev", "leave-one-out dev"}
              : std::vector<std::string>{"point", "measured", "predicted", "dev"});
  for (const auto& p : points) {
    std::vector<std::string> row = {p["point"].get<std::string>() + (p["hold_out"].get<bool>() ? " (held out)" : ""),
                                    format_quantity(p["measured_s"].get<double>(), Dim::seconds),
                                    format_quantity(p["predicted_s"].get<double>(), Dim::seconds),
                                    percent(p["deviation"].get<double>())};
    if (loo) {
      row.push_back(p.contains("leave_one_out_deviation") ? percent(p["leave_one_out_deviation"].get<double>()) : "-");
    }
    t.row(std::move(row));
  }
  return t.render();
}

std::string render_show(const core::Json& j) {
  const auto& pv = j["provenance"];
  std::string out = fmt::format("{} ({}): {} calibration\n  source: {}\n  date: {}\n", j["gpu"].get<std::string>(),
                                j["name"].get<std::string>(), pv["kind"].get<std::string>(),
                                pv["source"].get<std::string>(), pv["date"].get<std::string>());
  if (!pv["tool"].get<std::string>().empty()) out += fmt::format("  tool: {}\n", pv["tool"].get<std::string>());
  if (!pv["device"].get<std::string>().empty()) out += fmt::format("  device: {}\n", pv["device"].get<std::string>());
  if (!pv["compute_same_as"].get<std::string>().empty()) {
    out += fmt::format("  compute: that of {} ({})\n", pv["compute_same_as"].get<std::string>(),
                       pv["compute_source"].get<std::string>());
  }
  out += fmt::format("\nModel parameters ({} points fitted, rms log error {:.3f})\n", j["fitted_points"].get<int>(),
                     j["rms_log_error"].get<double>());
  out += render_parameters(j["parameters"]);
  out += fmt::format("\nPredicted (each time includes the {} launch gap)\n",
                     format_quantity(j["launch_overhead_s"].get<double>(), Dim::seconds));
  Table t({"op", "time", "rate", "efficiency", "bound"});
  for (const auto& p : j["predictions"]) {
    const bool flops = p["kind"].get<std::string>() != "memcpy";
    t.row({p["op"].get<std::string>(), format_quantity(p["seconds"].get<double>(), Dim::seconds),
           flops ? format_quantity(p["flop_per_s"].get<double>(), Dim::flop_per_s)
                 : format_quantity(p["bytes_per_s"].get<double>(), Dim::bytes_per_s),
           fmt::format("{:.1f}%", 100 * p["efficiency"].get<double>()), p["bound"].get<std::string>()});
  }
  out += t.render();
  if (!j["points"].empty()) {
    out += "\nThe table's points (kernel times; dev = predicted rate / measured rate - 1)\n" +
           render_points(j["points"], false);
  }
  return out;
}

void show(Context& ctx, const CalibArgs& a) {
  const auto& gpu = find_gpu(ctx, a.target);
  const auto table = ctx.calibration().for_gpu(gpu);
  const calib::OpCost cost(gpu, table);
  core::Json j;
  j["gpu"] = gpu.id;
  j["name"] = gpu.name;
  j["provenance"] = provenance_json(table);
  j["parameters"] = parameters(table.compute, cost.fit());
  int fitted = 0;
  for (const auto& p : cost.fit().points) fitted += p.hold_out ? 0 : 1;
  j["fitted_points"] = fitted;
  j["rms_log_error"] = cost.fit().rms_log_error;
  j["launch_overhead_s"] = cost.params().launch_overhead_s;
  j["predictions"] = core::Json::array();
  for (const auto& [label, op] : reference_ops()) j["predictions"].push_back(timing_json(label, op, cost.breakdown(op)));
  j["points"] = points_json(cost.fit().points, nullptr);
  a.output.emit([&] { return j.dump(2) + "\n"; }, [&] { return render_show(j); });
}

std::string render_fit(const std::string& gpu, const calib::FitResult& result, const core::Json& j, double worst_held);

void fit(Context& ctx, const CalibArgs& a) {
  const auto table = resolve_table(ctx, a.target);
  const auto& gpu = find_gpu(ctx, table.gpu);
  const auto result = calib::fit_table(gpu, table.compute);
  const auto loo = calib::leave_one_out(gpu, table.compute);
  core::Json j;
  j["gpu"] = gpu.id;
  j["provenance"] = provenance_json(table);
  j["parameters"] = parameters(table.compute, result);
  j["iterations"] = result.iterations;
  j["rms_log_error"] = result.rms_log_error;
  j["points"] = points_json(result.points, &loo);
  double worst_held = 0;
  for (const auto& p : result.points) worst_held = p.hold_out ? std::max(worst_held, std::abs(p.deviation())) : worst_held;
  j["worst_held_out_deviation"] = worst_held;
  a.output.emit([&] { return j.dump(2) + "\n"; }, [&] { return render_fit(gpu.id, result, j, worst_held); });
}

std::string render_fit(const std::string& gpu, const calib::FitResult& result, const core::Json& j, double worst_held) {
  std::string out = fmt::format("{}: fit of {} points in {} iterations, rms log error {:.3f}\n", gpu,
                                result.points.size(), result.iterations, result.rms_log_error);
  out += render_parameters(j["parameters"]) + "\n" + render_points(j["points"], true);
  out += fmt::format("\nworst held-out deviation: {}\n", percent(worst_held));
  return out;
}

}  // namespace

void add_calib_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("calib", "Calibration tables: what each GPU achieves, and the fit behind it");
  cmd->require_subcommand(1);
  auto args = std::make_shared<CalibArgs>();
  auto* s = cmd->add_subcommand("show", "A GPU's calibration and predicted reference ops");
  s->add_option("gpu", args->target, "GPU id (see `fleetsim catalog gpus`)")->required();
  args->output.add_to(s, "the calibration");
  s->callback([args, &ctx] { show(ctx, *args); });
  auto* f = cmd->add_subcommand("fit", "Fit a table to its points; leave-one-out and held-out predictions");
  f->add_option("table", args->target, "GPU id, or a calibration table file (e.g. the runner's output)")->required();
  args->output.add_to(f, "the fit");
  f->callback([args, &ctx] { fit(ctx, *args); });
}

}  // namespace fleetsim::cli
