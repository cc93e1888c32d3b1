#include "report/terminal.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"
#include "report/report.h"
#include "report/table.h"

namespace fleetsim::report {

namespace {

using core::Dim;
using core::format_quantity;

std::string num(double v) { return format_quantity(v, Dim::count, 4); }
std::string secs(double v) { return format_quantity(v, Dim::seconds, 3); }
std::string usd(double v) { return format_quantity(v, Dim::usd, 4); }
std::string pct(double v, int significant = 3) { return format_quantity(v, Dim::fraction, significant); }
std::string rate(double v) { return fmt::format("${:.3f}", v); }
std::string count(double v) { return format_quantity(v, Dim::count, 4); }

// A figure with its unit; durations of a year or more in years ("1.5 y", not "4.73e+07 s").
std::string value_text(double v, Dim dim) {
  if (dim == Dim::seconds && v >= core::kSecondsPerYear) return fmt::format("{:.3g} y", v / core::kSecondsPerYear);
  return format_quantity(v, dim, 4);
}

}  // namespace

// ---- training ----

std::string training_table(const result::Training& j) {
  Table t;
  t.section(fmt::format("Training {} on {} x {} ({} engine)", j.model, j.gpus, j.gpu, j.engine));
  const auto& p = j.parallelism;
  t.row({"layout", fmt::format("dp {} x tp {} x pp {} x cp {}, ep {}, ZeRO-{}, {}", p.dp, p.tp, p.pp, p.cp, p.ep,
                               p.zero, p.schedule)});
  t.row({"layer split", p.layer_split});
  t.row({"micro-batches per replica", fmt::format("{}", p.micro_batches)});
  t.row({"step time", format_quantity(j.step_time_s, Dim::seconds)});
  t.row({"MFU (BF16 dense peak)", fmt::format("{:.1f}%", 100 * j.mfu)});
  t.row({"tokens/s per GPU", fmt::format("{:.0f}", j.tokens_per_s_per_gpu)});
  t.row({"GPU-hours per trillion tokens", format_quantity(j.gpu_hours_per_trillion_tokens, Dim::count, 4)});
  t.row({"memory per GPU", fmt::format("{} of {}", core::format_bytes_binary(j.memory_per_gpu_bytes),
                                       core::format_bytes_binary(j.memory_capacity_bytes))});
  t.section("Step time breakdown");
  for (const auto& b : j.breakdown) t.row({b.part, format_quantity(b.seconds, Dim::seconds)});
  t.section("Memory per GPU");
  for (const auto& b : j.memory_breakdown) t.row({b.part, core::format_bytes_binary(b.bytes)});
  t.section("Stages");
  t.row({"stage", "seq", "tokens", "steps", "step time", "MFU", "GPU-hours", "days"});
  for (const auto& s : j.stages) {
    t.row({s.name, fmt::format("{}", s.seq_len), format_quantity(s.tokens, Dim::count, 4),
           fmt::format("{:.0f}", s.steps), format_quantity(s.step_time_s, Dim::seconds),
           fmt::format("{:.1f}%", 100 * s.mfu), format_quantity(s.gpu_hours, Dim::count, 4),
           fmt::format("{:.1f}", s.days)});
    for (const auto& n : s.notes) t.row({"  note", n});
  }
  t.section("Whole run");
  t.row({"GPU-hours", format_quantity(j.gpu_hours_total, Dim::count, 4)});
  t.row({"wall clock", fmt::format("{:.1f} days", j.wall_clock_days)});
  t.row({"rental", fmt::format("{} at ${:.2f}/GPU-hour", format_quantity(j.rental_usd_total, Dim::usd, 4),
                               j.rental_usd_per_gpu_hour)});
  return t.render();
}

// ---- serving ----

namespace {

// The rows every unit has: its nodes and capacity, then (after the role's own rows) its KV cache.
template <class Unit>
void unit_head(Table& t, const char* name, const Unit& u) {
  t.row({fmt::format("  {} unit: {} nodes, at capacity", name, u.nodes_per_unit),
         fmt::format("{} tokens/s per node", num(u.tokens_per_s_per_node_at_capacity))});
}

template <class Unit>
void unit_kv(Table& t, const Unit& u) {
  t.row({"    KV cache per GPU", fmt::format("{} tokens ({} of weights)", num(u.memory_per_gpu.kv_tokens),
                                             core::format_bytes_binary(u.memory_per_gpu.weight_bytes))});
}

void prefill_rows(Table& t, const char* name, const result::PrefillUnit& u) {
  unit_head(t, name, u);
  t.row({"    pass: tokens per GPU, time", fmt::format("{}, {}", num(u.tokens_per_pass_per_gpu), secs(u.pass_.seconds))});
  unit_kv(t, u);
}

void decode_rows(Table& t, const char* name, const result::DecodeUnit& u) {
  unit_head(t, name, u);
  t.row({"    requests per GPU (limit), user speed",
         fmt::format("{:.1f} ({}), {:.1f} tokens/s", u.requests_per_gpu, u.batch_limit, u.tokens_per_s_per_user)});
  t.row({"    step: compute, all-to-all",
         fmt::format("{}: {}, {}", secs(u.step.seconds), secs(u.step.compute_s), secs(u.step.all_to_all_s))});
  unit_kv(t, u);
}

std::string p3(const result::Percentiles& p) { return fmt::format("{} / {} / {}", secs(p.p50), secs(p.p90), secs(p.p99)); }

}  // namespace

std::string serving_table(const std::string& scenario, const result::Serving& j) {
  Table t;
  t.section(fmt::format("{}: serving on {} ({})", scenario, j.gpu,
                        j.disaggregated ? "prefill/decode disaggregated" : "colocated"));
  t.row({"prefill input tokens/s per node (day average)", num(j.prefill_tokens_per_s_per_node)});
  t.row({"decode output tokens/s per node (day average)", num(j.decode_tokens_per_s_per_node)});
  // In the document's key order: colocated_prefill, colocated_decode, prefill, decode.
  const auto& u = j.units;
  if (u.colocated_prefill) prefill_rows(t, "colocated_prefill", *u.colocated_prefill);
  if (u.colocated_decode) decode_rows(t, "colocated_decode", *u.colocated_decode);
  if (u.prefill) prefill_rows(t, "prefill", *u.prefill);
  if (u.decode) decode_rows(t, "decode", *u.decode);
  t.row({fmt::format("TTFT p50 / p90 / p99 ({})", j.latency_from), p3(j.ttft_s)});
  t.row({"TPOT p50 / p90 / p99", p3(j.tpot_s)});
  const auto& n = j.nodes;
  t.row({"nodes: prefill, decode, average, peak",
         fmt::format("{:.2f}, {:.2f}, {:.2f}, {:.0f}", n.prefill, n.decode, n.average, n.peak)});
  t.row({"GPU-hours per day", num(j.gpu_hours_per_day)});
  t.row({"cost per day (rental)", usd(j.cost_usd_per_day)});
  t.row({"$ per million output tokens", fmt::format("${:.3f}", j.usd_per_million_output_tokens)});
  if (j.revenue_usd_per_day) {
    t.row({"revenue per day (list prices)", usd(*j.revenue_usd_per_day)});
    t.row({"cost-profit margin", fmt::format("{:.0f}%", 100 * j.cost_profit_margin.value_or(0.0))});
  }
  if (const auto& sim = j.simulation) {
    t.row({"simulated requests (real requests each)",
           fmt::format("{} ({:g})", num(static_cast<double>(sim->simulated_requests)),
                       sim->requests_per_simulated_request)});
    t.row({"events; preemptions", fmt::format("{}; {}", num(static_cast<double>(sim->events)),
                                              num(static_cast<double>(sim->preemptions)))});
  }
  return t.render();
}

// ---- tco ----

namespace {

void purchases(Table& t, const result::Tco& r) {
  t.section(fmt::format("Purchases, each owned {:g} years (loaded cost at {} utilization, cost of capital annualized)",
                        r.horizon_years, pct(r.gpu_hours_used / r.gpu_hours_capacity)));
  t.row({"purchase", "year", "GPUs", "capex", "opex", "TCO", "$/GPU-h", "rental", "own/rent", "break-even use"});
  for (const auto& p : r.purchases) {
    const bool gpu = p.gpus > 0;
    const bool rent = gpu && p.rental_usd_per_gpu_hour.has_value();
    t.row({p.name, fmt::format("{}", p.year), gpu ? count(static_cast<double>(p.gpus)) : "-", usd(p.capex_usd),
           usd(p.opex_usd), usd(p.tco_usd), gpu ? rate(p.usd_per_gpu_hour.value_or(0.0)) : "in " + p.carried_by.value_or(""),
           rent ? rate(*p.rental_usd_per_gpu_hour) : "-", rent ? fmt::format("{:.2f}x", p.own_over_rent.value_or(0.0)) : "-",
           !rent ? "-" : p.breakeven_utilization ? pct(*p.breakeven_utilization) : "never"});
  }
}

void totals(Table& t, const result::Tco& r) {
  t.section("Totals");
  t.row({"capex (hardware and facility)", usd(r.capex_usd)});
  t.row({"opex over the horizons", usd(r.opex_usd)});
  if (r.residual_usd != 0) t.row({"residual (book) value at the horizons' end", usd(-r.residual_usd)});
  t.row({"TCO (capex + opex - residual)", usd(r.tco_usd)});
  t.row({fmt::format("NPV of the cash flows at {}, valued in {}", pct(r.cost_of_capital), r.valuation_year),
         usd(r.npv_usd)});
  t.row({"loaded cost per GPU-hour, fleet", rate(r.usd_per_gpu_hour)});
  t.row({"TCO per used GPU-hour (no cost of capital)", rate(r.usd_per_gpu_hour_undiscounted)});
  t.row({"GPUs; GPU-hours over the horizons", fmt::format("{}; {}", count(static_cast<double>(r.gpus)),
                                                         count(r.gpu_hours_capacity))});
  t.row({"IT power, max; average", fmt::format("{}; {}", format_quantity(r.it_power_max_w, Dim::watts, 3),
                                                format_quantity(r.it_power_avg_w, Dim::watts, 3))});
}

// The categories with a cost (tco.breakdown without the residual credit), with their share.
void categories(Table& t, const result::Tco& r) {
  t.section("By category, over the horizons (share of TCO)");
  for (const auto& c : r.breakdown) {
    if (c.kind == "credit") continue;
    t.row({fmt::format("{} ({})", c.category, c.kind), usd(c.usd), pct(c.usd / r.tco_usd)});
  }
}

void by_year(Table& t, const result::Tco& r) {
  t.section("By year");
  t.row({"year", "capex", "opex", "depreciation", "residual", "cash flow"});
  for (const auto& y : r.by_year) {
    t.row({fmt::format("{}", y.year), usd(y.capex_usd), usd(y.opex_usd), usd(y.depreciation_usd),
           y.residual_usd != 0 ? usd(y.residual_usd) : "-", usd(y.cash_flow_usd)});
  }
}

void workloads(Table& t, const std::vector<result::Workload>& ws) {
  if (ws.empty()) return;
  t.section("Workloads (GPU-hours as given: published inputs, or simulated)");
  t.row({"workload", "origin", "GPU-hours", "loaded cost", "rental cost", "fleet TCO / rental",
         "share of fleet GPU-hours", "of its GPU kind's", "of a year of them", "$/Mtok"});
  for (const auto& w : ws) {
    std::string mtok = w.usd_per_million_tokens ? rate(*w.usd_per_million_tokens) : "-";
    if (w.usd_per_million_output_tokens) mtok += fmt::format(" ({} out)", rate(*w.usd_per_million_output_tokens));
    t.row({w.name, w.origin, count(w.gpu_hours), usd(w.loaded_usd), w.rental_usd ? usd(*w.rental_usd) : "-",
           w.fleet_tco_over_rental ? fmt::format("{:.0f}x", *w.fleet_tco_over_rental) : "-",
           pct(w.share_of_fleet_capacity), pct(w.share_of_gpu_capacity), pct(w.share_of_gpu_year), mtok});
  }
}

Dim dim_of(const TcoView& view, const std::string& key) {
  const auto it = view.dims.find(key);
  return it == view.dims.end() ? Dim::count : it->second;
}

void swings(Table& t, const std::vector<result::SensitivityRow>& ss, const TcoView& view) {
  if (ss.empty()) return;
  t.section(fmt::format("Sensitivity: each input over its range, the rest at base (top {} of {})",
                        std::min(view.top, ss.size()), ss.size()));
  t.row({"input", "low .. high", "TCO at low", "TCO at high", "$/GPU-h at low", "$/GPU-h at high"});
  for (std::size_t i = 0; i < ss.size() && i < view.top; ++i) {
    const auto& s = ss[i];
    const Dim dim = dim_of(view, s.key);
    t.row({s.input, fmt::format("{} .. {}", value_text(s.low_value, dim), value_text(s.high_value, dim)),
           usd(s.low_usd), usd(s.high_usd), rate(s.low_usd_per_gpu_hour), rate(s.high_usd_per_gpu_hour)});
  }
}

void fabrics(Table& t, const std::vector<result::FabricCount>& fs) {
  if (fs.empty()) return;
  t.section("Compute fabrics (NICs are inside the server prices)");
  t.row({"tranche", "kind", "switch", "clusters x planes", "endpoints", "switches", "NIC modules", "switch modules",
         "fibres"});
  for (const auto& f : fs) {
    t.row({f.group, f.kind, f.switch_, fmt::format("{} x {}", f.clusters, f.planes),
           count(static_cast<double>(f.endpoints)), count(static_cast<double>(f.switches)),
           count(static_cast<double>(f.nic_modules)), count(static_cast<double>(f.switch_modules)),
           count(static_cast<double>(f.fibres))});
  }
}

// Appends a left-aligned text column to a rendered section (a title, then one line per row).
std::string with_text_column(const std::string& rendered, const std::vector<std::string>& text) {
  std::vector<std::string> lines = core::split(rendered, '\n');
  std::size_t width = 0;
  for (const auto& l : lines) width = std::max(width, l.size());
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty() && i + 1 == lines.size()) break;
    std::string l = lines[i];
    if (i >= 2 && i - 2 < text.size()) l += std::string(width - l.size() + 2, ' ') + text[i - 2];
    out += l + "\n";
  }
  return out;
}

std::string bom_lines(const std::vector<result::BomLine>& lines) {
  Table t;
  std::vector<std::string> sources = {"source of the price"};
  t.section("Bill of materials");
  t.row({"purchase", "item", "quantity", "unit price", "low .. high", "total"});
  for (const auto& l : lines) {
    t.row({l.group, l.item, count(l.quantity), usd(l.unit_usd), fmt::format("{} .. {}", usd(l.low_usd), usd(l.high_usd)),
           usd(l.usd)});
    sources.push_back((l.estimate ? "estimate: " : "") + (l.note ? *l.note : l.price_source));
  }
  return with_text_column(t.render(), sources);
}

std::string input_rows(const std::vector<result::TcoInput>& xs, const TcoView& view) {
  Table t;
  std::vector<std::string> sources = {"source"};
  t.section("Inputs of the cost model (value, range, source)");
  t.row({"input", "value", "low .. high"});
  for (const auto& x : xs) {
    const Dim dim = dim_of(view, x.key);
    const std::string range =
        x.low && x.high ? fmt::format("{} .. {}", value_text(*x.low, dim), value_text(*x.high, dim)) : "-";
    t.row({x.label, value_text(x.value, dim), range});
    const std::string note = x.note.value_or("");
    const std::string why = x.estimate && !note.empty() ? note : x.source.empty() ? note : x.source;
    sources.push_back((x.estimate ? "estimate: " : "") + why +
                      (x.range_source ? "; range: " + *x.range_source : ""));
  }
  return with_text_column(t.render(), sources);
}

}  // namespace

std::string tco_tables(const result::Tco& r, const TcoView& view) {
  std::string out = view.title;
  // One table per section, so that each lines up on its own columns.
  auto add = [&out](auto fn) {
    Table t;
    fn(t);
    out += t.render();
  };
  add([&](Table& t) { purchases(t, r); });
  add([&](Table& t) { totals(t, r); });
  add([&](Table& t) { categories(t, r); });
  add([&](Table& t) { by_year(t, r); });
  add([&](Table& t) { workloads(t, r.workloads); });
  add([&](Table& t) { swings(t, r.sensitivity, view); });
  add([&](Table& t) { fabrics(t, r.fabrics); });
  if (view.bom) out += bom_lines(r.bom);
  if (view.inputs) out += input_rows(r.inputs, view);
  return out;
}

// ---- plan and run ----

std::string plan_summary(const result::Plan& p, const std::string& report) {
  const bool trains = p.deadline_days.has_value();  // the plan has a training target
  std::string out = p.name + "\n";
  if (trains) {
    out += fmt::format("  {} training layouts screened on the analytic engine, {} feasible, {} run whole\n", p.screened,
                       p.feasible, p.refined);
  }
  for (const auto& [node, so] : p.serving.value_or(result::Keyed<result::PlanServing>{})) {
    out += so.verdict == "feasible"
               ? fmt::format("  serving on {}: {:.0f} nodes at peak, {:.1f} on average\n", node, so.peak_nodes,
                             so.average_nodes)
               : fmt::format("  serving on {}: not possible ({}): {}\n", node, so.verdict, so.reason.value_or(""));
  }
  for (const auto& x : p.rejections) {
    out += fmt::format("  rejected for {:<12} {:>8}   e.g. {}\n", x.reason, x.count, x.example);
  }
  auto fleet_line = [&](const char* what, const result::Nullable<result::PlanPoint>& b) {
    if (!b.value) {
      out += fmt::format("{}: none meets every target\n", what);
      return;
    }
    out += fmt::format("{}: {} ({})\n", what, format_quantity(b.value->cost_usd, Dim::usd), b.value->label);
    if (b.value->layout) out += fmt::format("  training: {:.1f} days on {}\n", b.value->time_days, b.value->layout->label);
  };
  fleet_line("cheapest fleet (analytic)", p.best);
  if (trains) fleet_line("cheapest fleet confirmed on the event engine", p.best_confirmed);
  for (const auto& c : p.confirmations) {
    out += fmt::format("  event engine: {} step {:+.1f}% ({:.1f} -> {:.1f} days, {})\n", c.label, c.difference * 100,
                       c.analytic_days, c.event_days,
                       c.event_meets_deadline ? "meets the deadline" : "misses the deadline");
  }
  if (p.reference) out += fmt::format("reference layout ({}): {}\n", p.reference->layout.label, p.reference->explanation);
  return out + fmt::format("report: {}\n", report);
}

std::string run_summary(const result::Document& doc, const std::string& report) {
  Table t;
  t.section(fmt::format("{} (scenario {})", doc.scenario.name, doc.fleetsim.scenario_hash));
  for (const auto& h : headline(doc)) t.row({h.label, h.value, h.note});
  return t.render() + fmt::format("\nreport: {}\n", report);
}

}  // namespace fleetsim::report
