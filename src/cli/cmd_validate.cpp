// fleetsim validate <scenario>: check a scenario file (with overrides) and show what it resolves to.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "scenario/scenario.h"
#include "serve/trace.h"

namespace fleetsim::cli {

void add_validate_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string scenario;
    std::vector<std::string> sets;
    std::string print;
    std::string out;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("validate", "Check a scenario file and print it resolved (YAML or JSON)");
  cmd->add_option("scenario", args->scenario, "Scenario file, or the name of a shipped scenario")->required();
  add_set_option(cmd, args->sets);
  cmd->add_option("--print", args->print, "Print the resolved scenario: yaml or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  cmd->add_option("-o,--output", args->out, "Write the printed scenario to a file");
  cmd->callback([args, &ctx] {
    const auto s = ctx.load_scenario(args->scenario, args->sets);
    if (args->print == "yaml") {
      emit_output(scenario::scenario_to_yaml(s), args->out);
    } else if (args->print == "json") {
      emit_output(scenario::scenario_to_json(s, core::EmitMode::json).dump(2) + "\n", args->out);
    } else {
      std::string sections;
      for (const auto& [name, present] : {std::pair{"training", s.training.has_value()},
                                          std::pair{"serving", s.serving.has_value()},
                                          std::pair{"fleet", s.fleet.has_value()}}) {
        if (present) sections += sections.empty() ? name : std::string(", ") + name;
      }
      std::string trace;
      if (s.serving && !s.serving->traffic.trace.empty()) {
        // The replayed requests are input too: parse them (a malformed cell exits 2 here).
        const auto t = serve::load_trace(s.serving->traffic);
        trace = fmt::format("  trace: {} requests{}\n", t->rows.size(),
                            t->ignored_columns.empty() ? ""
                                                       : fmt::format(" (columns left out: {})",
                                                                     fmt::join(t->ignored_columns, ", ")));
      }
      emit_output(fmt::format("ok: {}\n  name: {}\n  question: {}\n  sections: {}\n{}  hash: {}\n", s.file, s.name,
                              s.question, sections, trace, s.hash),
                  args->out);
    }
  });
}

}  // namespace fleetsim::cli
