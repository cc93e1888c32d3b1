// What every subcommand shares: the data directory, and what is loaded from it on first use (the
// catalogs, the calibration tables), and the loading of a scenario argument with its overrides.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calib/table.h"
#include "scenario/data.h"
#include "scenario/scenario.h"

namespace fleetsim::cli {

class Context {
 public:
  std::optional<std::filesystem::path> data_dir;  // --data-dir

  scenario::DataPaths paths() const { return scenario::data_paths(data_dir); }
  const scenario::Catalogs& catalogs();
  // Every calibration table of <data>/calibration (a GPU without one gets its defaults).
  const calib::CalibrationSet& calibration();
  // A scenario argument (see scenario_path) loaded against the catalogs, with --set overrides
  // ("path.to.field=value") applied. Throws core::InputError with file, line and field.
  scenario::Scenario load_scenario(const std::string& arg, const std::vector<std::string>& sets);
  // A scenario argument: a path, or the name of a shipped scenario ("deepseek" ->
  // <data>/scenarios/deepseek.yaml).
  std::filesystem::path scenario_path(const std::string& arg) const;
  // A plan argument, the same way: a path, or a shipped plan ("train-v3-serve-r1" ->
  // <data>/plans/train-v3-serve-r1.yaml).
  std::filesystem::path plan_path(const std::string& arg) const;

 private:
  std::unique_ptr<scenario::Catalogs> catalogs_;
  std::unique_ptr<calib::CalibrationSet> calibration_;
};

}  // namespace fleetsim::cli
