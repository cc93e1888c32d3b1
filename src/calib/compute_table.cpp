#include "calib/compute_table.h"

#include <fmt/format.h>

namespace fleetsim::calib {

using core::Dim;

namespace {

const std::string kFitted = "fitted to the points when they constrain it, else ";

// The measured-value fields every point shares, declared on the point's own schema.
template <class P>
void add_achieved(core::Schema<P>& s) {
  auto opt = [&s](const char* key, std::optional<double> Achieved::*m, Dim dim, const char* doc) {
    s.custom({key, std::string(core::dim_noun(dim)).substr(2), doc, false, "none"},
             [m, dim](const core::ConfigNode& n, P& p) {
               const double v = n.as_quantity(dim);
               core::check_range(n, v, core::positive());
               p.achieved.*m = v;
             },
             [m](P& p) { p.achieved.*m = std::nullopt; }, true,
             [m, dim](const P& p, core::EmitMode mode) {
               if (!(p.achieved.*m)) return core::Json();
               return mode == core::EmitMode::json ? core::Json(*(p.achieved.*m))
                                                   : core::Json(core::quantity_text(*(p.achieved.*m), dim));
             });
  };
  opt("time", &Achieved::time_s, Dim::seconds, "Measured time of one op.");
  opt("flop_rate", &Achieved::flop_rate, Dim::flop_per_s, "Published rate: the op's FLOPs over its time.");
  opt("byte_rate", &Achieved::byte_rate, Dim::bytes_per_s, "Published rate: the op's bytes over its time.");
  auto flag = [&s](const char* key, bool Achieved::*m, const char* doc) {
    s.custom({key, "true or false", doc, false, "false"},
             [m](const core::ConfigNode& n, P& p) { p.achieved.*m = n.as_bool(); },
             [m](P& p) { p.achieved.*m = false; }, true,
             [m](const P& p, core::EmitMode) { return core::Json(p.achieved.*m); });
  };
  flag("includes_launch", &Achieved::includes_launch,
       "Timed back to back on a stream, so the launch gap is in the time (the runner's points).");
  flag("hold_out", &Achieved::hold_out, "Predicted and reported but not fitted (a check of the fit).");
  auto text = [&s](const char* key, std::string Achieved::*m, const char* doc) {
    s.custom({key, "text", doc, false, "''"}, [m](const core::ConfigNode& n, P& p) { p.achieved.*m = n.as_string(); },
             [m](P& p) { (p.achieved.*m).clear(); }, true,
             [m](const P& p, core::EmitMode) { return core::Json(p.achieved.*m); });
  };
  text("source", &Achieved::source, "Where this figure comes from; empty: the section's source.");
  text("note", &Achieved::note, "Remarks: how the shape was read, what was assumed.");
  s.check([](const core::ConfigNode& n, P& p) {
    const int given = (p.achieved.time_s ? 1 : 0) + (p.achieved.flop_rate ? 1 : 0) + (p.achieved.byte_rate ? 1 : 0);
    if (given != 1) n.fail("give exactly one of time, flop_rate or byte_rate");
  });
}

const core::Schema<GemmPoint>& gemm_point_schema() {
  static const auto s = [] {
    core::Schema<GemmPoint> g("gemm_point", "A measured GEMM: groups x [m x k] x [k x n].");
    g.integer("m", &GemmPoint::m, "Rows of A and C (per group).", core::at_least(1))
        .integer("n", &GemmPoint::n, "Columns of B and C.", core::at_least(1))
        .integer("k", &GemmPoint::k, "The reduced dimension.", core::at_least(1))
        .integer("groups", &GemmPoint::groups, "Independent GEMMs of this shape (experts).", core::at_least(1),
                 int64_t{1})
        .text("layout", &GemmPoint::layout, "As published: normal, contiguous or masked (grouped).",
              std::string("normal"))
        .dtype("dtype", &GemmPoint::dtype, "Format of A and B.", core::DType::bf16)
        .dtype("out", &GemmPoint::out, "Format of C.", core::DType::bf16);
    add_achieved(g);
    return g;
  }();
  return s;
}

const core::Schema<AttentionPoint>& attention_point_schema() {
  static const auto s = [] {
    core::Schema<AttentionPoint> a("attention_point", "A measured attention kernel.");
    a.choice("kind", &AttentionPoint::kind, kAttentionKinds,
             "decode: q_len new tokens over a cache of kv_len; prefill: flash attention over q_len queries.")
        .integer("batch", &AttentionPoint::batch, "Sequences or requests.", core::at_least(1))
        .integer("heads", &AttentionPoint::heads, "Query heads.", core::at_least(1))
        .integer("q_len", &AttentionPoint::q_len, "Queries per sequence (decode: 1, or 1 + MTP drafts).", core::at_least(1), int64_t{1})
        .integer("kv_len", &AttentionPoint::kv_len, "Keys per sequence.", core::at_least(1))
        .integer("d_qk", &AttentionPoint::d_qk, "Width of queries and keys (MLA decode: 576).", core::at_least(1))
        .integer("d_v", &AttentionPoint::d_v, "Width of values (MLA decode: 512).", core::at_least(1))
        .quantity("kv_bytes_per_token", &AttentionPoint::kv_bytes_per_token, Dim::bytes,
                  "Decode: cache bytes per token; 0: d_qk elements (one latent shared by the heads, as MLA).",
                  core::non_negative(), 0.0)
        .flag("causal", &AttentionPoint::causal, "Prefill: causal mask.", true)
        .dtype("dtype", &AttentionPoint::dtype, "Format of the MMAs.", core::DType::bf16);
    add_achieved(a);
    return a;
  }();
  return s;
}

const core::Schema<StreamPoint>& stream_point_schema() {
  static const auto s = [] {
    core::Schema<StreamPoint> p("hbm_point", "A measured HBM stream.");
    p.choice("pattern", &StreamPoint::pattern, kStreamPatterns,
             "read: read-only (a reduction); copy: read and write the same bytes.")
        .quantity("bytes", &StreamPoint::bytes, Dim::bytes, "Bytes moved: read, plus written for a copy.",
                  core::positive());
    add_achieved(p);
    return p;
  }();
  return s;
}

core::Range efficiency_range() { return {0, 1, true, false}; }

const core::Schema<KernelSection>& kernel_schema() {
  static const ModelParams def;
  static const auto s =
      core::Schema<KernelSection>("kernel_calibration", "Fixed costs of a kernel and the clock under load.")
          .quantity("latency", &KernelSection::latency_s, Dim::seconds,
                    "In-kernel fixed time t0 (first loads, pipeline fill, last store); " + kFitted +
                        core::format_quantity(def.kernel_latency_s, Dim::seconds) + ".",
                    core::non_negative())
          .quantity("launch_overhead", &KernelSection::launch_overhead_s, Dim::seconds,
                    "Gap between back-to-back kernels on a stream (measured by the runner); default " +
                        core::format_quantity(def.launch_overhead_s, Dim::seconds) + ".",
                    core::non_negative())
          .quantity("sustained_clock", &KernelSection::sustained_clock_hz, Dim::hertz,
                    "Tensor clock under sustained load (power throttling); default the boost clock.",
                    core::positive())
          .integer("sm_count", &KernelSection::sm_count, "SMs; 0: the GPU catalog's, else 132.", core::at_least(0),
                   0)
          .custom({"corun_slowdown", "number >= 1",
                   "How much longer compute kernels take while communication kernels run beside them (DualPipe's "
                   "overlapped pairs), beyond the SMs those take; default 1.",
                   false, "1"},
                  [](const core::ConfigNode& n, KernelSection& k) {
                    const double v = n.as_number();
                    core::check_range(n, v, core::at_least(1));
                    k.corun_slowdown = v;
                  },
                  [](KernelSection& k) { k.corun_slowdown.reset(); });
  return s;
}

const core::Schema<HbmSection>& hbm_schema() {
  static const ModelParams def;
  static const auto s =
      core::Schema<HbmSection>("hbm_calibration", "Achieved HBM bandwidth.")
          .quantity("read_efficiency", &HbmSection::read_efficiency, Dim::fraction,
                    fmt::format("Achieved share of HBM bandwidth reading; {}{}.", kFitted, def.read_efficiency),
                    efficiency_range())
          .quantity("copy_efficiency", &HbmSection::copy_efficiency, Dim::fraction,
                    fmt::format("Achieved share reading and writing; {}{}.", kFitted, def.copy_efficiency),
                    efficiency_range())
          .quantity("saturation", &HbmSection::saturation, Dim::fraction,
                    fmt::format("Share of SMs whose loads saturate HBM (kernels on fewer SMs get "
                                "proportionally less); default {}.",
                                def.hbm_saturation),
                    efficiency_range())
          .list("points", &HbmSection::points, stream_point_schema(), "Measured streams.", false, 0);
  return s;
}

const core::Schema<GemmSection>& gemm_schema() {
  static const ModelParams def;
  static const auto s =
      core::Schema<GemmSection>("gemm_calibration", "GEMMs: the tile model's efficiencies and measured points.")
          .quantity("pipeline_efficiency", &GemmSection::pipeline_efficiency, Dim::fraction,
                    fmt::format("Main-loop share of the sustained tensor rate; {}{}.", kFitted,
                                def.gemm_pipeline_efficiency),
                    efficiency_range())
          .quantity("epilogue_exposed", &GemmSection::epilogue_exposed, Dim::fraction,
                    fmt::format("Share of a tile's output store not hidden behind the next tile; {}{}.", kFitted,
                                def.gemm_epilogue_exposed),
                    core::unit_interval())
          .quantity("overlap_exponent", &GemmSection::overlap, Dim::count,
                    fmt::format("p of the smooth roofline (T_c^p + T_m^p)^(1/p); default {}.", def.gemm_overlap),
                    core::between(1, 64))
          .list("points", &GemmSection::points, gemm_point_schema(), "Measured or published GEMMs.", false, 0);
  return s;
}

const core::Schema<AttentionSection>& attention_schema() {
  static const ModelParams def;
  static const auto s =
      core::Schema<AttentionSection>("attention_calibration", "Attention kernels: efficiencies and points.")
          .quantity("decode_compute_efficiency", &AttentionSection::decode_compute_efficiency, Dim::fraction,
                    fmt::format("Decode MMA share of the sustained tensor rate; {}{}.", kFitted,
                                def.decode_compute_efficiency),
                    efficiency_range())
          .quantity("prefill_compute_efficiency", &AttentionSection::prefill_compute_efficiency, Dim::fraction,
                    fmt::format("Prefill MMA share of the sustained tensor rate; {}{}.", kFitted,
                                def.prefill_compute_efficiency),
                    efficiency_range())
          .quantity("overlap_exponent", &AttentionSection::overlap, Dim::count,
                    fmt::format("p of the smooth roofline for attention; default {}.", def.attention_overlap),
                    core::between(1, 64))
          .list("points", &AttentionSection::points, attention_point_schema(), "Measured or published kernels.",
                false, 0);
  return s;
}

}  // namespace

const core::Schema<ComputeCalibration>& compute_calibration_schema() {
  static const auto s =
      core::Schema<ComputeCalibration>("compute_calibration",
                                       "What the GPU achieves on GEMMs, attention and HBM streams.")
          .provenance(&ComputeCalibration::figures)
          .source(&ComputeCalibration::source)
          .text("same_as", &ComputeCalibration::same_as,
                "Id of a GPU whose compute calibration applies unchanged (same silicon, clocks and memory); "
                "nothing else but source may then be given.",
                std::string())
          .check([](const core::ConfigNode& n, ComputeCalibration& c) {
            if (c.same_as.empty()) return;
            for (const auto& [key, child] : n.entries()) {
              if (key != "source" && key != "same_as") {
                n.fail_at(key, fmt::format("'{}' cannot be given with same_as: the compute part is {}'s", key,
                                           c.same_as));
              }
            }
          })
          .object("kernel", &ComputeCalibration::kernel, kernel_schema(), "Fixed costs and clock.", false)
          .object("hbm", &ComputeCalibration::hbm, hbm_schema(), "HBM streams.", false)
          .object("gemm", &ComputeCalibration::gemm, gemm_schema(), "GEMMs.", false)
          .object("attention", &ComputeCalibration::attention, attention_schema(), "Attention.", false);
  return s;
}

ModelParams given_params(const ComputeCalibration& c) {
  ModelParams p;
  auto set = [](double& out, const std::optional<double>& v) {
    if (v) out = *v;
  };
  set(p.kernel_latency_s, c.kernel.latency_s);
  set(p.launch_overhead_s, c.kernel.launch_overhead_s);
  set(p.sustained_clock_hz, c.kernel.sustained_clock_hz);
  set(p.corun_slowdown, c.kernel.corun_slowdown);
  p.sm_count = c.kernel.sm_count;
  set(p.read_efficiency, c.hbm.read_efficiency);
  set(p.copy_efficiency, c.hbm.copy_efficiency);
  set(p.hbm_saturation, c.hbm.saturation);
  set(p.gemm_pipeline_efficiency, c.gemm.pipeline_efficiency);
  set(p.gemm_epilogue_exposed, c.gemm.epilogue_exposed);
  set(p.gemm_overlap, c.gemm.overlap);
  set(p.decode_compute_efficiency, c.attention.decode_compute_efficiency);
  set(p.prefill_compute_efficiency, c.attention.prefill_compute_efficiency);
  set(p.attention_overlap, c.attention.overlap);
  return p;
}

namespace {

FitPoint with_time(model::Op op, const Achieved& a, std::string label, const std::string& section_source) {
  FitPoint f;
  if (a.time_s) f.seconds = *a.time_s;
  if (a.flop_rate) f.seconds = op.flops / *a.flop_rate;
  if (a.byte_rate) f.seconds = op.bytes / *a.byte_rate;
  f.op = std::move(op);
  f.includes_launch = a.includes_launch;
  f.hold_out = a.hold_out;
  f.label = std::move(label);
  f.source = a.source.empty() ? section_source : a.source;
  return f;
}

}  // namespace

std::vector<FitPoint> fit_points(const ComputeCalibration& c) {
  std::vector<FitPoint> out;
  for (const auto& p : c.hbm.points) {
    const bool read = p.pattern == StreamPattern::read;
    model::Op op = read ? model::make_memcpy("hbm.read", p.bytes) : model::make_memcpy("hbm.copy", p.bytes);
    // A read-only stream prices as a read: an attention decode with nothing but its cache.
    if (read) {
      op.kind = model::OpKind::attention_decode;
      op.batch = op.heads = op.q_len = op.kv_len = 1;
    }
    out.push_back(with_time(std::move(op), p.achieved,
                            fmt::format("hbm {} {}", kStreamPatterns.name_of(p.pattern), core::format_bytes_binary(p.bytes)),
                            c.source));
  }
  for (const auto& p : c.gemm.points) {
    out.push_back(with_time(model::make_grouped_gemm("gemm", p.groups, p.m, p.n, p.k, p.dtype, p.out), p.achieved,
                            p.groups > 1 || p.layout != "normal"
                                ? fmt::format("gemm {} {} {}x{}x{}x{}", core::dtype_name(p.dtype), p.layout, p.groups,
                                              p.m, p.n, p.k)
                                : fmt::format("gemm {} {}x{}x{}", core::dtype_name(p.dtype), p.m, p.n, p.k),
                            c.source));
  }
  for (const auto& p : c.attention.points) {
    const bool decode = p.kind == AttentionKind::decode;
    model::Op op =
        decode ? model::make_attention_decode("attention", p.batch, p.heads, p.q_len, p.kv_len, p.d_qk, p.d_v,
                                              p.kv_bytes_per_token > 0 ? p.kv_bytes_per_token
                                                                       : static_cast<double>(p.d_qk) *
                                                                             core::dtype_bytes(p.dtype),
                                              p.dtype)
               : model::make_attention_prefill("attention", p.batch, p.heads, p.q_len, p.kv_len, p.d_qk, p.d_v,
                                               p.causal, p.dtype);
    out.push_back(with_time(std::move(op), p.achieved,
                            fmt::format("attention {} b={} h={} q={} kv={}", kAttentionKinds.name_of(p.kind), p.batch,
                                        p.heads, p.q_len, p.kv_len),
                            c.source));
  }
  return out;
}

}  // namespace fleetsim::calib
