#include "plan/suite.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/config.h"
#include "core/error.h"
#include "core/names.h"
#include "core/thread_pool.h"
#include "model/analytics.h"
#include "scenario/scenario.h"
#include "serve/estimate.h"
#include "train/train.h"

namespace fleetsim::plan {

using core::Dim;

namespace {

// The names the suite file reads and the JSON writes, one table per enum (core/names.h).
constexpr core::NameTable<SuiteMetric, 6> kMetrics(
    {{SuiteMetric::tokens_per_s_per_gpu, "tokens_per_s_per_gpu"},
     {SuiteMetric::tflops_per_gpu, "tflops_per_gpu"},
     {SuiteMetric::prefill_tokens_per_s_per_node, "prefill_tokens_per_s_per_node"},
     {SuiteMetric::decode_tokens_per_s_per_node, "decode_tokens_per_s_per_node"},
     {SuiteMetric::offline_output_tokens_per_s, "offline_output_tokens_per_s"},
     {SuiteMetric::closed_loop_output_tokens_per_s, "closed_loop_output_tokens_per_s"}});
constexpr core::NameTable<FlopCount, 2> kFlops(
    {{FlopCount::megatron_eq3, "megatron-eq3"}, {FlopCount::six_n_attention, "6n-attention"}});
constexpr core::NameTable<RowStatus, 4> kStatuses({{RowStatus::within, "within"},
                                                   {RowStatus::outside, "outside"},
                                                   {RowStatus::failed, "failed"},
                                                   {RowStatus::not_expressible, "not expressible"}});

}  // namespace

std::string_view suite_metric_name(SuiteMetric m) { return kMetrics.name_of(m); }

std::string_view suite_metric_unit(SuiteMetric m) {
  switch (m) {
    case SuiteMetric::tokens_per_s_per_gpu: return "tokens/s/GPU";
    case SuiteMetric::tflops_per_gpu: return "TFLOP/s/GPU";
    case SuiteMetric::prefill_tokens_per_s_per_node: return "input tokens/s/node";
    case SuiteMetric::decode_tokens_per_s_per_node: return "output tokens/s/node";
    case SuiteMetric::offline_output_tokens_per_s: return "output tokens/s (system)";
    case SuiteMetric::closed_loop_output_tokens_per_s: return "output tokens/s (system)";
  }
  return "?";
}

std::string_view row_status_name(RowStatus s) { return kStatuses.name_of(s); }

namespace {

const core::Schema<SuiteFamily>& family_schema() {
  static const auto s = core::Schema<SuiteFamily>("suite_family", "A family of rows: one source or one kind of run.")
                            .provenance(&SuiteFamily::provenance)
                            .text("id", &SuiteFamily::id, "Family id the rows name.")
                            .text("title", &SuiteFamily::title, "What the family measures, and where from.")
                            .text("note", &SuiteFamily::note, "The source's FLOP definition and caveats.", "");
  return s;
}

const core::Schema<SuiteRow>& row_schema() {
  static const auto s =
      core::Schema<SuiteRow>("suite_row", "One published measurement and the scenario that reproduces it.")
          .provenance(&SuiteRow::provenance)
          .text("id", &SuiteRow::id, "The row's id in ../shared/validation.md (TD-01, TM-03, SV-07 ...).")
          .text("family", &SuiteRow::family, "A family id of the suite's families.")
          .text("source", &SuiteRow::source, "Where the published figure comes from.")
          .text("scenario", &SuiteRow::scenario, "Scenario file, relative to the suite file.", "")
          .texts("set", &SuiteRow::set, "Overrides (path=value) that make the scenario this row's configuration.")
          .choice("metric", &SuiteRow::metric, kMetrics.options(),
                  "What the source publishes (see src/plan/suite.h).", SuiteMetric::tokens_per_s_per_gpu)
          .quantity("published", &SuiteRow::published, Dim::count, "The published figure, in the metric's unit.",
                    core::positive())
          .quantity("tolerance", &SuiteRow::tolerance, Dim::fraction,
                    "Relative tolerance the validation set gives the row (10%).", core::positive())
          .choice("flops", &SuiteRow::flops, kFlops.options(),
                  "tflops_per_gpu: the source's FLOPs per token.", FlopCount::megatron_eq3)
          .integer("gpus", &SuiteRow::gpus, "offline_output_tokens_per_s: GPUs of the published system.",
                   core::at_least(0), 0)
          .integer("concurrency", &SuiteRow::concurrency, "closed_loop_output_tokens_per_s: concurrent clients.",
                   core::at_least(0), 0)
          .text("not_expressible", &SuiteRow::not_expressible,
                "What fleetsim lacks to express the row (the row is listed, not run).", "")
          .texts("assumptions", &SuiteRow::assumptions, "What the source leaves out, each with its reason.")
          .text("note", &SuiteRow::note, "Secondary published figures and caveats.", "")
          .check([](const core::ConfigNode& n, SuiteRow& r) {
            if (r.scenario.empty() == r.not_expressible.empty()) {
              n.fail("give exactly one of 'scenario' (the row runs) or 'not_expressible' (what fleetsim lacks)");
            }
            if (r.scenario.empty()) return;
            if (r.metric == SuiteMetric::offline_output_tokens_per_s && r.gpus <= 0) {
              n.fail_at("gpus", "offline_output_tokens_per_s needs 'gpus', the published system's GPUs");
            }
            if (r.metric == SuiteMetric::closed_loop_output_tokens_per_s && r.concurrency <= 0) {
              n.fail_at("concurrency", "closed_loop_output_tokens_per_s needs 'concurrency', the clients");
            }
          });
  return s;
}

}  // namespace

const core::Schema<SuiteSpec>& suite_schema() {
  static const auto s =
      core::Schema<SuiteSpec>("suite", "The public validation suite: published measurements and their scenarios.")
          .text("name", &SuiteSpec::name, "Title of the suite.")
          .list("families", &SuiteSpec::families, family_schema(), "Families of rows, in the order reported.")
          .list("rows", &SuiteSpec::rows, row_schema(), "The rows, in the order reported.")
          .check([](const core::ConfigNode& n, SuiteSpec& spec) {
            std::set<std::string> families, ids;
            for (const auto& f : spec.families) {
              if (!families.insert(f.id).second) n.fail_at("families", fmt::format("family '{}' is declared twice", f.id));
            }
            const auto rows = n.entries();
            for (const auto& [key, child] : rows) {
              if (key != "rows") continue;
              const auto elements = child.elements();
              for (size_t i = 0; i < spec.rows.size(); ++i) {
                const auto& r = spec.rows[i];
                if (!families.count(r.family)) {
                  elements[i].fail_at("family", fmt::format("family '{}' is not among the suite's families", r.family));
                }
                if (!ids.insert(r.id).second) elements[i].fail_at("id", fmt::format("row '{}' is listed twice", r.id));
              }
            }
          });
  return s;
}

SuiteSpec load_suite(const std::filesystem::path& file) {
  const core::ConfigDoc doc = core::ConfigDoc::load_file(file);
  SuiteSpec spec = suite_schema().parse(doc.root());
  spec.file = file.string();
  return spec;
}

namespace {

// FLOPs per trained token under a source's definition (see suite.h).
double source_flops_per_token(const model::ModelSpec& m, int64_t seq, FlopCount f) {
  const double l = m.layers, h = m.hidden, s = static_cast<double>(seq), v = m.vocab;
  switch (f) {
    case FlopCount::megatron_eq3: return 96 * l * h * h * (1 + s / (6 * h) + v / (16 * l * h));
    case FlopCount::six_n_attention: return 6 * model::count_params(m).total + 12 * l * h * s;
  }
  return 0;
}

double predict_training(const SuiteRow& row, const scenario::Scenario& s, const calib::CalibrationSet& calibration) {
  if (!s.training) throw core::InputError(fmt::format("{}: the scenario has no training section", s.file));
  const train::Trainer trainer(s, *s.training, calibration);
  const train::RunResult r = trainer.run(train::EngineKind::analytic, false);
  const double tps = r.step.tokens_per_s_per_gpu;
  if (row.metric == SuiteMetric::tokens_per_s_per_gpu) return tps;
  return tps * source_flops_per_token(trainer.model(), r.step.seq_len, row.flops) / 1e12;
}

double predict_serving(const SuiteRow& row, const scenario::Scenario& s, const calib::CalibrationSet& calibration) {
  if (!s.serving) throw core::InputError(fmt::format("{}: the scenario has no serving section", s.file));
  const serve::ServingModel m(s, *s.serving, calibration);
  const serve::ServingEstimate e = m.estimate();
  if (!e.feasible && !e.infeasible.empty()) throw core::InputError(e.infeasible.front().to_string());
  const auto need = [&](const std::optional<serve::RoleCapacity>& c, const char* role) -> const serve::RoleCapacity& {
    if (!c) throw core::InputError(fmt::format("{}: the service has no {} capacity", s.file, role));
    return *c;
  };
  const serve::Traffic& tr = m.traffic();
  switch (row.metric) {
    case SuiteMetric::prefill_tokens_per_s_per_node: return need(e.prefill, "prefill").tokens_per_s_per_node;
    case SuiteMetric::decode_tokens_per_s_per_node: return need(e.decode, "decode").tokens_per_s_per_node;
    case SuiteMetric::offline_output_tokens_per_s: {
      const double d = need(e.decode, "decode").tokens_per_s_per_node;
      const double p = need(e.prefill, "prefill").tokens_per_s_per_node;
      const double per_node = 1 / (1 / d + (tr.mean_input / tr.mean_output) / p);
      return per_node * row.gpus / e.gpus_per_node;
    }
    case SuiteMetric::closed_loop_output_tokens_per_s: {
      const serve::UnitModel& u = m.decode_unit();
      const double in = tr.mean_input, out = tr.mean_output, kv_len = in + (out + 1) / 2;
      // Clients beyond what the group's KV cache holds wait for a slot: they add latency, not throughput.
      const double c = std::max(1.0, std::min<double>(row.concurrency, std::floor(u.kv_tokens_per_group() / kv_len)));
      const double t_prefill = u.prefill_pass(std::max(1.0, in / u.spec().attention_tp), in, 0).seconds;
      const double t_decode = u.decode_step(c, kv_len).seconds;
      return c * out / (c * t_prefill + out * t_decode);
    }
    default: break;
  }
  throw core::InternalError("a training metric on a serving row");
}

bool is_training(SuiteMetric m) { return m == SuiteMetric::tokens_per_s_per_gpu || m == SuiteMetric::tflops_per_gpu; }

SuiteRowResult run_row(const SuiteSpec& spec, const SuiteRow& row, const scenario::Catalogs& catalogs,
                       const calib::CalibrationSet& calibration) {
  SuiteRowResult out;
  out.id = row.id;
  out.family = row.family;
  if (!row.not_expressible.empty()) {
    out.status = RowStatus::not_expressible;
    out.message = row.not_expressible;
    return out;
  }
  try {
    const auto path = std::filesystem::path(spec.file).parent_path() / row.scenario;
    const scenario::Scenario s = scenario::load_scenario(path, catalogs, row.set);
    const double v = is_training(row.metric) ? predict_training(row, s, calibration) : predict_serving(row, s, calibration);
    out.predicted = v;
    out.error = (v - row.published) / row.published;
    out.status = std::abs(*out.error) <= row.tolerance + 1e-12 ? RowStatus::within : RowStatus::outside;
  } catch (const core::InputError& err) {
    out.status = RowStatus::failed;
    out.message = err.what();
  }
  return out;
}

SuiteFamilyStats stats_of(std::string family, std::string title, const std::vector<const SuiteRowResult*>& rows) {
  SuiteFamilyStats st{std::move(family), std::move(title)};
  std::vector<double> abs_errors;
  double sum = 0;
  for (const auto* r : rows) {
    ++st.rows;
    if (!r->error) continue;
    ++st.predicted;
    st.within += r->status == RowStatus::within;
    abs_errors.push_back(std::abs(*r->error));
    sum += *r->error;
  }
  if (abs_errors.empty()) return st;
  std::sort(abs_errors.begin(), abs_errors.end());
  const size_t n = abs_errors.size();
  st.median_abs_error = n % 2 ? abs_errors[n / 2] : (abs_errors[n / 2 - 1] + abs_errors[n / 2]) / 2;
  st.worst_abs_error = abs_errors.back();
  st.mean_error = sum / static_cast<double>(n);
  return st;
}

}  // namespace

SuiteResult run_suite(const SuiteSpec& spec, const scenario::Catalogs& catalogs,
                      const calib::CalibrationSet& calibration, unsigned threads) {
  SuiteResult r;
  r.rows.resize(spec.rows.size());
  core::parallel_for(spec.rows.size(), std::max(1u, threads),
                     [&](size_t i) { r.rows[i] = run_row(spec, spec.rows[i], catalogs, calibration); });
  std::vector<const SuiteRowResult*> all;
  for (const auto& row : r.rows) all.push_back(&row);
  for (const auto& f : spec.families) {
    std::vector<const SuiteRowResult*> mine;
    for (const auto& row : r.rows) {
      if (row.family == f.id) mine.push_back(&row);
    }
    r.families.push_back(stats_of(f.id, f.title, mine));
  }
  r.all = stats_of("all", "every family", all);
  return r;
}

namespace {

core::Json stats_json(const SuiteFamilyStats& f) {
  return core::Json{{"family", f.family},
                    {"rows", f.rows},
                    {"predicted", f.predicted},
                    {"within", f.within},
                    {"median_abs_error", f.median_abs_error},
                    {"worst_abs_error", f.worst_abs_error},
                    {"mean_error", f.mean_error}};
}

}  // namespace

core::Json suite_json(const SuiteSpec& spec, const SuiteResult& r) {
  core::Json rows = core::Json::array();
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const auto& row = spec.rows[i];
    const auto& res = r.rows[i];
    core::Json j{{"id", row.id},
                 {"family", row.family},
                 {"metric", suite_metric_name(row.metric)},
                 {"unit", suite_metric_unit(row.metric)},
                 {"published", row.published},
                 {"tolerance", row.tolerance},
                 {"status", row_status_name(res.status)}};
    j["predicted"] = res.predicted ? core::Json(*res.predicted) : core::Json();
    j["error"] = res.error ? core::Json(*res.error) : core::Json();
    j["message"] = res.message;
    rows.push_back(std::move(j));
  }
  core::Json families = core::Json::array();
  for (const auto& f : r.families) families.push_back(stats_json(f));
  return core::Json{{"suite", spec.name}, {"rows", rows}, {"families", families}, {"all", stats_json(r.all)}};
}

std::vector<std::string> suite_regressions(const SuiteResult& r, const core::Json& baseline) {
  std::map<std::string, const SuiteRowResult*> now;
  for (const auto& row : r.rows) now[row.id] = &row;
  std::vector<std::string> out;
  if (!baseline.contains("rows") || !baseline["rows"].is_array()) {
    throw core::InputError("the baseline has no 'rows' list: expected a `fleetsim validate-suite --json` document");
  }
  for (const auto& b : baseline["rows"]) {
    const std::string id = b.value("id", "");
    const std::string was = b.value("status", "");
    const auto it = now.find(id);
    if (it == now.end()) {
      out.push_back(fmt::format("{}: in the baseline ({}) but no longer in the suite: rows are never dropped", id, was));
      continue;
    }
    if (was != row_status_name(RowStatus::within) || it->second->status == RowStatus::within) continue;
    const double pub = b.value("published", 0.0), tol = b.value("tolerance", 0.0);
    const std::string expected =
        b["error"].is_number()
            ? fmt::format("within ±{:.0f}% of {:g} (baseline {:+.1f}%)", 100 * tol, pub, 100 * b["error"].get<double>())
            : fmt::format("within ±{:.0f}% of {:g}", 100 * tol, pub);
    const std::string actual = it->second->error ? fmt::format("{} at {:+.1f}% (predicted {:g})",
                                                               row_status_name(it->second->status),
                                                               100 * *it->second->error, *it->second->predicted)
                                                 : fmt::format("{}: {}", row_status_name(it->second->status),
                                                               it->second->message);
    out.push_back(fmt::format("{}: expected {}, got {}", id, expected, actual));
  }
  return out;
}

}  // namespace fleetsim::plan
