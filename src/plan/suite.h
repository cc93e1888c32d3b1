// The public validation suite (docs/validation.md): published training and serving measurements
// of other people's clusters (../shared/validation.md), each a row that names a scenario, the
// overrides that make it the published configuration, the published figure and its tolerance.
// fleetsim predicts each row with the analytic engines and reports the error.
//
//   suite file (scenarios/validation/suite.yaml): families (id, title, note) and rows
//     {id, family, source, scenario, set, metric, published, tolerance, flops, gpus, concurrency,
//      assumptions, note} or {id, family, source, published, tolerance, not_expressible}.
//   error = (predicted - published) / published; a row is within when |error| <= tolerance.
//
// Metrics, each from one call of the training or serving model (no constant is fitted to a row):
//   tokens_per_s_per_gpu         train::RunResult::step.tokens_per_s_per_gpu (main stage, full batch);
//   tflops_per_gpu               tokens/s/GPU x the source's FLOPs per token (`flops`), so fleetsim is
//                                compared under the source's FLOP definition:
//                                  megatron-eq3: 96 l h^2 (1 + s / 6h + V / 16 l h) per token
//                                    (Megatron SC'21 eq. 3, recomputation's extra forward counted);
//                                    GPT-3 175B at s 2048: 96 x 96 x 12288^2 x 1.0305 = 1.434 TFLOP
//                                    a token;
//                                  6n-attention: 6 N + 12 l h s (N: all parameters, embeddings
//                                    included; torchtitan's and llm-foundry's count);
//   prefill_tokens_per_s_per_node  the prefill unit's input tokens/s per node at its batch limit;
//   decode_tokens_per_s_per_node   the decode unit's output tokens/s per node at its batch limit;
//   offline_output_tokens_per_s  a colocated unit working through a queue of identical requests
//                                (I input, O output tokens), prefill and decode taking turns:
//                                per node 1 / (1 / D + (I / O) / P), D and P the unit's decode
//                                and prefill tokens/s per node at capacity; times `gpus` / GPUs
//                                per node for the published system. D = 10,000, P = 40,000,
//                                I = O: 1 / (1e-4 + 2.5e-5) = 8,000 output tokens/s per node;
//   closed_loop_output_tokens_per_s  `concurrency` clients on one attention group, each sending
//                                its next request when the last one ends: in one round the group
//                                prefills c prompts one at a time and runs O decode steps of c
//                                requests, c O / (c t_p(I) + O t_d(c, K)), K = I + (O + 1) / 2;
//                                c is capped at the requests of K tokens the group's KV cache
//                                holds (the others queue).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "calib/table.h"
#include "core/schema.h"
#include "scenario/data.h"

namespace fleetsim::plan {

enum class SuiteMetric {
  tokens_per_s_per_gpu,
  tflops_per_gpu,
  prefill_tokens_per_s_per_node,
  decode_tokens_per_s_per_node,
  offline_output_tokens_per_s,
  closed_loop_output_tokens_per_s,
};
std::string_view suite_metric_name(SuiteMetric m);
// The unit a metric is published in ("tokens/s/GPU").
std::string_view suite_metric_unit(SuiteMetric m);

enum class FlopCount { megatron_eq3, six_n_attention };

struct SuiteFamily {
  std::string id, title, note;
  core::Provenance provenance;
};

struct SuiteRow {
  std::string id, family, source;
  std::string scenario;           // relative to the suite file; empty when not expressible
  std::vector<std::string> set;   // --set overrides of the scenario
  SuiteMetric metric = SuiteMetric::tokens_per_s_per_gpu;
  double published = 0;
  double tolerance = 0;           // relative (0.1 = 10%)
  FlopCount flops = FlopCount::megatron_eq3;  // tflops_per_gpu only
  int gpus = 0;                   // offline_output_tokens_per_s: GPUs of the published system
  int concurrency = 0;            // closed_loop_output_tokens_per_s: clients
  std::string not_expressible;    // what fleetsim lacks to express the row; the row is listed, not run
  std::vector<std::string> assumptions;  // what the source leaves out, each with its reason
  std::string note;
  core::Provenance provenance;
};

struct SuiteSpec {
  std::string file;
  std::string name;
  std::vector<SuiteFamily> families;
  std::vector<SuiteRow> rows;
};

const core::Schema<SuiteSpec>& suite_schema();

// Reads a suite file. Throws core::InputError naming file, line and field: an unknown key, a
// row of an undeclared family, a duplicate id, a row with neither a scenario nor a reason it is
// not expressible, a metric's missing parameter.
SuiteSpec load_suite(const std::filesystem::path& file);

enum class RowStatus { within, outside, failed, not_expressible };
std::string_view row_status_name(RowStatus s);

struct SuiteRowResult {
  std::string id, family;
  RowStatus status = RowStatus::not_expressible;
  std::optional<double> predicted;
  std::optional<double> error;  // (predicted - published) / published
  std::string message;          // failed: fleetsim's error; not expressible: what is missing
};

struct SuiteFamilyStats {
  std::string family, title;
  int rows = 0, predicted = 0, within = 0;
  // Over the rows with a prediction (0 when none): |error| median and worst, signed mean.
  double median_abs_error = 0, worst_abs_error = 0, mean_error = 0;
};

struct SuiteResult {
  std::vector<SuiteRowResult> rows;  // in suite order
  std::vector<SuiteFamilyStats> families;
  SuiteFamilyStats all;  // every family together
};

// Predicts every row (rows in parallel on `threads`; the result does not depend on it). A row
// whose scenario fleetsim rejects (an out-of-memory layout, an impossible unit) is `failed`
// with the message, never dropped.
SuiteResult run_suite(const SuiteSpec& spec, const scenario::Catalogs& catalogs,
                      const calib::CalibrationSet& calibration, unsigned threads = 1);

// {"suite", "rows": [{id, family, metric, unit, published, tolerance, status, predicted, error,
// message}], "families": [...]}: the baseline file's format.
core::Json suite_json(const SuiteSpec& spec, const SuiteResult& r);

// Rows that were within their tolerance in `baseline` (a suite_json document) and are not now,
// or that the suite no longer lists: one line each, expected against actual.
std::vector<std::string> suite_regressions(const SuiteResult& r, const core::Json& baseline);

// docs/validation.md: the families, the per-family error distribution, the row table and the
// chart (`svg_name`, relative to the markdown file).
std::string suite_markdown(const SuiteSpec& spec, const SuiteResult& r, const std::string& svg_name);
// A figure with four significant digits and no exponent (15220, 597.3, 51.67), as the suite
// prints published and predicted values.
std::string format_suite_figure(double v);

// A horizontal bar chart of each predicted row's signed error with its tolerance band.
std::string suite_svg(const SuiteSpec& spec, const SuiteResult& r);

}  // namespace fleetsim::plan
