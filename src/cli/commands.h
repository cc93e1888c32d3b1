// The subcommands. Each file adds one to the app; main.cpp lists them.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace fleetsim::cli {

void add_model_command(CLI::App& app, Context& ctx);
void add_validate_command(CLI::App& app, Context& ctx);
void add_describe_command(CLI::App& app, Context& ctx);
void add_catalog_command(CLI::App& app, Context& ctx);
void add_calib_command(CLI::App& app, Context& ctx);
void add_report_command(CLI::App& app, Context& ctx);
void add_run_command(CLI::App& app, Context& ctx);
void add_sweep_command(CLI::App& app, Context& ctx);
void add_merge_command(CLI::App& app, Context& ctx);
void add_tco_command(CLI::App& app, Context& ctx);
void add_collective_command(CLI::App& app, Context& ctx);
void add_plan_command(CLI::App& app, Context& ctx);
void add_train_command(CLI::App& app, Context& ctx);
void add_serve_command(CLI::App& app, Context& ctx);
void add_suite_command(CLI::App& app, Context& ctx);

// Writes text to stdout, or atomically to `path` when it is not empty and not "-".
void emit_output(const std::string& text, const std::string& path);

}  // namespace fleetsim::cli
