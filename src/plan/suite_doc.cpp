// docs/validation.md and its chart, written from a suite run (plan/suite.h). Deterministic: the
// same run writes the same bytes, so a commit's diff of the page is what the commit moved.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "plan/suite.h"

namespace fleetsim::plan {

namespace {

std::string pct(double v) { return fmt::format("{:.1f}%", 100 * v); }
std::string signed_pct(double v) { return fmt::format("{:+.1f}%", 100 * v); }

// A markdown table cell: no pipes or newlines.
std::string cell(std::string s) {
  for (auto& c : s) {
    if (c == '|' || c == '\n') c = c == '|' ? '/' : ' ';
  }
  return s;
}

// XML text: the suite's names and ids (plan does not depend on report/, whose escape_html is the
// same for HTML).
std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string format_suite_figure(double v) {
  if (v == 0) return "0";
  const int digits = static_cast<int>(std::floor(std::log10(std::abs(v)))) + 1;
  const int decimals = std::clamp(4 - digits, 0, 3);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string suite_markdown(const SuiteSpec& spec, const SuiteResult& r, const std::string& svg_name) {
  std::string md;
  md += fmt::format("# Validation against public measurements\n\n");
  md += fmt::format(
      "Written by `fleetsim validate-suite --write-doc docs/validation.md` from `scenarios/validation/suite.yaml` "
      "({}); do not edit by hand. Each row is one published measurement of ../shared/validation.md, run as a "
      "scenario of `scenarios/validation/` with the analytic engines. The error is (predicted - published) / "
      "published; a row is *within* when its absolute error is at most the tolerance the validation set gives "
      "it. A row fleetsim cannot express is listed with what is missing, never dropped; a row whose scenario "
      "fleetsim rejects (out of memory, an impossible unit) is *failed* with the reason. No constant is fitted "
      "to a row. `tests/validation/suite-baseline.json` holds the first run's statuses; CI fails when a row "
      "that was within its tolerance leaves it.\n\n",
      spec.name);
  md += "## Error by family\n\n";
  md += "| family | rows | predicted | within | median abs. error | worst abs. error | signed mean |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|\n";
  auto stats_row = [&](const SuiteFamilyStats& f, const std::string& title) {
    const bool any = f.predicted > 0;
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", cell(title), f.rows, f.predicted, f.within,
                      any ? pct(f.median_abs_error) : "-", any ? pct(f.worst_abs_error) : "-",
                      any ? signed_pct(f.mean_error) : "-");
  };
  for (const auto& f : r.families) stats_row(f, fmt::format("{}: {}", f.family, f.title));
  stats_row(r.all, "**all**");
  md += fmt::format("\n![Signed error of each predicted row, with its tolerance band]({})\n\n", svg_name);
  md += "## Families\n\n";
  for (const auto& f : spec.families) {
    md += fmt::format("- **{}**: {}.{}\n", f.id, f.title, f.note.empty() ? "" : " " + f.note);
  }
  md += "\n## Rows\n\n";
  md += "| row | family | metric | published | predicted | error | tolerance | status |\n";
  md += "|---|---|---|---:|---:|---:|---:|---|\n";
  for (size_t i = 0; i < spec.rows.size(); ++i) {
    const auto& row = spec.rows[i];
    const auto& res = r.rows[i];
    std::string status(row_status_name(res.status));
    if (res.status == RowStatus::not_expressible) status = "not expressible: " + res.message;
    if (res.status == RowStatus::failed) status = "failed: " + res.message;
    md += fmt::format("| {} | {} | {} | {} | {} | {} | ±{:.0f}% | {} |\n", row.id, row.family,
                      suite_metric_unit(row.metric), format_suite_figure(row.published),
                      res.predicted ? format_suite_figure(*res.predicted) : "-", res.error ? signed_pct(*res.error) : "-",
                      100 * row.tolerance, cell(status));
  }
  md += "\n## Sources, assumptions and notes\n\n";
  md += "What each source leaves out is an assumption with its reason; secondary published figures are notes.\n\n";
  for (const auto& row : spec.rows) {
    md += fmt::format("- **{}** ({}): {}.", row.id, row.family, row.source);
    if (!row.scenario.empty()) md += fmt::format(" Scenario `{}`", row.scenario);
    if (!row.set.empty()) {
      md += " with";
      for (const auto& s : row.set) md += fmt::format(" `--set {}`", s);
    }
    if (!row.scenario.empty()) md += ".";
    for (const auto& a : row.assumptions) md += fmt::format(" Assumed: {}.", a);
    if (!row.note.empty()) md += fmt::format(" {}", row.note);
    md += "\n";
  }
  return md;
}

std::string suite_svg(const SuiteSpec& spec, const SuiteResult& r) {
  // Rows with a prediction, top to bottom; x from -100% to +100% of the published figure (bars
  // past it are clipped at the edge and labelled with their value).
  constexpr double kLabelW = 70, kPlotW = 560, kRowH = 14, kTop = 30, kRange = 1.0;
  std::vector<size_t> shown;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    if (r.rows[i].error) shown.push_back(i);
  }
  const double height = kTop + kRowH * static_cast<double>(shown.size()) + 30;
  const double width = kLabelW + kPlotW + 70;
  const auto x_of = [&](double e) { return kLabelW + kPlotW * (std::clamp(e, -kRange, kRange) + kRange) / (2 * kRange); };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\" "
      "font-family=\"sans-serif\" font-size=\"10\">\n",
      width, height, width, height);
  svg += fmt::format("<rect width=\"{:.0f}\" height=\"{:.0f}\" fill=\"white\"/>\n", width, height);
  svg += fmt::format("<text x=\"{:.0f}\" y=\"14\" font-size=\"12\">{}: (predicted - published) / published</text>\n",
                     kLabelW, escape_xml(spec.name));
  for (double tick = -1.0; tick <= 1.0 + 1e-9; tick += 0.25) {
    const double x = x_of(tick);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.0f}\" x2=\"{:.1f}\" y2=\"{:.0f}\" stroke=\"{}\"/>\n", x, kTop - 4, x,
                       height - 24, std::abs(tick) < 1e-9 ? "#333" : "#ddd");
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\" text-anchor=\"middle\">{:+.0f}%</text>\n", x, height - 12,
                       100 * tick);
  }
  for (size_t k = 0; k < shown.size(); ++k) {
    const auto& row = spec.rows[shown[k]];
    const auto& res = r.rows[shown[k]];
    const double y = kTop + kRowH * static_cast<double>(k);
    const double band_lo = x_of(-row.tolerance), band_hi = x_of(row.tolerance);
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"#e8f0e8\"/>\n", band_lo,
                       y, band_hi - band_lo, kRowH - 2);
    const double x0 = x_of(0), x1 = x_of(*res.error);
    const char* color = res.status == RowStatus::within ? "#3a7d44" : "#c0392b";
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"{}\"/>\n",
                       std::min(x0, x1), y + 2, std::max(0.5, std::abs(x1 - x0)), kRowH - 6, color);
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", kLabelW - 6, y + kRowH - 4,
                       escape_xml(row.id));
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\">{}</text>\n", kLabelW + kPlotW + 6, y + kRowH - 4,
                       signed_pct(*res.error));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace fleetsim::plan
