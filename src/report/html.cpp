#include "report/html.h"

#include <fmt/format.h>

namespace fleetsim::report {

namespace assets {
extern const std::string_view vega_js;
extern const std::string_view vega_lite_js;
extern const std::string_view vega_embed_js;
extern const std::string_view vega_license;
}  // namespace assets

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const Json& j) {
  const std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

void Page::heading(std::string_view text, int level) {
  body_ += fmt::format("<h{0}>{1}</h{0}>\n", level, escape_html(text));
}

void Page::paragraph(std::string_view text, std::string_view css_class) {
  body_ += css_class.empty() ? fmt::format("<p>{}</p>\n", escape_html(text))
                             : fmt::format("<p class=\"{}\">{}</p>\n", css_class, escape_html(text));
}

void Page::cards(const std::vector<Card>& cards) {
  body_ += "<div class=\"cards\">\n";
  for (const auto& c : cards) {
    body_ += fmt::format("<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div>"
                         "<div class=\"note\">{}</div></div>\n",
                         escape_html(c.label), escape_html(c.value), escape_html(c.note));
  }
  body_ += "</div>\n";
}

void Page::chart(std::string id, Json spec, std::string_view caption) {
  body_ += fmt::format("<figure class=\"chart\"><div class=\"vega\" id=\"{}\"></div>", escape_html(id));
  if (!caption.empty()) body_ += fmt::format("<figcaption>{}</figcaption>", escape_html(caption));
  body_ += "</figure>\n";
  charts_.emplace_back(std::move(id), std::move(spec));
}

void Page::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 const std::vector<bool>& numeric, std::string_view css_class) {
  auto num = [&](size_t i) { return i < numeric.size() && numeric[i]; };
  body_ += css_class.empty() ? "<table>\n<thead><tr>" : fmt::format("<table class=\"{}\">\n<thead><tr>", css_class);
  for (size_t i = 0; i < header.size(); ++i) {
    body_ += fmt::format("<th{}>{}</th>", num(i) ? " class=\"num\"" : "", escape_html(header[i]));
  }
  body_ += "</tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    body_ += "<tr>";
    for (size_t i = 0; i < r.size(); ++i) {
      body_ += fmt::format("<td{}>{}</td>", num(i) ? " class=\"num\"" : "", escape_html(r[i]));
    }
    body_ += "</tr>\n";
  }
  body_ += "</tbody></table>\n";
}

void Page::open_section(std::string_view id, std::string_view title) {
  body_ += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", escape_html(id), escape_html(title));
}

void Page::close_section() { body_ += "</section>\n"; }

namespace {

constexpr std::string_view kStyle = R"css(
:root { --ink: #1d2430; --muted: #5b6575; --line: #dde2ea; --accent: #2f6fd0; --bg: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #14213d; color: #fff; padding: 28px 40px 22px; }
header h1 { margin: 0 0 6px; font-size: 24px; }
header .question { margin: 0 0 10px; max-width: 980px; color: #d6deeb; font-size: 15px; }
header .meta { margin: 0; color: #9fb0cc; font-size: 12px; }
main { padding: 8px 40px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 20px 0; padding: 8px 24px 20px; }
h2 { font-size: 18px; margin: 16px 0 12px; }
h3 { font-size: 15px; margin: 18px 0 8px; color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 4px; }
.card { flex: 1 1 180px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: #fbfcfe; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 22px; font-weight: 600; margin: 2px 0; }
.card .note { color: var(--muted); font-size: 12px; }
figure.chart { margin: 12px 0; }
figure.chart figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f0f3f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.assumptions td:nth-child(1) { font-family: ui-monospace, monospace; font-size: 12px; }
.estimate { color: #a15c00; }
.note { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; padding: 0 40px 30px; }
)css";

// Collects script errors and console.error calls before anything else runs.
constexpr std::string_view kErrorProbe = R"js(
window.__fleetsimErrors = [];
window.addEventListener('error', function (e) { window.__fleetsimErrors.push(String(e.message)); });
window.addEventListener('unhandledrejection', function (e) { window.__fleetsimErrors.push(String(e.reason)); });
(function () { var orig = console.error; console.error = function () {
  window.__fleetsimErrors.push(Array.prototype.join.call(arguments, ' ')); return orig.apply(console, arguments); }; })();
)js";

constexpr std::string_view kRender = R"js(
(function () {
  var specs = JSON.parse(document.getElementById('fleetsim-charts').textContent);
  var ids = Object.keys(specs);
  var body = document.body;
  var failed = 0;
  function done(ready) {
    body.setAttribute('data-chart-errors', String(failed));
    body.setAttribute('data-errors', String(window.__fleetsimErrors.length));
    body.setAttribute('data-charts-ready', String(ready));
  }
  Promise.all(ids.map(function (id) {
    return vegaEmbed('#' + id, specs[id], { renderer: 'svg', actions: false })
      .then(function () { return 1; })
      .catch(function (e) { failed += 1; window.__fleetsimErrors.push(String(e)); return 0; });
  })).then(function (ok) { done(ok.reduce(function (a, b) { return a + b; }, 0)); });
})();
)js";

}  // namespace

std::string Page::render(const Json& data) const {
  Json specs = Json::object();
  for (const auto& [id, spec] : charts_) specs[id] = spec;
  std::string out;
  out.reserve(assets::vega_js.size() + assets::vega_lite_js.size() + assets::vega_embed_js.size() + body_.size() +
              64 * 1024);
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>{}</title>\n", escape_html(title_));
  out += "<style>";
  out += kStyle;
  out += "</style>\n<script>";
  out += kErrorProbe;
  out += "</script>\n";
  out += "<!-- Vega, Vega-Lite and Vega-Embed (BSD-3-Clause), embedded so the report works offline.\n";
  std::string license = escape_html(assets::vega_license);
  for (size_t p = license.find("--"); p != std::string::npos; p = license.find("--", p)) license.replace(p, 2, "- -");
  out += license;
  out += "\n-->\n<script>";
  out += assets::vega_js;
  out += "</script>\n<script>";
  out += assets::vega_lite_js;
  out += "</script>\n<script>";
  out += assets::vega_embed_js;
  out += "</script>\n</head>\n";
  out += fmt::format("<body data-charts=\"{}\" data-charts-ready=\"0\">\n", charts_.size());
  out += body_;
  out += "<script type=\"application/json\" id=\"fleetsim-result\">";
  out += json_for_script(data);
  out += "</script>\n<script type=\"application/json\" id=\"fleetsim-charts\">";
  out += json_for_script(specs);
  out += "</script>\n<script>";
  out += kRender;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace fleetsim::report
