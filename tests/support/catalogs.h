// The shipped catalogs, loaded once per test executable.
#pragma once

#include "scenario/data.h"

namespace fleetsim::test {

inline const scenario::Catalogs& shipped_catalogs() {
  static const scenario::Catalogs c = scenario::load_catalogs({FLEETSIM_SOURCE_DIR});
  return c;
}

inline const model::ModelSpec& shipped_model(const std::string& id) { return shipped_catalogs().models.at(id); }

}  // namespace fleetsim::test
