// Where fleetsim's data lives (hardware/, models/, scenarios/, plans/, calibration/data/) and the
// catalogs loaded from it.
#pragma once

#include <filesystem>
#include <optional>

#include "hw/catalog.h"
#include "model/catalog.h"

namespace fleetsim::scenario {

struct DataPaths {
  std::filesystem::path root;
  std::filesystem::path hardware() const { return root / "hardware"; }
  std::filesystem::path models() const { return root / "models"; }
  std::filesystem::path scenarios() const { return root / "scenarios"; }
  std::filesystem::path plans() const { return root / "plans"; }
  std::filesystem::path calibration() const { return root / "calibration" / "data"; }
};

// The data directory: the --data-dir flag if given, else $FLEETSIM_DATA, else the source tree
// fleetsim was built from.
DataPaths data_paths(const std::optional<std::filesystem::path>& flag = std::nullopt);

struct Catalogs {
  hw::HardwareCatalog hardware;
  model::ModelCatalog models;
};
Catalogs load_catalogs(const DataPaths& paths);

}  // namespace fleetsim::scenario
