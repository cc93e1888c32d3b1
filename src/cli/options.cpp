#include "cli/options.h"

#include "cli/commands.h"

namespace fleetsim::cli {

void add_set_option(CLI::App* cmd, std::vector<std::string>& sets, const std::string& what) {
  cmd->add_option("--set", sets, "Override a field" + what + ": path.to.field=value (repeatable)");
}

void add_quiet_flag(CLI::App* cmd, bool& quiet) { cmd->add_flag("-q,--quiet", quiet, "No progress and no summary"); }

void add_json_option(CLI::App* cmd, std::string& path, const std::string& help) {
  // Given without a value, CLI11 stores the default string: '-'.
  cmd->add_option("--json", path, help)
      ->expected(0, 1)
      ->default_str("-")
      ->type_name("[PATH]");
}

void TableOutput::add_to(CLI::App* cmd, const std::string& what) {
  add_json_option(cmd, json, "Write " + what + " as JSON to PATH (no PATH or '-': in place of the table)");
  cmd->add_option("-o,--output", out, "Write the table (or the JSON, when --json has no PATH) to a file");
  add_quiet_flag(cmd, quiet);
}

void TableOutput::emit(const std::function<std::string()>& json_text,
                       const std::function<std::string()>& table_text) const {
  if (json == "-") {
    emit_output(json_text(), out);
    return;
  }
  if (!json.empty()) emit_output(json_text(), json);
  if (!quiet) emit_output(table_text(), out);
}

}  // namespace fleetsim::cli
