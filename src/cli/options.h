// Options that mean the same in every command that has them:
//   --set path=value  an override of a scenario (or plan) field, repeatable
//   -q,--quiet        no progress and no summary (the table a command prints is its summary)
//   --json [PATH]     write the result document as JSON to PATH ('-': stdout). Without PATH, or
//                     with '-', in a command that prints a table the JSON takes the table's place
//                     (stdout, or the -o file), so `--json -o FILE` writes JSON to FILE.
//   -o,--output FILE  where the table goes (default stdout); in run and plan, the HTML report.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace fleetsim::cli {

// --set, repeatable.
void add_set_option(CLI::App* cmd, std::vector<std::string>& sets, const std::string& what = "");

// -q,--quiet.
void add_quiet_flag(CLI::App* cmd, bool& quiet);

// --json [PATH]: `path` is "" when not given and "-" when given without a PATH.
void add_json_option(CLI::App* cmd, std::string& path, const std::string& help);

// The outputs of a command that prints a table or its JSON: --json [PATH], -o,--output, -q.
struct TableOutput {
  std::string json;  // "" (no JSON), "-" (in the table's place), or a file
  std::string out;   // -o: the table's file; "" for stdout
  bool quiet = false;

  // Adds --json (described by `what`), -o,--output and -q,--quiet to the command.
  void add_to(CLI::App* cmd, const std::string& what);
  // Writes the JSON where --json says and the table (unless --quiet or JSON took its place),
  // computing each only when it is written.
  void emit(const std::function<std::string()>& json_text, const std::function<std::string()>& table_text) const;
};

}  // namespace fleetsim::cli
