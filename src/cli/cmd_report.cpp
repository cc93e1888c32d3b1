// fleetsim report <result.json>: renders a saved result document as the self-contained HTML report.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "core/atomic_file.h"
#include "report/report.h"

namespace fleetsim::cli {

void add_report_command(CLI::App& app, Context&) {
  struct Args {
    std::string input;
    std::string output = "report.html";
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("report", "Render a result JSON (from `fleetsim run --json`) as an HTML report");
  cmd->add_option("result", args->input, "Result JSON file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->output, "HTML file to write");
  cmd->callback([args] {
    std::ifstream in(args->input);
    std::stringstream text;
    text << in.rdbuf();
    core::Json doc;
    try {
      doc = core::Json::parse(text.str());
    } catch (const core::Json::parse_error& e) {
      throw core::InputError({args->input, 0, 0}, "", fmt::format("not valid JSON: {}", e.what()));
    }
    std::string html;
    try {
      html = report::render_report(doc);  // reads it strictly as a result::Document first ("fleetsim: missing key")
    } catch (const core::InputError& e) {
      throw core::InputError({args->input, 0, 0}, "", fmt::format("not a valid result document: {}", e.message()));
    }
    core::write_file_atomically(args->output, html);
  });
}

}  // namespace fleetsim::cli
