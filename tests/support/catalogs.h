// The shipped catalogs and calibration tables, loaded once per test executable.
#pragma once

#include "calib/table.h"
#include "scenario/data.h"

namespace fleetsim::test {

inline const scenario::Catalogs& shipped_catalogs() {
  static const scenario::Catalogs c = scenario::load_catalogs({FLEETSIM_SOURCE_DIR});
  return c;
}

inline const calib::CalibrationSet& shipped_calibration() {
  static const auto c = calib::CalibrationSet::load(std::string(FLEETSIM_SOURCE_DIR) + "/calibration/data");
  return c;
}

inline const model::ModelSpec& shipped_model(const std::string& id) { return shipped_catalogs().models.at(id); }

}  // namespace fleetsim::test
