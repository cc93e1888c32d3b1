// A request trace: one day of requests to replay through a serving fleet instead of drawing them
// from the scenario's distributions (`serving.traffic.trace`), and the same format written back
// (`fleetsim serve --export-requests`), so a synthetic day can be edited and replayed.
//
// Format: CSV with a header row; one request a row, columns by name (case and surrounding
// spaces ignored, quotes allowed):
//
//   arrival_s       seconds from the start of the day, 0 <= t < 86400   (alias: timestamp)
//   input_tokens    prompt tokens, >= 1                  (aliases: request tokens, context_tokens)
//   output_tokens   generated tokens, >= 0; 0 = prefill only, as a failed request
//                                                         (aliases: response tokens, generated_tokens)
//   cached_tokens   optional: prompt tokens served from the prefix cache, <= input_tokens;
//                   without the column the scenario's cache_hit_rate applies to every prompt
//
// Other columns (ids, model names) are kept out and listed in RequestTrace::ignored_columns,
// which the result document reports. Rows need not be sorted (they are, stably, by arrival).
// Every malformed cell is a core::InputError naming file, line and column.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "scenario/serving_spec.h"

namespace fleetsim::serve {

struct TraceRequest {
  double arrival_s = 0;
  double input = 0;   // prompt tokens
  double output = 0;  // generated tokens
  double cached = 0;  // prompt tokens from the prefix cache (0 without the column)
};

struct RequestTrace {
  std::string path;
  std::vector<TraceRequest> rows;  // by arrival
  bool has_cached = false;
  std::vector<std::string> ignored_columns;
};

// Parses `path`; `field` names the scenario field in errors ("serving.traffic.trace").
RequestTrace parse_trace(const std::string& path, const std::string& text, const std::string& field);

// Reads and parses the file (a core::InputError at `where` when it cannot be read). Loaded
// traces are kept by path, modification time and size: the capacity planner builds many
// services over one scenario.
std::shared_ptr<const RequestTrace> load_trace(const std::string& path, const core::SourceLocation& where,
                                               const std::string& field);
// The trace a scenario's traffic names (scenario::trace_path), errors at its `trace` field.
std::shared_ptr<const RequestTrace> load_trace(const scenario::TrafficSpec& traffic);

// The CSV of `rows` in the format above, cached_tokens included.
std::string trace_csv(const std::vector<TraceRequest>& rows);

}  // namespace fleetsim::serve
