#include "plan/run.h"

#include <fmt/format.h>

#include "core/version.h"
#include "cost/analysis.h"
#include "serve/result.h"
#include "train/train.h"

namespace fleetsim::plan {

result::Document document_header(const scenario::Scenario& s) {
  result::Document doc;
  doc.fleetsim = {std::string(core::version()), s.hash, static_cast<std::int64_t>(s.seed)};
  doc.scenario = {s.name, s.question, s.file};
  return doc;
}

std::vector<result::AssumptionRow> assumptions(const scenario::Scenario& s, const std::vector<std::string>& prefixes) {
  std::vector<result::AssumptionRow> out;
  for (const auto& a : scenario::collect_assumptions(s)) {
    bool keep = prefixes.empty();
    for (const auto& p : prefixes) keep = keep || a.path.starts_with(p);
    if (!keep) continue;
    out.push_back({a.path, a.value, a.source, a.estimate, a.defaulted, std::nullopt});
    if (!a.note.empty()) out.back().note = a.note;
  }
  return out;
}

std::vector<result::CalibrationRow> calibration_rows(const scenario::Scenario& s,
                                                     const calib::CalibrationSet& calibration) {
  std::vector<result::CalibrationRow> out;
  for (const auto& [id, gpu] : s.gpus) {
    const auto t = calibration.for_gpu(gpu);
    out.push_back({id, std::string(calib::provenance_name(t.provenance.kind)), t.provenance.source, t.provenance.date,
                   t.provenance.tool});
  }
  return out;
}

namespace {

// Whether the fleet owns GPUs of this kind: a simulated workload enters the TCO only then.
bool fleet_owns(const scenario::Scenario& s, const std::string& gpu) {
  if (!s.fleet) return false;
  for (const auto& t : s.fleet->tranches) {
    if (s.gpu_of_node(t.node).id == gpu) return true;
  }
  return false;
}

}  // namespace

result::Document run_document(const scenario::Scenario& s, const calib::CalibrationSet& calibration,
                              const RunOptions& options) {
  result::Document doc = document_header(s);
  const int parts = (s.training ? 1 : 0) + (s.serving ? 1 : 0) + (s.fleet ? 1 : 0);
  int done = 0;
  if (options.progress) options.progress->begin("scenario parts", parts);
  std::vector<cost::WorkloadUsage> simulated;
  if (s.training) {
    const train::Trainer trainer(s, *s.training, calibration);
    const train::RunResult r = trainer.run(train::EngineKind::analytic, !options.summary_only);
    // train/ still writes its section as JSON; the strict read makes it the typed section.
    doc.training = train::training_section(r, !options.summary_only);
    if (fleet_owns(s, r.gpu)) {
      cost::WorkloadUsage u;
      u.name = fmt::format("{} training run (simulated)", r.model);
      u.kind = scenario::WorkloadKind::training;
      u.gpu = r.gpu;
      u.gpu_hours = r.gpu_hours_total;
      u.tokens = r.tokens_total;
      u.rental_usd_per_hour = r.rental_usd_per_gpu_hour;
      u.source = fmt::format("fleetsim train, analytic engine, scenario {}", s.file);
      u.origin = cost::UsageOrigin::simulated;
      simulated.push_back(std::move(u));
    }
    if (options.progress) options.progress->update(++done);
  }
  if (s.serving) {
    // The event simulation gives the latencies; summary-only runs (sweeps) keep the closed form.
    serve::ServeOptions so;
    so.simulate = !options.summary_only;
    const auto served = serve::serve(s, calibration, so);
    doc.serving = serve::serving_section(served);
    if (fleet_owns(s, served.estimate.gpu)) {
      cost::WorkloadUsage u;
      u.name = s.name + " serving, one simulated day";
      u.kind = scenario::WorkloadKind::serving;
      u.gpu = served.estimate.gpu;
      u.gpu_hours = served.estimate.gpu_hours_per_day;
      u.tokens = served.estimate.traffic.input_tokens_per_day + served.estimate.traffic.output_tokens_per_day;
      u.output_tokens = served.estimate.traffic.output_tokens_per_day;
      u.rental_usd_per_hour = s.serving->rental_usd_per_gpu_hour;
      u.source = "fleetsim serve, scenario " + s.file;
      u.origin = cost::UsageOrigin::simulated;
      simulated.push_back(std::move(u));
    }
    if (options.progress) options.progress->update(++done);
  }
  if (s.fleet) {
    doc.tco = cost::tco_section(cost::analyse_fleet(s, simulated, !options.summary_only));
    if (options.progress) options.progress->update(++done);
  }
  if (options.progress) options.progress->end();
  if (options.summary_only) return doc;
  doc.assumptions = assumptions(s);
  doc.calibration = calibration_rows(s, calibration);
  return doc;
}

core::Json run_scenario(const scenario::Scenario& s, const calib::CalibrationSet& calibration,
                        const RunOptions& options) {
  return result::to_json(run_document(s, calibration, options));
}

}  // namespace fleetsim::plan
