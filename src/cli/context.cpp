#include "cli/context.h"

namespace fleetsim::cli {

const scenario::Catalogs& Context::catalogs() {
  if (!catalogs_) catalogs_ = std::make_unique<scenario::Catalogs>(scenario::load_catalogs(paths()));
  return *catalogs_;
}

const calib::CalibrationSet& Context::calibration() {
  if (!calibration_) calibration_ = std::make_unique<calib::CalibrationSet>(calib::CalibrationSet::load(paths().calibration()));
  return *calibration_;
}

scenario::Scenario Context::load_scenario(const std::string& arg, const std::vector<std::string>& sets) {
  return scenario::load_scenario(scenario_path(arg), catalogs(), sets);
}

namespace {

// A path as given, or the shipped file `<dir>/<arg>.yaml` when the argument is a bare name.
std::filesystem::path data_file(const std::string& arg, const std::filesystem::path& dir) {
  std::filesystem::path p = arg;
  std::error_code ec;
  if (std::filesystem::exists(p, ec) || arg.find('/') != std::string::npos || p.extension() == ".yaml") return p;
  std::filesystem::path shipped = dir / (arg + ".yaml");
  return std::filesystem::exists(shipped, ec) ? shipped : p;
}

}  // namespace

std::filesystem::path Context::scenario_path(const std::string& arg) const {
  return data_file(arg, paths().scenarios());
}

std::filesystem::path Context::plan_path(const std::string& arg) const { return data_file(arg, paths().plans()); }

}  // namespace fleetsim::cli
