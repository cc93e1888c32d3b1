// The hardware catalog: every GPU, node, NIC, switch, transceiver and cable fleetsim knows,
// loaded from the YAML files of a directory (hardware/ by default). Each file is a map with any
// of the lists gpus, nodes, nics, switches, transceivers, cables. Ids are unique across files;
// a node's gpu and nic references must resolve.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "hw/specs.h"

namespace fleetsim::hw {

// Entries of one kind by id, remembering where each was defined.
template <class T>
class Table {
 public:
  explicit Table(std::string kind) : kind_(std::move(kind)) {}

  const T* find(std::string_view id) const {
    auto it = entries_.find(std::string(id));
    return it == entries_.end() ? nullptr : &it->second;
  }
  // The entry named by `ref` (a scalar id); an unknown id is an InputError at `ref`.
  const T& at(const core::ConfigNode& ref) const;
  // The entry `id`, or an InputError at `where` (for references stored earlier).
  const T& at(std::string_view id, const core::SourceLocation& where, const std::string& field) const;
  std::vector<std::string> ids() const;
  const std::map<std::string, T>& entries() const { return entries_; }
  const std::string& kind() const { return kind_; }

  void add(T value, const core::ConfigNode& where);
  // Replaces an existing entry (scenario-level hardware overrides).
  void replace(T value) { entries_[value.id] = std::move(value); }

 private:
  std::string kind_;
  std::map<std::string, T> entries_;
};

class HardwareCatalog {
 public:
  HardwareCatalog();
  // Loads every *.yaml file of dir, in name order. Throws InputError naming the file and line.
  static HardwareCatalog load(const std::filesystem::path& dir);
  // Adds the entries of one document, then checks the cross references.
  void add(const core::ConfigDoc& doc);

  Table<GpuSpec> gpus;
  Table<NodeSpec> nodes;
  Table<NicSpec> nics;
  Table<SwitchSpec> switches;
  Table<TransceiverSpec> transceivers;
  Table<CableSpec> cables;

  // The GPU of a node.
  const GpuSpec& gpu_of(const NodeSpec& node) const;

 private:
  void check_references() const;
};

}  // namespace fleetsim::hw
