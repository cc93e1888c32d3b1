// What every subcommand shares: the data directory and the catalogs, loaded on first use.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "scenario/data.h"

namespace fleetsim::cli {

class Context {
 public:
  std::optional<std::filesystem::path> data_dir;  // --data-dir

  scenario::DataPaths paths() const { return scenario::data_paths(data_dir); }
  const scenario::Catalogs& catalogs();
  // A scenario argument: a path, or the name of a shipped scenario ("deepseek" ->
  // <data>/scenarios/deepseek.yaml).
  std::filesystem::path scenario_path(const std::string& arg) const;
  // A plan argument, the same way: a path, or a shipped plan ("train-v3-serve-r1" ->
  // <data>/plans/train-v3-serve-r1.yaml).
  std::filesystem::path plan_path(const std::string& arg) const;

 private:
  std::unique_ptr<scenario::Catalogs> catalogs_;
};

}  // namespace fleetsim::cli
