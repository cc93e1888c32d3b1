// Vega-Lite specs for the report's charts, built from plain data. Values are plotted in the units
// given (the caller scales them), so axis titles carry the unit.
#pragma once

#include <string>
#include <vector>

#include "core/schema.h"

namespace fleetsim::report {

using core::Json;

struct Bar {
  std::string label;
  double value = 0;
  std::string group;  // stack or colour group; empty for none
};

// Horizontal bars (one per label), coloured by group when given.
Json bar_chart(const std::vector<Bar>& bars, const std::string& value_title, const std::string& title);
// Bars stacked by group along one category axis (x: label), e.g. capex/opex by year.
Json stacked_columns(const std::vector<Bar>& bars, const std::string& category_title,
                     const std::string& value_title, const std::string& title);
// One horizontal bar split into parts (a step's time: compute, exposed communication, bubble).
Json split_bar(const std::vector<Bar>& parts, const std::string& value_title, const std::string& title);

struct Span {
  std::string lane;  // "GPU 0 compute"
  std::string name;
  std::string kind;  // colour group
  double start = 0;
  double end = 0;
};
// A Gantt timeline of spans.
Json timeline(const std::vector<Span>& spans, const std::string& time_title, const std::string& title);

struct Swing {
  std::string input;
  double low = 0;   // result with the input at its low value
  double high = 0;  // ... at its high value
};
// A tornado: bars from low to high around the base value, sorted as given.
Json tornado(const std::vector<Swing>& swings, double base, const std::string& value_title, const std::string& title);

struct Point {
  std::string label;
  double x = 0;
  double y = 0;
  bool front = false;  // on the Pareto front
};
// A scatter of all points with the Pareto front drawn as a line.
Json pareto_scatter(const std::vector<Point>& points, const std::string& x_title, const std::string& y_title,
                    const std::string& title);

// A line chart of series over x (e.g. nodes over the hours of a day).
struct SeriesPoint {
  std::string series;
  double x = 0;
  double y = 0;
};
Json line_chart(const std::vector<SeriesPoint>& points, const std::string& x_title, const std::string& y_title,
                const std::string& title);

}  // namespace fleetsim::report
