#include "scenario/data.h"

#include <cstdlib>

namespace fleetsim::scenario {

DataPaths data_paths(const std::optional<std::filesystem::path>& flag) {
  if (flag) return {*flag};
  if (const char* env = std::getenv("FLEETSIM_DATA"); env && *env) return {env};
  return {FLEETSIM_DATA_DIR};
}

Catalogs load_catalogs(const DataPaths& paths) {
  return {hw::HardwareCatalog::load(paths.hardware()), model::ModelCatalog::load(paths.models())};
}

}  // namespace fleetsim::scenario
