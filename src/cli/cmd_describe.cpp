// fleetsim describe [section]: the input schema, printed from the same declarations that parse it.
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/text.h"
#include "plan/plan_spec.h"
#include "scenario/describe.h"

namespace fleetsim::cli {

void add_describe_command(CLI::App& app, Context&) {
  auto section = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("describe", "Print the schema of an input section (fields, units, defaults)");
  cmd->add_option("section", *section, "Section name (scenario, training, gpu, model ...); none lists them");
  cmd->callback([section] {
    auto all = scenario::documented_schemas();
    // Plan files (`fleetsim plan`) and their nested sections.
    all.push_back(&plan::plan_schema());
    all.push_back(&plan::node_choice_schema());
    all.push_back(&plan::training_search_schema());
    if (section->empty()) {
      std::string out = "Documented sections (fleetsim describe <section>):\n";
      for (const auto* s : all) out += fmt::format("  {:<20} {}\n", s->name(), s->doc());
      emit_output(out, "");
      return;
    }
    for (const auto* s : all) {
      if (s->name() == *section) {
        emit_output(s->describe(), "");
        return;
      }
    }
    std::vector<std::string> names;
    for (const auto* s : all) names.push_back(s->name());
    throw core::InputError(fmt::format("unknown section '{}'{}; known: {}", *section,
                                       core::did_you_mean(*section, names), core::join(names, ", ")));
  });
}

}  // namespace fleetsim::cli
