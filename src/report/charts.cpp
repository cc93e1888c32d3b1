#include "report/charts.h"

namespace fleetsim::report {

namespace {

constexpr const char* kSchema = "https://vega.github.io/schema/vega-lite/v6.json";  // never fetched

Json base(const std::string& title, int width = 640) {
  Json s = Json::object();
  s["$schema"] = kSchema;
  s["title"] = title;
  s["width"] = width;
  s["config"] = {{"font", "system-ui, sans-serif"}, {"axis", {{"labelFontSize", 11}, {"titleFontSize", 12}}},
                 {"legend", {{"labelFontSize", 11}}}, {"view", {{"stroke", nullptr}}}};
  return s;
}

Json values(const std::vector<Bar>& bars) {
  Json v = Json::array();
  for (size_t i = 0; i < bars.size(); ++i) {
    v.push_back({{"label", bars[i].label}, {"value", bars[i].value}, {"group", bars[i].group}, {"order", i}});
  }
  return v;
}

}  // namespace

Json bar_chart(const std::vector<Bar>& bars, const std::string& value_title, const std::string& title) {
  Json s = base(title);
  s["height"] = std::max<size_t>(60, bars.size() * 22);
  s["data"] = {{"values", values(bars)}};
  s["mark"] = {{"type", "bar"}, {"tooltip", true}};
  s["encoding"] = {{"y", {{"field", "label"}, {"type", "nominal"}, {"sort", {{"field", "order"}}}, {"title", nullptr}}},
                   {"x", {{"field", "value"}, {"type", "quantitative"}, {"title", value_title}}},
                   {"color", {{"field", "group"}, {"type", "nominal"}, {"title", nullptr}}}};
  return s;
}

Json stacked_columns(const std::vector<Bar>& bars, const std::string& category_title, const std::string& value_title,
                     const std::string& title) {
  Json s = base(title);
  s["height"] = 280;
  s["data"] = {{"values", values(bars)}};
  s["mark"] = {{"type", "bar"}, {"tooltip", true}};
  s["encoding"] = {{"x", {{"field", "label"}, {"type", "ordinal"}, {"title", category_title}}},
                   {"y", {{"field", "value"}, {"type", "quantitative"}, {"title", value_title}, {"stack", "zero"}}},
                   {"color", {{"field", "group"}, {"type", "nominal"}, {"title", nullptr}}}};
  return s;
}

Json split_bar(const std::vector<Bar>& parts, const std::string& value_title, const std::string& title) {
  Json s = base(title);
  s["height"] = 40;
  s["data"] = {{"values", values(parts)}};
  s["mark"] = {{"type", "bar"}, {"tooltip", true}};
  s["encoding"] = {{"x", {{"field", "value"}, {"type", "quantitative"}, {"title", value_title}, {"stack", "zero"}}},
                   {"color", {{"field", "label"}, {"type", "nominal"}, {"title", nullptr},
                              {"sort", {{"field", "order"}}}}},
                   {"order", {{"field", "order"}}}};
  return s;
}

Json timeline(const std::vector<Span>& spans, const std::string& time_title, const std::string& title) {
  Json v = Json::array();
  std::vector<std::string> lanes;
  for (const auto& sp : spans) {
    v.push_back({{"lane", sp.lane}, {"name", sp.name}, {"kind", sp.kind}, {"start", sp.start}, {"end", sp.end}});
    if (std::find(lanes.begin(), lanes.end(), sp.lane) == lanes.end()) lanes.push_back(sp.lane);
  }
  Json s = base(title, 900);
  s["height"] = std::max<size_t>(80, lanes.size() * 18);
  s["data"] = {{"values", v}};
  s["mark"] = {{"type", "bar"}, {"tooltip", true}};
  s["encoding"] = {{"y", {{"field", "lane"}, {"type", "nominal"}, {"sort", lanes}, {"title", nullptr}}},
                   {"x", {{"field", "start"}, {"type", "quantitative"}, {"title", time_title}}},
                   {"x2", {{"field", "end"}}},
                   {"color", {{"field", "kind"}, {"type", "nominal"}, {"title", nullptr}}}};
  return s;
}

Json tornado(const std::vector<Swing>& swings, double base_value, const std::string& value_title,
             const std::string& title) {
  Json v = Json::array();
  for (size_t i = 0; i < swings.size(); ++i) {
    const auto& w = swings[i];
    v.push_back({{"input", w.input}, {"from", base_value}, {"to", w.low}, {"side", "low"}, {"order", i}});
    v.push_back({{"input", w.input}, {"from", base_value}, {"to", w.high}, {"side", "high"}, {"order", i}});
  }
  Json s = base(title);
  s["height"] = std::max<size_t>(60, swings.size() * 22);
  s["data"] = {{"values", v}};
  s["layer"] = Json::array(
      {{{"mark", {{"type", "bar"}, {"tooltip", true}}},
        {"encoding",
         {{"y", {{"field", "input"}, {"type", "nominal"}, {"sort", {{"field", "order"}}}, {"title", nullptr}}},
          {"x", {{"field", "from"}, {"type", "quantitative"}, {"title", value_title}, {"scale", {{"zero", false}}}}},
          {"x2", {{"field", "to"}}},
          {"color", {{"field", "side"}, {"type", "nominal"}, {"title", nullptr}}}}}},
       {{"mark", {{"type", "rule"}, {"color", "#333"}}},
        {"data", {{"values", Json::array({{{"base", base_value}}})}}},
        {"encoding", {{"x", {{"field", "base"}, {"type", "quantitative"}}}}}}});
  return s;
}

Json pareto_scatter(const std::vector<Point>& points, const std::string& x_title, const std::string& y_title,
                    const std::string& title) {
  Json v = Json::array();
  for (const auto& p : points) v.push_back({{"label", p.label}, {"x", p.x}, {"y", p.y}, {"front", p.front}});
  Json s = base(title);
  s["height"] = 320;
  s["data"] = {{"values", v}};
  Json x = {{"field", "x"}, {"type", "quantitative"}, {"title", x_title}, {"scale", {{"zero", false}}}};
  Json y = {{"field", "y"}, {"type", "quantitative"}, {"title", y_title}, {"scale", {{"zero", false}}}};
  s["layer"] = Json::array(
      {{{"mark", {{"type", "point"}, {"tooltip", {{"content", "data"}}}}},
        {"encoding", {{"x", x}, {"y", y}, {"color", {{"field", "front"}, {"type", "nominal"}, {"title", "Pareto front"}}}}}},
       {{"transform", Json::array({{{"filter", "datum.front"}}})},
        {"mark", {{"type", "line"}, {"point", false}, {"color", "#c0392b"}}},
        {"encoding", {{"x", x}, {"y", y}, {"order", {{"field", "x"}}}}}}});
  return s;
}

Json line_chart(const std::vector<SeriesPoint>& points, const std::string& x_title, const std::string& y_title,
                const std::string& title) {
  Json v = Json::array();
  for (const auto& p : points) v.push_back({{"series", p.series}, {"x", p.x}, {"y", p.y}});
  Json s = base(title);
  s["height"] = 240;
  s["data"] = {{"values", v}};
  s["mark"] = {{"type", "line"}, {"point", true}, {"tooltip", true}};
  s["encoding"] = {{"x", {{"field", "x"}, {"type", "quantitative"}, {"title", x_title}}},
                   {"y", {{"field", "y"}, {"type", "quantitative"}, {"title", y_title}}},
                   {"color", {{"field", "series"}, {"type", "nominal"}, {"title", nullptr}}}};
  return s;
}

}  // namespace fleetsim::report
