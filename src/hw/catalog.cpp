#include "hw/catalog.h"

#include <algorithm>
#include <fmt/format.h>

#include "core/text.h"

namespace fleetsim::hw {

template <class T>
const T& Table<T>::at(const core::ConfigNode& ref) const {
  const std::string id = ref.as_string();
  if (const T* t = find(id)) return *t;
  const auto known = ids();
  ref.fail(fmt::format("unknown {} '{}'{}; known: {}", kind_, id, core::did_you_mean(id, known),
                       core::join(known, ", ")));
}

template <class T>
const T& Table<T>::at(std::string_view id, const core::SourceLocation& where, const std::string& field) const {
  if (const T* t = find(id)) return *t;
  const auto known = ids();
  throw core::InputError(where, field,
                         fmt::format("unknown {} '{}'{}; known: {}", kind_, id, core::did_you_mean(id, known),
                                     core::join(known, ", ")));
}

template <class T>
std::vector<std::string> Table<T>::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, v] : entries_) out.push_back(id);
  return out;
}

template <class T>
void Table<T>::add(T value, const core::ConfigNode& where) {
  if (value.id.empty()) where.fail_at("id", fmt::format("a {} needs a non-empty id", kind_));
  if (entries_.count(value.id)) where.fail_at("id", fmt::format("{} '{}' is defined twice", kind_, value.id));
  entries_.emplace(value.id, std::move(value));
}

template class Table<GpuSpec>;
template class Table<NodeSpec>;
template class Table<NicSpec>;
template class Table<SwitchSpec>;
template class Table<TransceiverSpec>;
template class Table<CableSpec>;

HardwareCatalog::HardwareCatalog()
    : gpus("gpu"), nodes("node"), nics("nic"), switches("switch"), transceivers("transceiver"), cables("cable") {}

HardwareCatalog HardwareCatalog::load(const std::filesystem::path& dir) {
  HardwareCatalog cat;
  for (const auto& f : core::yaml_files_in(dir, "hardware catalog")) cat.add(core::ConfigDoc::load_file(f));
  return cat;
}

namespace {
template <class T>
void add_section(const core::ConfigNode& root, std::string_view key, const core::Schema<T>& schema, Table<T>& table) {
  auto list = root.get(key);
  if (!list) return;
  for (const auto& e : list->elements()) table.add(schema.parse(e), e);
}
}  // namespace

void HardwareCatalog::add(const core::ConfigDoc& doc) {
  const core::ConfigNode root = doc.root();
  static const std::vector<std::string> sections = {"gpus", "nodes", "nics", "switches", "transceivers", "cables"};
  for (const auto& [key, child] : root.entries()) {
    if (std::find(sections.begin(), sections.end(), key) == sections.end()) {
      child.fail(fmt::format("unknown section '{}' in a hardware file{}; expected {}", key,
                             core::did_you_mean(key, sections), core::join_quoted(sections)));
    }
  }
  add_section(root, "gpus", gpu_schema(), gpus);
  add_section(root, "nodes", node_schema(), nodes);
  add_section(root, "nics", nic_schema(), nics);
  add_section(root, "switches", switch_schema(), switches);
  add_section(root, "transceivers", transceiver_schema(), transceivers);
  add_section(root, "cables", cable_schema(), cables);
  check_references();
}

void HardwareCatalog::check_references() const {
  for (const auto& [id, n] : nodes.entries()) {
    auto where = [&](const char* field) {
      auto it = n.provenance.find(field);
      return it == n.provenance.end() ? core::SourceLocation{} : it->second.where;
    };
    // Only report once the referenced kind has any entry: files may come in any order.
    if (!gpus.entries().empty()) gpus.at(n.gpu, where("gpu"), fmt::format("nodes.{}.gpu", id));
    if (!nics.entries().empty()) {
      nics.at(n.nic, where("nic"), fmt::format("nodes.{}.nic", id));
      if (!n.storage_nic.empty()) nics.at(n.storage_nic, where("storage_nic"), fmt::format("nodes.{}.storage_nic", id));
    }
  }
}

const GpuSpec& HardwareCatalog::gpu_of(const NodeSpec& node) const {
  auto it = node.provenance.find("gpu");
  return gpus.at(node.gpu, it == node.provenance.end() ? core::SourceLocation{} : it->second.where,
                 "nodes." + node.id + ".gpu");
}

}  // namespace fleetsim::hw
