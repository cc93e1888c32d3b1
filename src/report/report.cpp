#include "report/report.h"

#include <fmt/format.h>

#include "core/units.h"
#include "report/charts.h"
#include "report/html.h"

namespace fleetsim::report {

namespace {

using core::Dim;
using core::format_quantity;

// Reading the document: absent keys and non-numbers read as "missing", never as zero.
const Json* find(const Json& j, std::initializer_list<const char*> path) {
  const Json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}
std::optional<double> number(const Json& j, std::initializer_list<const char*> path) {
  const Json* v = find(j, path);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}
std::string text(const Json& j, std::initializer_list<const char*> path, std::string fallback = "") {
  const Json* v = find(j, path);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}
std::string fmt_value(const Json& j, std::initializer_list<const char*> path, Dim dim, int digits = 4) {
  auto v = number(j, path);
  return v ? format_quantity(*v, dim, digits) : "-";
}

void add_card(std::vector<Page::Card>& cards, const Json& j, std::initializer_list<const char*> path,
              const char* label, Dim dim, std::string note = "") {
  if (auto v = number(j, path)) cards.push_back({label, format_quantity(*v, dim), std::move(note)});
}

// A list of {<label_key>: text, <value_key>: number}, or an object {label: number}.
std::vector<Bar> bars_of(const Json* list, const char* label_key, const char* value_key, double scale = 1.0,
                         const char* group_key = nullptr) {
  std::vector<Bar> out;
  if (!list) return out;
  if (list->is_object()) {
    for (const auto& [k, v] : list->items()) {
      if (v.is_number()) out.push_back({k, v.get<double>() * scale, ""});
    }
  } else if (list->is_array()) {
    for (const auto& e : *list) {
      if (!e.is_object() || !e.contains(label_key) || !e[label_key].is_string() || !e.contains(value_key) ||
          !e[value_key].is_number()) {
        continue;
      }
      std::string group = group_key && e.contains(group_key) && e[group_key].is_string() ? e[group_key].get<std::string>() : "";
      out.push_back({e[label_key].get<std::string>(), e[value_key].get<double>() * scale, group});
    }
  }
  return out;
}

void header(Page& page, const Json& doc) {
  page.raw_html("<header>\n");
  page.heading(text(doc, {"scenario", "name"}, "fleetsim report"), 1);
  page.paragraph(text(doc, {"scenario", "question"}), "question");
  page.paragraph(fmt::format("fleetsim {} · scenario {} · hash {} · seed {}", text(doc, {"fleetsim", "version"}, "?"),
                             text(doc, {"scenario", "file"}, "?"), text(doc, {"fleetsim", "scenario_hash"}, "?"),
                             doc.contains("fleetsim") && doc["fleetsim"].contains("seed") ? doc["fleetsim"]["seed"].dump()
                                                                                          : "?"),
                 "meta");
  page.raw_html("</header>\n<main>\n");
}

void headline_section(Page& page, const Json& doc) {
  std::vector<Page::Card> cards;
  for (auto& h : headline(doc)) cards.push_back({std::move(h.label), std::move(h.value), std::move(h.note)});
  if (cards.empty()) return;
  page.open_section("headline", "Headline");
  page.cards(cards);
  page.close_section();
}

void training(Page& page, const Json& doc) {
  const Json* t = find(doc, {"training"});
  if (!t || !t->is_object()) return;
  page.open_section("training", "Training");
  std::vector<Page::Card> cards;
  add_card(cards, *t, {"step_time_s"}, "Step time", Dim::seconds);
  add_card(cards, *t, {"mfu"}, "MFU", Dim::fraction, "model FLOPs / BF16 dense peak");
  add_card(cards, *t, {"tokens_per_s_per_gpu"}, "Tokens/s per GPU", Dim::count);
  add_card(cards, *t, {"gpu_hours_per_trillion_tokens"}, "GPU-hours per T tokens", Dim::count);
  add_card(cards, *t, {"memory_per_gpu_bytes"}, "Memory per GPU", Dim::bytes);
  page.cards(cards);
  auto parts = bars_of(find(*t, {"breakdown"}), "part", "seconds");
  if (!parts.empty()) {
    page.chart("chart-step-breakdown", split_bar(parts, "seconds", "Step time: compute, exposed communication, bubble"));
  }
  if (const Json* tl = find(*t, {"timeline"}); tl && tl->is_array() && !tl->empty()) {
    std::vector<Span> spans;
    for (const auto& e : *tl) {
      if (!e.is_object()) continue;
      spans.push_back({e.value("lane", ""), e.value("name", ""), e.value("kind", ""), e.value("start_s", 0.0),
                       e.value("end_s", 0.0)});
    }
    page.chart("chart-step-timeline", timeline(spans, "seconds", "One simulated step"));
  }
  if (const Json* st = find(*t, {"stages"}); st && st->is_array() && !st->empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : *st) {
      rows.push_back({s.value("name", ""), fmt_value(s, {"seq_len"}, Dim::count), fmt_value(s, {"tokens"}, Dim::count),
                      fmt_value(s, {"steps"}, Dim::count), fmt_value(s, {"step_time_s"}, Dim::seconds),
                      fmt_value(s, {"gpu_hours"}, Dim::count), fmt_value(s, {"days"}, Dim::count)});
    }
    page.table({"stage", "sequence", "tokens", "steps", "step time", "GPU-hours", "days"}, rows,
               {false, true, true, true, true, true, true});
  }
  page.close_section();
}

void serving(Page& page, const Json& doc) {
  const Json* s = find(doc, {"serving"});
  if (!s || !s->is_object()) return;
  page.open_section("serving", "Serving");
  std::vector<Page::Card> cards;
  add_card(cards, *s, {"prefill_tokens_per_s_per_node"}, "Prefill tokens/s per node", Dim::count);
  add_card(cards, *s, {"decode_tokens_per_s_per_node"}, "Decode tokens/s per node", Dim::count);
  add_card(cards, *s, {"nodes", "average"}, "Nodes, average", Dim::count);
  add_card(cards, *s, {"nodes", "peak"}, "Nodes, peak", Dim::count);
  add_card(cards, *s, {"gpu_hours_per_day"}, "GPU-hours a day", Dim::count);
  add_card(cards, *s, {"cost_profit_margin"}, "Cost-profit margin", Dim::fraction);
  page.cards(cards);
  // Time to first token in seconds and time per output token in milliseconds: two scales.
  std::vector<Bar> ttft, tpot;
  for (const char* p : {"p50", "p90", "p99"}) {
    if (auto v = number(*s, {"ttft_s", p})) ttft.push_back({fmt::format("TTFT {}", p), *v, "time to first token"});
    if (auto v = number(*s, {"tpot_s", p})) tpot.push_back({fmt::format("TPOT {}", p), *v * 1e3, "time per output token"});
  }
  if (!ttft.empty()) page.chart("chart-ttft", bar_chart(ttft, "seconds", "Time to first token"));
  if (!tpot.empty()) page.chart("chart-tpot", bar_chart(tpot, "milliseconds", "Time per output token"));
  if (auto k = number(*s, {"simulation", "requests_per_simulated_request"}); k && *k > 1) {
    page.paragraph(fmt::format("Latencies from the event simulation, where one simulated request stands for {:g} "
                               "real ones arriving together: queueing before prefill is overstated, so the TTFT "
                               "tail is an upper bound (docs/serving.md).",
                               *k),
                   "note");
  }
  if (const Json* h = find(*s, {"hourly"}); h && h->is_array() && !h->empty()) {
    // Colocated units do both and count as decode in the document: one series, named for them.
    const bool colocated = s->contains("disaggregated") && (*s)["disaggregated"].is_boolean() &&
                           !(*s)["disaggregated"].get<bool>();
    std::vector<SeriesPoint> pts;
    for (const auto& e : *h) {
      for (const char* series : {"nodes_prefill", "nodes_decode", "nodes_total"}) {
        if (colocated && std::string_view(series) == "nodes_prefill") continue;
        if (e.contains(series) && e[series].is_number()) {
          const std::string name = colocated && std::string_view(series) == "nodes_decode" ? "colocated" : series + 6;
          pts.push_back({name, e.value("hour", 0.0), e[series].get<double>()});
        }
      }
    }
    page.chart("chart-serving-day", line_chart(pts, "hour of day", "nodes", "Nodes along the day"));
  }
  page.close_section();
}

void tco(Page& page, const Json& doc) {
  const Json* c = find(doc, {"tco"});
  if (!c || !c->is_object()) return;
  page.open_section("tco", "Fleet cost of ownership");
  auto breakdown = bars_of(find(*c, {"breakdown"}), "category", "usd", 1e-6, "kind");
  if (!breakdown.empty()) page.chart("chart-cost-breakdown", bar_chart(breakdown, "million USD", "Cost by category"));
  if (const Json* years = find(*c, {"by_year"}); years && years->is_array() && !years->empty()) {
    std::vector<Bar> flows;
    std::vector<std::vector<std::string>> rows;
    for (const auto& y : *years) {
      const std::string year = y.contains("year") ? y["year"].dump() : "?";
      for (const auto& [key, label] : {std::pair{"capex_usd", "capex"}, std::pair{"opex_usd", "opex"}}) {
        if (y.contains(key) && y[key].is_number()) flows.push_back({year, y[key].get<double>() * 1e-6, label});
      }
      rows.push_back({year, fmt_value(y, {"capex_usd"}, Dim::usd), fmt_value(y, {"opex_usd"}, Dim::usd),
                      fmt_value(y, {"depreciation_usd"}, Dim::usd), fmt_value(y, {"cash_flow_usd"}, Dim::usd)});
    }
    page.chart("chart-cash-flow", stacked_columns(flows, "year", "million USD", "Spending by year"));
    page.table({"year", "capex", "opex", "depreciation", "cash flow"}, rows, {false, true, true, true, true});
  }
  if (const Json* sens = find(*c, {"sensitivity"}); sens && sens->is_array() && !sens->empty()) {
    std::vector<Swing> swings;
    for (const auto& e : *sens) {
      if (e.contains("input") && e.contains("low_usd") && e.contains("high_usd")) {
        swings.push_back({e["input"].get<std::string>(), e["low_usd"].get<double>() * 1e-6,
                          e["high_usd"].get<double>() * 1e-6});
      }
    }
    if (auto base = number(*c, {"tco_usd"}); base && !swings.empty()) {
      page.chart("chart-sensitivity", tornado(swings, *base * 1e-6, "TCO, million USD", "What moves the TCO"));
    }
  }
  page.close_section();
}

void plan(Page& page, const Json& doc) {
  const Json* pl = find(doc, {"plan"});
  if (!pl || !pl->is_object()) return;
  page.open_section("plan", "Candidates");
  std::vector<Page::Card> cards;
  add_card(cards, *pl, {"screened"}, "Layouts screened", Dim::count);
  add_card(cards, *pl, {"feasible"}, "Feasible layouts", Dim::count);
  add_card(cards, *pl, {"best", "cost_usd"}, "Cheapest fleet", Dim::usd, text(*pl, {"best", "label"}));
  add_card(cards, *pl, {"best", "time_days"}, "Its training days", Dim::count);
  if (const Json* bc = find(*pl, {"best_confirmed"}); bc && bc->is_object() && find(*pl, {"confirmations"}) &&
                                                      !(*pl)["confirmations"].empty()) {
    add_card(cards, *pl, {"best_confirmed", "cost_usd"}, "Cheapest confirmed by the event engine", Dim::usd,
             text(*pl, {"best_confirmed", "label"}));
  }
  add_card(cards, *pl, {"deadline_days"}, "Deadline, days", Dim::count);
  page.cards(cards);
  if (const Json* b = find(*pl, {"best"}); b && b->is_null()) {
    page.paragraph("No fleet meets every target: see the rejections below.", "note");
  }
  const Json* pts = find(*pl, {"points"});
  if (pts && pts->is_array() && !pts->empty()) {
    std::vector<Point> points;
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : *pts) {
      if (!p.contains("cost_usd") || !p.contains("time_days")) continue;
      points.push_back({p.value("label", ""), p["time_days"].get<double>(), p["cost_usd"].get<double>() * 1e-6,
                        p.value("front", false)});
      if (rows.size() < 25) {
        rows.push_back({p.value("label", ""), text(p, {"layout", "label"}), fmt_value(p, {"cost_usd"}, Dim::usd),
                        fmt_value(p, {"time_days"}, Dim::count), p.value("meets_deadline", true) ? "yes" : "no",
                        p.value("front", false) ? "yes" : ""});
      }
    }
    page.chart("chart-pareto", pareto_scatter(points, "days", "million USD", "Cost against time, Pareto front"));
    page.table({"fleet", "training layout", "cost", "training days", "meets deadline", "on the front"}, rows,
               {false, false, true, true, false, false});
  }
  if (const Json* rej = find(*pl, {"rejections"}); rej && rej->is_array() && !rej->empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : *rej) rows.push_back({r.value("reason", ""), fmt_value(r, {"count"}, Dim::count), r.value("example", "")});
    page.table({"rejected for", "configurations", "first example"}, rows, {false, true, false});
  }
  if (const Json* conf = find(*pl, {"confirmations"}); conf && conf->is_array() && !conf->empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : *conf) {
      rows.push_back({c.value("label", ""), fmt_value(c, {"analytic_step_s"}, Dim::seconds),
                      fmt_value(c, {"event_step_s"}, Dim::seconds), fmt_value(c, {"difference"}, Dim::fraction),
                      c.value("event_meets_deadline", true) ? "yes" : "no"});
    }
    page.table({"confirmed on the event engine", "analytic step", "event step", "difference", "meets deadline"}, rows,
               {false, true, true, true, false});
  }
  if (auto e = text(*pl, {"reference", "explanation"}); !e.empty()) {
    page.paragraph("Reference layout (" + text(*pl, {"reference", "layout", "label"}) + "): " + e);
  }
  page.close_section();
}

void assumptions(Page& page, const Json& doc) {
  const Json* list = find(doc, {"assumptions"});
  if (!list || !list->is_array() || list->empty()) return;
  page.open_section("assumptions", "Assumptions and their sources");
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : *list) {
    std::string source = a.value("source", "");
    if (a.value("estimate", false)) source = "estimate: " + source;
    if (!a.value("note", std::string()).empty()) source += " (" + a.value("note", std::string()) + ")";
    rows.push_back({a.value("path", ""), a.value("value", ""), source});
  }
  page.table({"input", "value", "source"}, rows, {false, true, false}, "assumptions");
  page.close_section();
}

void calibration(Page& page, const Json& doc) {
  const Json* list = find(doc, {"calibration"});
  if (!list || !list->is_array() || list->empty()) return;
  page.open_section("calibration", "Calibration tables used");
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : *list) {
    rows.push_back({c.value("gpu", ""), c.value("kind", ""), c.value("source", ""), c.value("date", ""),
                    c.value("tool", "")});
  }
  page.table({"GPU", "kind", "source", "date", "kernels / tools"}, rows);
  page.close_section();
}

}  // namespace

// "published: <figure>" for the first published workload of a kind on a GPU in the TCO's
// workloads, so a simulated figure sits beside the one it models; "" when there is none.
std::string published_note(const Json& doc, const char* kind, const std::string& gpu, const char* key, Dim dim) {
  const Json* list = find(doc, {"tco", "workloads"});
  if (!list || !list->is_array()) return "";
  for (const auto& w : *list) {
    if (w.value("origin", "") == "published" && w.value("kind", "") == kind && w.value("gpu", "") == gpu) {
      if (auto v = number(w, {key})) return "published: " + format_quantity(*v, dim);
    }
  }
  return "";
}

std::vector<Headline> headline(const Json& doc) {
  std::vector<Page::Card> cards;
  const std::string train_gpu = text(doc, {"training", "gpu"});
  const std::string serve_gpu = text(doc, {"serving", "gpu"});
  auto note = [](std::string a, const std::string& b) { return b.empty() ? a : a.empty() ? b : a + "; " + b; };
  add_card(cards, doc, {"training", "gpu_hours_total"}, "Training GPU-hours", Dim::count,
           note(train_gpu, published_note(doc, "training", train_gpu, "gpu_hours", Dim::count)));
  add_card(cards, doc, {"training", "wall_clock_days"}, "Training days", Dim::count);
  add_card(cards, doc, {"training", "rental_usd_total"}, "Training, rented", Dim::usd,
           published_note(doc, "training", train_gpu, "rental_usd", Dim::usd));
  add_card(cards, doc, {"serving", "cost_usd_per_day"}, "Serving cost a day", Dim::usd,
           published_note(doc, "serving", serve_gpu, "rental_usd", Dim::usd));
  add_card(cards, doc, {"serving", "usd_per_million_output_tokens"}, "Per million output tokens", Dim::usd);
  add_card(cards, doc, {"tco", "capex_usd"}, "Fleet capex", Dim::usd);
  add_card(cards, doc, {"tco", "opex_usd"}, "Fleet opex", Dim::usd);
  add_card(cards, doc, {"tco", "tco_usd"}, "Fleet TCO", Dim::usd);
  add_card(cards, doc, {"tco", "usd_per_gpu_hour"}, "Loaded cost per GPU-hour", Dim::usd);
  std::vector<Headline> out;
  for (auto& c : cards) out.push_back({std::move(c.label), std::move(c.value), std::move(c.note)});
  return out;
}

std::string render_report(const Json& doc) {
  Page page(text(doc, {"scenario", "name"}, "fleetsim report") + " — fleetsim");
  header(page, doc);
  headline_section(page, doc);
  training(page, doc);
  serving(page, doc);
  tco(page, doc);
  plan(page, doc);
  assumptions(page, doc);
  calibration(page, doc);
  page.raw_html("</main>\n<footer>Generated by fleetsim. Every figure above comes from the result document "
                "embedded in this page (script#fleetsim-result).</footer>\n");
  return page.render(doc);
}

}  // namespace fleetsim::report
