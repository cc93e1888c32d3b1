// fleetsim tco <scenario>: the fleet's bill of materials, cash flows, TCO, loaded cost per
// GPU-hour against rental, workloads priced, and the sensitivity of it all (docs/cost.md).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/atomic_file.h"
#include "cost/analysis.h"
#include "plan/run.h"
#include "report/csv.h"
#include "report/terminal.h"
#include "scenario/scenario.h"

namespace fleetsim::cli {

namespace {

struct TcoArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string csv;
  TableOutput output;
  bool bom = false;
  bool inputs = false;
  int top = 12;
};

// What the tables show besides the section: the title, the flags, and each input's unit.
report::TcoView view_of(const scenario::Scenario& s, const cost::TcoAnalysis& a, const TcoArgs& args) {
  report::TcoView v;
  v.title = fmt::format("{}\n{} (hash {})\n", s.fleet->name.empty() ? s.name : s.fleet->name, s.file, s.hash);
  v.top = static_cast<std::size_t>(args.top);
  v.bom = args.bom;
  v.inputs = args.inputs;
  for (const auto& x : a.input_list) v.dims.emplace(x.key, x.dim);
  return v;
}

// The header, the tco section and the fleet's and hardware's input figures.
result::Document result_document(const scenario::Scenario& s, const cost::TcoAnalysis& a) {
  result::Document doc = plan::document_header(s);
  doc.tco = cost::tco_section(a);
  doc.assumptions = plan::assumptions(s, {"fleet.", "hardware."});
  return doc;
}

}  // namespace

void add_tco_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<TcoArgs>();
  auto* cmd = app.add_subcommand("tco", "Fleet TCO: bill of materials, cash flows, loaded $/GPU-hour against rental, "
                                        "workloads priced, sensitivity");
  cmd->add_option("scenario", args->scenario, "Scenario file with a fleet section, or a shipped scenario's name")
      ->required();
  add_set_option(cmd, args->sets);
  args->output.add_to(cmd, "the result document (tco section and assumptions)");
  cmd->add_option("--csv", args->csv, "Also write one row per year and category to this CSV file");
  cmd->add_flag("--bom", args->bom, "Show every line of the bill of materials");
  cmd->add_flag("--inputs", args->inputs, "Show every input of the cost model with its range and source");
  cmd->add_option("--top", args->top, "Sensitivity rows to show")->check(CLI::PositiveNumber);
  cmd->callback([args, &ctx] {
    const auto s = ctx.load_scenario(args->scenario, args->sets);
    const auto a = cost::analyse_fleet(s);
    const result::Document doc = result_document(s, a);
    if (!args->csv.empty()) core::write_file_atomically(args->csv, report::tco_csv(*doc.tco));
    args->output.emit([&] { return result::to_json(doc).dump(2) + "\n"; },
                      [&] { return report::tco_tables(*doc.tco, view_of(s, a, *args)); });
  });
}

}  // namespace fleetsim::cli
