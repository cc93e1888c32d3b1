#include "report/report.h"

#include <fmt/format.h>

#include <optional>
#include <tuple>

#include "core/units.h"
#include "report/charts.h"
#include "report/html.h"

namespace fleetsim::report {

namespace {

using core::Dim;
using core::format_quantity;
using result::Document;

// Figures the document may lack are std::optional: an absent figure is shown as "-" or left
// out, never as zero.
std::string fmt_value(std::optional<double> v, Dim dim, int digits = 4) {
  return v ? format_quantity(*v, dim, digits) : "-";
}

void add_card(std::vector<Page::Card>& cards, std::optional<double> v, const char* label, Dim dim,
              std::string note = "") {
  if (v) cards.push_back({label, format_quantity(*v, dim), std::move(note)});
}

void header(Page& page, const Document& doc) {
  page.raw_html("<header>\n");
  page.heading(doc.scenario.name, 1);
  page.paragraph(doc.scenario.question, "question");
  page.paragraph(fmt::format("fleetsim {} · scenario {} · hash {} · seed {}", doc.fleetsim.version, doc.scenario.file,
                             doc.fleetsim.scenario_hash, doc.fleetsim.seed),
                 "meta");
  page.raw_html("</header>\n<main>\n");
}

void headline_section(Page& page, const Document& doc);

void training(Page& page, const result::Training& t) {
  page.open_section("training", "Training");
  std::vector<Page::Card> cards;
  add_card(cards, t.step_time_s, "Step time", Dim::seconds);
  add_card(cards, t.mfu, "MFU", Dim::fraction, "model FLOPs / BF16 dense peak");
  add_card(cards, t.tokens_per_s_per_gpu, "Tokens/s per GPU", Dim::count);
  add_card(cards, t.gpu_hours_per_trillion_tokens, "GPU-hours per T tokens", Dim::count);
  add_card(cards, t.memory_per_gpu_bytes, "Memory per GPU", Dim::bytes);
  page.cards(cards);
  std::vector<Bar> parts;
  for (const auto& p : t.breakdown) parts.push_back({p.part, p.seconds, ""});
  if (!parts.empty()) {
    page.chart("chart-step-breakdown", split_bar(parts, "seconds", "Step time: compute, exposed communication, bubble"));
  }
  if (t.timeline && !t.timeline->empty()) {
    std::vector<Span> spans;
    for (const auto& e : *t.timeline) spans.push_back({e.lane, e.name, e.kind, e.start_s, e.end_s});
    page.chart("chart-step-timeline", timeline(spans, "seconds", "One simulated step"));
  }
  if (!t.stages.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : t.stages) {
      rows.push_back({s.name, fmt_value(double(s.seq_len), Dim::count), fmt_value(s.tokens, Dim::count),
                      fmt_value(s.steps, Dim::count), fmt_value(s.step_time_s, Dim::seconds),
                      fmt_value(s.gpu_hours, Dim::count), fmt_value(s.days, Dim::count)});
    }
    page.table({"stage", "sequence", "tokens", "steps", "step time", "GPU-hours", "days"}, rows,
               {false, true, true, true, true, true, true});
  }
  page.close_section();
}

void serving(Page& page, const result::Serving& s) {
  page.open_section("serving", "Serving");
  std::vector<Page::Card> cards;
  add_card(cards, s.prefill_tokens_per_s_per_node, "Prefill tokens/s per node", Dim::count);
  add_card(cards, s.decode_tokens_per_s_per_node, "Decode tokens/s per node", Dim::count);
  add_card(cards, s.nodes.average, "Nodes, average", Dim::count);
  add_card(cards, s.nodes.peak, "Nodes, peak", Dim::count);
  add_card(cards, s.gpu_hours_per_day, "GPU-hours a day", Dim::count);
  add_card(cards, s.cost_profit_margin, "Cost-profit margin", Dim::fraction);
  page.cards(cards);
  // Time to first token in seconds and time per output token in milliseconds: two scales.
  std::vector<Bar> ttft, tpot;
  for (const auto& [p, a, b] : {std::tuple{"p50", s.ttft_s.p50, s.tpot_s.p50}, std::tuple{"p90", s.ttft_s.p90, s.tpot_s.p90},
                                std::tuple{"p99", s.ttft_s.p99, s.tpot_s.p99}}) {
    ttft.push_back({fmt::format("TTFT {}", p), a, "time to first token"});
    tpot.push_back({fmt::format("TPOT {}", p), b * 1e3, "time per output token"});
  }
  page.chart("chart-ttft", bar_chart(ttft, "seconds", "Time to first token"));
  page.chart("chart-tpot", bar_chart(tpot, "milliseconds", "Time per output token"));
  if (const double k = s.simulation ? s.simulation->requests_per_simulated_request : 1.0; k > 1) {
    page.paragraph(fmt::format("Latencies from the event simulation, where one simulated request stands for {:g} "
                               "real ones arriving together: queueing before prefill is overstated, so the TTFT "
                               "tail is an upper bound (docs/serving.md).",
                               k),
                   "note");
  }
  if (!s.hourly.empty()) {
    // Colocated units do both and count as decode in the document: one series, named for them.
    const bool colocated = !s.disaggregated;
    std::vector<SeriesPoint> pts;
    for (const auto& e : s.hourly) {
      if (!colocated) pts.push_back({"prefill", double(e.hour), double(e.nodes_prefill)});
      pts.push_back({colocated ? "colocated" : "decode", double(e.hour), double(e.nodes_decode)});
    }
    page.chart("chart-serving-day", line_chart(pts, "hour of day", "nodes", "Nodes along the day"));
  }
  page.close_section();
}

void tco(Page& page, const result::Tco& c) {
  page.open_section("tco", "Fleet cost of ownership");
  std::vector<Bar> breakdown;
  for (const auto& b : c.breakdown) breakdown.push_back({b.category, b.usd * 1e-6, b.kind});
  if (!breakdown.empty()) page.chart("chart-cost-breakdown", bar_chart(breakdown, "million USD", "Cost by category"));
  if (!c.by_year.empty()) {
    std::vector<Bar> flows;
    std::vector<std::vector<std::string>> rows;
    for (const auto& y : c.by_year) {
      const std::string year = std::to_string(y.year);
      flows.push_back({year, y.capex_usd * 1e-6, "capex"});
      flows.push_back({year, y.opex_usd * 1e-6, "opex"});
      rows.push_back({year, fmt_value(y.capex_usd, Dim::usd), fmt_value(y.opex_usd, Dim::usd),
                      fmt_value(y.depreciation_usd, Dim::usd), fmt_value(y.cash_flow_usd, Dim::usd)});
    }
    page.chart("chart-cash-flow", stacked_columns(flows, "year", "million USD", "Spending by year"));
    page.table({"year", "capex", "opex", "depreciation", "cash flow"}, rows, {false, true, true, true, true});
  }
  if (!c.sensitivity.empty()) {
    std::vector<Swing> swings;
    for (const auto& e : c.sensitivity) swings.push_back({e.input, e.low_usd * 1e-6, e.high_usd * 1e-6});
    page.chart("chart-sensitivity", tornado(swings, c.tco_usd * 1e-6, "TCO, million USD", "What moves the TCO"));
  }
  page.close_section();
}

void plan(Page& page, const result::Plan& pl) {
  page.open_section("plan", "Candidates");
  std::vector<Page::Card> cards;
  add_card(cards, double(pl.screened), "Layouts screened", Dim::count);
  add_card(cards, double(pl.feasible), "Feasible layouts", Dim::count);
  if (const auto& best = pl.best.value) {
    add_card(cards, best->cost_usd, "Cheapest fleet", Dim::usd, best->label);
    add_card(cards, best->time_days, "Its training days", Dim::count);
  }
  if (const auto& bc = pl.best_confirmed.value; bc && !pl.confirmations.empty()) {
    add_card(cards, bc->cost_usd, "Cheapest confirmed by the event engine", Dim::usd, bc->label);
  }
  add_card(cards, pl.deadline_days, "Deadline, days", Dim::count);
  page.cards(cards);
  if (!pl.best.value) page.paragraph("No fleet meets every target: see the rejections below.", "note");
  if (!pl.points.empty()) {
    std::vector<Point> points;
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : pl.points) {
      points.push_back({p.label, p.time_days, p.cost_usd * 1e-6, p.front});
      if (rows.size() < 25) {
        rows.push_back({p.label, p.layout ? p.layout->label : "-", fmt_value(p.cost_usd, Dim::usd), fmt_value(p.time_days, Dim::count),
                        p.meets_deadline ? "yes" : "no", p.front ? "yes" : ""});
      }
    }
    page.chart("chart-pareto", pareto_scatter(points, "days", "million USD", "Cost against time, Pareto front"));
    page.table({"fleet", "training layout", "cost", "training days", "meets deadline", "on the front"}, rows,
               {false, false, true, true, false, false});
  }
  if (!pl.rejections.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : pl.rejections) rows.push_back({r.reason, fmt_value(double(r.count), Dim::count), r.example});
    page.table({"rejected for", "configurations", "first example"}, rows, {false, true, false});
  }
  if (!pl.confirmations.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : pl.confirmations) {
      rows.push_back({c.label, fmt_value(c.analytic_step_s, Dim::seconds), fmt_value(c.event_step_s, Dim::seconds),
                      fmt_value(c.difference, Dim::fraction), c.event_meets_deadline ? "yes" : "no"});
    }
    page.table({"confirmed on the event engine", "analytic step", "event step", "difference", "meets deadline"}, rows,
               {false, true, true, true, false});
  }
  if (pl.reference && !pl.reference->explanation.empty()) {
    page.paragraph("Reference layout (" + pl.reference->layout.label + "): " + pl.reference->explanation);
  }
  page.close_section();
}

void assumptions(Page& page, const std::vector<result::AssumptionRow>& list) {
  if (list.empty()) return;
  page.open_section("assumptions", "Assumptions and their sources");
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : list) {
    std::string source = a.source;
    if (a.estimate) source = "estimate: " + source;
    if (a.note && !a.note->empty()) source += " (" + *a.note + ")";
    rows.push_back({a.path, a.value, source});
  }
  page.table({"input", "value", "source"}, rows, {false, true, false}, "assumptions");
  page.close_section();
}

void calibration(Page& page, const std::vector<result::CalibrationRow>& list) {
  if (list.empty()) return;
  page.open_section("calibration", "Calibration tables used");
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : list) rows.push_back({c.gpu, c.kind, c.source, c.date, c.tool});
  page.table({"GPU", "kind", "source", "date", "kernels / tools"}, rows);
  page.close_section();
}

// "published: <figure>" for the first published workload of a kind on a GPU in the TCO's
// workloads, so a simulated figure sits beside the one it models; "" when there is none.
template <class Figure>
std::string published_note(const Document& doc, const char* kind, const std::string& gpu, Figure figure, Dim dim) {
  if (!doc.tco) return "";
  for (const auto& w : doc.tco->workloads) {
    if (w.origin == "published" && w.kind == kind && w.gpu == gpu) {
      if (std::optional<double> v = figure(w)) return "published: " + format_quantity(*v, dim);
    }
  }
  return "";
}

std::vector<Headline> headline_of(const Document& doc) {
  std::vector<Page::Card> cards;
  const std::string train_gpu = doc.training ? doc.training->gpu : "";
  const std::string serve_gpu = doc.serving ? doc.serving->gpu : "";
  auto note = [](std::string a, const std::string& b) { return b.empty() ? a : a.empty() ? b : a + "; " + b; };
  auto gpu_hours = [](const result::Workload& w) { return std::optional<double>(w.gpu_hours); };
  auto rental = [](const result::Workload& w) { return w.rental_usd; };
  if (const auto& t = doc.training) {
    add_card(cards, t->gpu_hours_total, "Training GPU-hours", Dim::count,
             note(train_gpu, published_note(doc, "training", train_gpu, gpu_hours, Dim::count)));
    add_card(cards, t->wall_clock_days, "Training days", Dim::count);
    add_card(cards, t->rental_usd_total, "Training, rented", Dim::usd,
             published_note(doc, "training", train_gpu, rental, Dim::usd));
  }
  if (const auto& s = doc.serving) {
    add_card(cards, s->cost_usd_per_day, "Serving cost a day", Dim::usd,
             published_note(doc, "serving", serve_gpu, rental, Dim::usd));
    add_card(cards, s->usd_per_million_output_tokens, "Per million output tokens", Dim::usd);
  }
  if (const auto& c = doc.tco) {
    add_card(cards, c->capex_usd, "Fleet capex", Dim::usd);
    add_card(cards, c->opex_usd, "Fleet opex", Dim::usd);
    add_card(cards, c->tco_usd, "Fleet TCO", Dim::usd);
    add_card(cards, c->usd_per_gpu_hour, "Loaded cost per GPU-hour", Dim::usd);
  }
  std::vector<Headline> out;
  for (auto& c : cards) out.push_back({std::move(c.label), std::move(c.value), std::move(c.note)});
  return out;
}

void headline_section(Page& page, const Document& doc) {
  std::vector<Page::Card> cards;
  for (auto& h : headline_of(doc)) cards.push_back({std::move(h.label), std::move(h.value), std::move(h.note)});
  if (cards.empty()) return;
  page.open_section("headline", "Headline");
  page.cards(cards);
  page.close_section();
}

// The page for `doc` with `json` (its JSON) embedded.
std::string page_of(const Document& doc, const Json& json) {
  Page page(doc.scenario.name + " — fleetsim");
  header(page, doc);
  headline_section(page, doc);
  if (doc.training) training(page, *doc.training);
  if (doc.serving) serving(page, *doc.serving);
  if (doc.tco) tco(page, *doc.tco);
  if (doc.plan) plan(page, *doc.plan);
  if (doc.assumptions) assumptions(page, *doc.assumptions);
  if (doc.calibration) calibration(page, *doc.calibration);
  page.raw_html("</main>\n<footer>Generated by fleetsim. Every figure above comes from the result document "
                "embedded in this page (script#fleetsim-result).</footer>\n");
  return page.render(json);
}

}  // namespace

std::vector<Headline> headline(const Document& doc) { return headline_of(doc); }

std::vector<Headline> headline(const Json& doc) { return headline_of(result::read_document(doc)); }

std::string render_report(const Json& json) { return page_of(result::read_document(json), json); }

std::string render_report(const Document& doc) { return page_of(doc, result::to_json(doc)); }

}  // namespace fleetsim::report
