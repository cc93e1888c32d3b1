// fleetsim merge -o results.csv shard1.jsonl shard2.jsonl ...: joins the shards of a sweep,
// checking that every point of the grid appears exactly once.
#include <fmt/format.h>

#include "cli/commands.h"
#include "plan/sweep.h"

namespace fleetsim::cli {

void add_merge_command(CLI::App& app, Context&) {
  struct Args {
    std::vector<std::string> inputs;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("merge", "Join the JSONL shards of a sweep into one .csv or .jsonl file");
  cmd->add_option("shards", args->inputs, "Shard files (.jsonl) written by `fleetsim sweep --shard K/N`")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->output, "The joined file: .csv or .jsonl")->required();
  cmd->callback([args] {
    std::vector<std::filesystem::path> inputs(args->inputs.begin(), args->inputs.end());
    const uint64_t rows = plan::merge_shards(inputs, args->output);
    emit_output(fmt::format("{} points from {} shard(s) -> {}\n", rows, inputs.size(), args->output), "");
  });
}

}  // namespace fleetsim::cli
