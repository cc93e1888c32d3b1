// The model catalog: models/*.yaml, one architecture per file, each with a unique id.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/config.h"
#include "model/model_spec.h"

namespace fleetsim::model {

class ModelCatalog {
 public:
  // Loads every *.yaml of dir in name order. Throws InputError naming file, line and field.
  static ModelCatalog load(const std::filesystem::path& dir);
  void add(const core::ConfigDoc& doc);

  const ModelSpec* find(std::string_view id) const;
  // The model named by `ref` (a scalar id); an unknown id is an InputError at ref.
  const ModelSpec& at(const core::ConfigNode& ref) const;
  // By id, or an InputError without position (for command-line arguments).
  const ModelSpec& at(std::string_view id) const;
  std::vector<std::string> ids() const;
  const std::map<std::string, ModelSpec>& entries() const { return models_; }

 private:
  std::map<std::string, ModelSpec> models_;
};

// Reads one model file (a model's own YAML, not from the catalog directory).
ModelSpec load_model_file(const std::filesystem::path& path);

}  // namespace fleetsim::model
