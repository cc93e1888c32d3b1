// fleetsim tco <scenario>: the fleet's bill of materials, cash flows, TCO, loaded cost per
// GPU-hour against rental, workloads priced, and the sensitivity of it all (docs/cost.md).
#include <fmt/format.h>

#include <algorithm>

#include "cli/commands.h"
#include "cli/options.h"
#include "plan/run.h"
#include "cli/table.h"
#include "core/atomic_file.h"
#include "core/text.h"
#include "core/units.h"
#include "cost/analysis.h"
#include "scenario/scenario.h"

namespace fleetsim::cli {

namespace {

using core::Dim;

struct TcoArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string csv;
  TableOutput output;
  bool bom = false;
  bool inputs = false;
  int top = 12;
};

std::string usd(double v) { return core::format_quantity(v, Dim::usd, 4); }
std::string pct(double v, int significant = 3) { return core::format_quantity(v, Dim::fraction, significant); }
std::string rate(double v) { return fmt::format("${:.3f}", v); }
std::string count(double v) { return core::format_quantity(v, Dim::count, 4); }

std::string value_text(double v, Dim dim) {
  if (dim == Dim::seconds && v >= core::kSecondsPerYear) return fmt::format("{:.3g} y", v / core::kSecondsPerYear);
  return core::format_quantity(v, dim, 4);
}

void purchases(Table& t, const cost::TcoResult& r) {
  t.section(fmt::format("Purchases, each owned {:g} years (loaded cost at {} utilization, cost of capital annualized)",
                        r.horizon_years, pct(r.gpu_hours_used / r.gpu_hours_capacity)));
  t.row({"purchase", "year", "GPUs", "capex", "opex", "TCO", "$/GPU-h", "rental", "own/rent", "break-even use"});
  for (const auto& p : r.purchases) {
    const bool gpu = p.gpus > 0;
    const bool rent = gpu && p.rental_usd_per_hour > 0;
    t.row({p.name, fmt::format("{}", p.year), gpu ? count(static_cast<double>(p.gpus)) : "-", usd(p.capex_usd),
           usd(p.opex_usd), usd(p.tco_usd), gpu ? rate(p.usd_per_gpu_hour) : "in " + p.carried_by,
           rent ? rate(p.rental_usd_per_hour) : "-", rent ? fmt::format("{:.2f}x", p.usd_per_gpu_hour / p.rental_usd_per_hour) : "-",
           !rent ? "-" : p.breakeven_utilization ? pct(*p.breakeven_utilization) : "never"});
  }
}

void totals(Table& t, const cost::TcoAnalysis& a) {
  const auto& r = a.result;
  t.section("Totals");
  t.row({"capex (hardware and facility)", usd(r.capex_usd)});
  t.row({"opex over the horizons", usd(r.opex_usd)});
  if (r.residual_usd != 0) t.row({"residual (book) value at the horizons' end", usd(-r.residual_usd)});
  t.row({"TCO (capex + opex - residual)", usd(r.tco_usd)});
  t.row({fmt::format("NPV of the cash flows at {}, valued in {}", pct(a.inputs.cost_of_capital), r.valuation_year),
         usd(r.npv_usd)});
  t.row({"loaded cost per GPU-hour, fleet", rate(r.usd_per_gpu_hour)});
  t.row({"TCO per used GPU-hour (no cost of capital)", rate(r.usd_per_gpu_hour_undiscounted)});
  t.row({"GPUs; GPU-hours over the horizons", fmt::format("{}; {}", count(static_cast<double>(r.gpus)),
                                                         count(r.gpu_hours_capacity))});
  t.row({"IT power, max; average", fmt::format("{}; {}", core::format_quantity(r.it_power_max_w, Dim::watts, 3),
                                                core::format_quantity(r.it_power_avg_w, Dim::watts, 3))});
}

void categories(Table& t, const cost::TcoResult& r) {
  t.section("By category, over the horizons (share of TCO)");
  for (auto c : cost::kAllCategories) {
    const double v = r.usd[cost::index_of(c)];
    if (v != 0) t.row({fmt::format("{} ({})", cost::category_name(c), cost::is_capex(c) ? "capex" : "opex"), usd(v),
                       pct(v / r.tco_usd)});
  }
}

void by_year(Table& t, const cost::TcoResult& r) {
  t.section("By year");
  t.row({"year", "capex", "opex", "depreciation", "residual", "cash flow"});
  for (const auto& y : r.years) {
    t.row({fmt::format("{}", y.year), usd(y.capex_usd), usd(y.opex_usd), usd(y.depreciation_usd),
           y.residual_usd != 0 ? usd(y.residual_usd) : "-", usd(y.cash_flow_usd)});
  }
}

void workloads(Table& t, const std::vector<cost::WorkloadCost>& ws) {
  if (ws.empty()) return;
  t.section("Workloads (GPU-hours as given: published inputs, or simulated)");
  t.row({"workload", "origin", "GPU-hours", "loaded cost", "rental cost", "fleet TCO / rental",
         "share of fleet GPU-hours", "of its GPU kind's", "of a year of them", "$/Mtok"});
  for (const auto& w : ws) {
    std::string mtok = w.usd_per_million_tokens ? rate(*w.usd_per_million_tokens) : "-";
    if (w.usd_per_million_output_tokens) mtok += fmt::format(" ({} out)", rate(*w.usd_per_million_output_tokens));
    t.row({w.usage.name, std::string(cost::usage_origin_name(w.usage.origin)), count(w.usage.gpu_hours),
           usd(w.loaded_usd), w.rental_usd ? usd(*w.rental_usd) : "-",
           w.fleet_tco_over_rental ? fmt::format("{:.0f}x", *w.fleet_tco_over_rental) : "-",
           pct(w.share_of_fleet_capacity), pct(w.share_of_gpu_capacity), pct(w.share_of_gpu_year), mtok});
  }
}

void swings(Table& t, const std::vector<cost::Swing>& ss, int top) {
  if (ss.empty()) return;
  t.section(fmt::format("Sensitivity: each input over its range, the rest at base (top {} of {})",
                        std::min<size_t>(static_cast<size_t>(top), ss.size()), ss.size()));
  t.row({"input", "low .. high", "TCO at low", "TCO at high", "$/GPU-h at low", "$/GPU-h at high"});
  for (size_t i = 0; i < ss.size() && i < static_cast<size_t>(top); ++i) {
    const auto& s = ss[i];
    t.row({s.label, fmt::format("{} .. {}", value_text(s.low_value, s.dim), value_text(s.high_value, s.dim)),
           usd(s.low_tco_usd), usd(s.high_tco_usd), rate(s.low_usd_per_gpu_hour), rate(s.high_usd_per_gpu_hour)});
  }
}

void fabrics(Table& t, const cost::Bom& b) {
  if (b.fabrics.empty()) return;
  t.section("Compute fabrics (NICs are inside the server prices)");
  t.row({"tranche", "kind", "switch", "clusters x planes", "endpoints", "switches", "NIC modules", "switch modules",
         "fibres"});
  for (const auto& f : b.fabrics) {
    const auto& v = f.inventory;
    t.row({f.group, std::string(topo::fabric_kind_name(f.kind)), f.switch_id, fmt::format("{} x {}", f.clusters, v.planes),
           count(static_cast<double>(v.endpoints)), count(static_cast<double>(v.switches)),
           count(static_cast<double>(v.nic_transceivers)), count(static_cast<double>(f.switch_modules)),
           count(static_cast<double>(v.fibres))});
  }
}

// Appends a left-aligned text column to a rendered section (a title, then one line per row).
std::string with_text_column(const std::string& rendered, const std::vector<std::string>& text) {
  std::vector<std::string> lines = core::split(rendered, '\n');
  size_t width = 0;
  for (const auto& l : lines) width = std::max(width, l.size());
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty() && i + 1 == lines.size()) break;
    std::string l = lines[i];
    if (i >= 2 && i - 2 < text.size()) l += std::string(width - l.size() + 2, ' ') + text[i - 2];
    out += l + "\n";
  }
  return out;
}

std::string bom_lines(const cost::Bom& b) {
  Table t;
  std::vector<std::string> sources = {"source of the price"};
  t.section("Bill of materials");
  t.row({"purchase", "item", "quantity", "unit price", "low .. high", "total"});
  for (const auto& l : b.lines) {
    t.row({l.group, l.item, count(l.quantity), usd(l.unit_price.typical_usd),
           fmt::format("{} .. {}", usd(l.unit_price.low_usd), usd(l.unit_price.high_usd)), usd(l.usd())});
    sources.push_back((l.price_estimate ? "estimate: " : "") + (l.note.empty() ? l.price_source : l.note));
  }
  return with_text_column(t.render(), sources);
}

std::string input_rows(const std::vector<cost::Input>& xs) {
  Table t;
  std::vector<std::string> sources = {"source"};
  t.section("Inputs of the cost model (value, range, source)");
  t.row({"input", "value", "low .. high"});
  for (const auto& x : xs) {
    const std::string range = x.low && x.high ? fmt::format("{} .. {}", value_text(*x.low, x.dim), value_text(*x.high, x.dim)) : "-";
    t.row({x.label, value_text(x.value, x.dim), range});
    const std::string why = x.estimate && !x.note.empty() ? x.note : x.source.empty() ? x.note : x.source;
    sources.push_back((x.estimate ? "estimate: " : "") + why +
                      (x.range_source.empty() ? "" : "; range: " + x.range_source));
  }
  return with_text_column(t.render(), sources);
}

std::string render(const scenario::Scenario& s, const cost::TcoAnalysis& a, const TcoArgs& args) {
  std::string out = fmt::format("{}\n{} (hash {})\n", s.fleet->name.empty() ? s.name : s.fleet->name, s.file, s.hash);
  // One table per section, so that each lines up on its own columns.
  auto add = [&out](auto fn) {
    Table t;
    fn(t);
    out += t.render();
  };
  add([&](Table& t) { purchases(t, a.result); });
  add([&](Table& t) { totals(t, a); });
  add([&](Table& t) { categories(t, a.result); });
  add([&](Table& t) { by_year(t, a.result); });
  add([&](Table& t) { workloads(t, a.workloads); });
  add([&](Table& t) { swings(t, a.sensitivity, args.top); });
  add([&](Table& t) { fabrics(t, a.bom); });
  if (args.bom) out += bom_lines(a.bom);
  if (args.inputs) out += input_rows(a.input_list);
  return out;
}

// The header, the tco section and the fleet's and hardware's input figures.
result::Document result_document(const scenario::Scenario& s, const cost::TcoAnalysis& a) {
  result::Document doc = plan::document_header(s);
  doc.tco = cost::tco_section(a);
  doc.assumptions = plan::assumptions(s, {"fleet.", "hardware."});
  return doc;
}

}  // namespace

void add_tco_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<TcoArgs>();
  auto* cmd = app.add_subcommand("tco", "Fleet TCO: bill of materials, cash flows, loaded $/GPU-hour against rental, "
                                        "workloads priced, sensitivity");
  cmd->add_option("scenario", args->scenario, "Scenario file with a fleet section, or a shipped scenario's name")
      ->required();
  add_set_option(cmd, args->sets);
  args->output.add_to(cmd, "the result document (tco section and assumptions)");
  cmd->add_option("--csv", args->csv, "Also write one row per year and category to this CSV file");
  cmd->add_flag("--bom", args->bom, "Show every line of the bill of materials");
  cmd->add_flag("--inputs", args->inputs, "Show every input of the cost model with its range and source");
  cmd->add_option("--top", args->top, "Sensitivity rows to show")->check(CLI::PositiveNumber);
  cmd->callback([args, &ctx] {
    const auto s = ctx.load_scenario(args->scenario, args->sets);
    const auto a = cost::analyse_fleet(s);
    if (!args->csv.empty()) core::write_file_atomically(args->csv, cost::tco_csv(a.result));
    args->output.emit([&] { return result::to_json(result_document(s, a)).dump(2) + "\n"; }, [&] { return render(s, a, *args); });
  });
}

}  // namespace fleetsim::cli
