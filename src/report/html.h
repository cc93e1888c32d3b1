// The self-contained HTML report: one file that works offline (the chart library is embedded),
// built from the result JSON and nothing else. Every text from the user is escaped.
//
// The page signals its state on <body> for tests and tools: data-charts="N" (charts on the page),
// data-charts-ready="N" once all are rendered, data-chart-errors and data-errors (script errors
// and console.error calls seen).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace fleetsim::report {

using core::Json;

// Escapes & < > " ' for HTML text and attribute values.
std::string escape_html(std::string_view text);
// JSON safe inside <script type="application/json">: every '<' becomes \u003c.
std::string json_for_script(const Json& j);

// Builds a page from blocks; charts are Vega-Lite specs rendered as SVG.
class Page {
 public:
  explicit Page(std::string title) : title_(std::move(title)) {}

  void raw_html(std::string html) { body_ += std::move(html); }  // trusted markup built here
  void heading(std::string_view text, int level = 2);
  void paragraph(std::string_view text, std::string_view css_class = "");
  // A row of headline figures: label, formatted value, and a note under it.
  struct Card {
    std::string label, value, note;
  };
  void cards(const std::vector<Card>& cards);
  // A Vega-Lite spec; `caption` is shown under it.
  void chart(std::string id, Json spec, std::string_view caption = "");
  // A table of text cells (escaped); numeric columns are right-aligned when `numeric[i]`.
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
             const std::vector<bool>& numeric = {}, std::string_view css_class = "");
  void open_section(std::string_view id, std::string_view title);
  void close_section();

  size_t chart_count() const { return charts_.size(); }
  // The whole document. `data` is embedded for tools that read the page (id fleetsim-result).
  std::string render(const Json& data) const;

 private:
  std::string title_;
  std::string body_;
  std::vector<std::pair<std::string, Json>> charts_;
};

}  // namespace fleetsim::report
