#include "model/catalog.h"

#include <algorithm>
#include <fmt/format.h>

#include "core/text.h"

namespace fleetsim::model {

ModelCatalog ModelCatalog::load(const std::filesystem::path& dir) {
  ModelCatalog cat;
  for (const auto& f : core::yaml_files_in(dir, "model catalog")) cat.add(core::ConfigDoc::load_file(f));
  return cat;
}

void ModelCatalog::add(const core::ConfigDoc& doc) {
  const auto root = doc.root();
  ModelSpec m = model_schema().parse(root);
  std::vector<std::string> names = m.aliases;
  names.insert(names.begin(), m.id);
  for (const auto& name : names) {
    if (models_.count(name)) {
      root.fail_at(name == m.id ? "id" : "aliases", fmt::format("model '{}' is defined twice", name));
    }
  }
  for (const auto& name : names) models_.emplace(name, m);
}

const ModelSpec* ModelCatalog::find(std::string_view id) const {
  auto it = models_.find(std::string(id));
  return it == models_.end() ? nullptr : &it->second;
}

std::vector<std::string> ModelCatalog::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, m] : models_) out.push_back(id);
  return out;
}

const ModelSpec& ModelCatalog::at(const core::ConfigNode& ref) const {
  const std::string id = ref.as_string();
  if (const ModelSpec* m = find(id)) return *m;
  const auto known = ids();
  ref.fail(fmt::format("unknown model '{}'{}; known: {}", id, core::did_you_mean(id, known), core::join(known, ", ")));
}

const ModelSpec& ModelCatalog::at(std::string_view id) const {
  if (const ModelSpec* m = find(id)) return *m;
  const auto known = ids();
  throw core::InputError(fmt::format("unknown model '{}'{}; known: {}", id, core::did_you_mean(id, known),
                                     core::join(known, ", ")));
}

ModelSpec load_model_file(const std::filesystem::path& path) {
  return model_schema().parse(core::ConfigDoc::load_file(path).root());
}

}  // namespace fleetsim::model
