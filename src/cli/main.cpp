// fleetsim's command line. The core library never prints; this is the only place that turns
// results into text and errors into exit codes:
//   0  success
//   2  bad input (a file, a field, a flag): one line naming file, line and field
//   70 an internal error (a fleetsim bug)
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/version.h"

namespace fleetsim::cli {

void emit_output(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  } else {
    core::write_file_atomically(path, text);
  }
}

}  // namespace fleetsim::cli

int main(int argc, char** argv) {
  using namespace fleetsim;
  cli::Context ctx;
  CLI::App app{"fleetsim: a cluster simulator and TCO planner for LLM GPU fleets", "fleetsim"};
  app.set_version_flag("--version", "fleetsim " + std::string(core::version()));
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();
  app.add_option("--data-dir", ctx.data_dir,
                 "Where hardware/, models/, scenarios/ and calibration/ are (default: $FLEETSIM_DATA, else the "
                 "source tree)")
      ->check(CLI::ExistingDirectory);
  cli::add_run_command(app, ctx);
  cli::add_sweep_command(app, ctx);
  cli::add_plan_command(app, ctx);
  cli::add_merge_command(app, ctx);
  cli::add_model_command(app, ctx);
  cli::add_validate_command(app, ctx);
  cli::add_describe_command(app, ctx);
  cli::add_catalog_command(app, ctx);
  cli::add_report_command(app, ctx);
  cli::add_tco_command(app, ctx);
  cli::add_calib_command(app, ctx);
  cli::add_collective_command(app, ctx);
  cli::add_train_command(app, ctx);
  cli::add_serve_command(app, ctx);
  cli::add_suite_command(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const core::InputError& e) {
    std::cerr << "fleetsim: error: " << e.what() << "\n";
    return 2;
  } catch (const core::InternalError& e) {
    std::cerr << "fleetsim: " << e.what() << "\n(this is a bug in fleetsim; please report it)\n";
    return 70;
  } catch (const std::exception& e) {
    std::cerr << "fleetsim: internal error: " << e.what() << "\n(this is a bug in fleetsim; please report it)\n";
    return 70;
  }
  return 0;
}
