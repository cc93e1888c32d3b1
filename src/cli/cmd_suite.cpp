// fleetsim validate-suite [suite]: every row of the public validation suite (docs/validation.md)
// predicted next to its published figure with the error and the tolerance. --json writes the
// rows (the baseline's format), --write-doc the markdown page and its SVG chart, --baseline
// compares with a committed run: exit 1 when a row that was within its tolerance has left it.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/table.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "plan/suite.h"

namespace fleetsim::cli {

namespace {

std::string render(const plan::SuiteSpec& spec, const plan::SuiteResult& r) {
  using plan::format_suite_figure;
  Table t({"row", "family", "published", "predicted", "error", "tolerance", "status"});
  std::vector<std::string> messages;
  for (size_t i = 0; i < spec.rows.size(); ++i) {
    const auto& row = spec.rows[i];
    const auto& res = r.rows[i];
    if (!res.message.empty()) messages.push_back(fmt::format("{}: {}", row.id, res.message));
    t.row({row.id, row.family, fmt::format("{} {}", format_suite_figure(row.published), plan::suite_metric_unit(row.metric)),
           res.predicted ? format_suite_figure(*res.predicted) : "-",
           res.error ? fmt::format("{:+.1f}%", 100 * *res.error) : "-", fmt::format("±{:.0f}%", 100 * row.tolerance),
           std::string(plan::row_status_name(res.status))});
  }
  t.section("Error by family (over the rows with a prediction)");
  t.row({"family", "rows", "predicted", "within", "median |err|", "worst |err|", "signed mean"});
  auto add = [&](const plan::SuiteFamilyStats& f) {
    t.row({f.family, fmt::format("{}", f.rows), fmt::format("{}", f.predicted), fmt::format("{}", f.within),
           fmt::format("{:.1f}%", 100 * f.median_abs_error), fmt::format("{:.1f}%", 100 * f.worst_abs_error),
           fmt::format("{:+.1f}%", 100 * f.mean_error)});
  };
  for (const auto& f : r.families) add(f);
  add(r.all);
  std::string out = t.render();
  if (!messages.empty()) out += "\nRows not predicted:\n";
  for (const auto& m : messages) out += "  " + m + "\n";
  return out;
}

core::Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw core::InputError(fmt::format("{}: cannot read the baseline", path));
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return core::Json::parse(ss.str());
  } catch (const core::Json::parse_error& e) {
    throw core::InputError(fmt::format("{}: not JSON: {}", path, e.what()));
  }
}

}  // namespace

void add_suite_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string suite = "scenarios/validation/suite.yaml";
    std::string write_doc;
    std::string baseline;
    unsigned threads = 0;
    TableOutput output;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("validate-suite",
                                 "Run the public validation suite: published figures next to fleetsim's, with errors");
  cmd->add_option("suite", a->suite, "Suite file (relative paths from the data directory when not found as given)");
  cmd->add_option("--write-doc", a->write_doc,
                  "Write the markdown page (table, error by family, chart) here; the SVG beside it");
  cmd->add_option("--baseline", a->baseline,
                  "A committed --json run: exit 1 when a row within its tolerance there is not now");
  cmd->add_option("-j,--threads", a->threads, "Threads (0: all cores); the result is the same for any number");
  a->output.add_to(cmd, "every row and the error by family (the baseline's format)");
  cmd->callback([a, &ctx] {
    std::filesystem::path file = a->suite;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && file.is_relative()) file = ctx.paths().root / file;
    const plan::SuiteSpec spec = plan::load_suite(file);
    const unsigned threads = a->threads ? a->threads : core::hardware_threads();
    const plan::SuiteResult r = plan::run_suite(spec, ctx.catalogs(), ctx.calibration(), threads);
    if (!a->write_doc.empty()) {
      const std::filesystem::path md = a->write_doc;
      const std::filesystem::path svg = std::filesystem::path(md).replace_extension(".svg");
      core::write_file_atomically(svg, plan::suite_svg(spec, r));
      core::write_file_atomically(md, plan::suite_markdown(spec, r, svg.filename().string()));
    }
    a->output.emit([&] { return plan::suite_json(spec, r).dump(2) + "\n"; }, [&] { return render(spec, r); });
    if (!a->baseline.empty()) {
      const auto lines = plan::suite_regressions(r, read_json(a->baseline));
      for (const auto& l : lines) std::fprintf(stderr, "fleetsim: regression: %s\n", l.c_str());
      if (!lines.empty()) {
        std::fflush(stdout);
        std::exit(1);
      }
    }
  });
}

}  // namespace fleetsim::cli
