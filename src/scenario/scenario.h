// A scenario: one question ("what did DeepSeek-V3 really cost?") as a YAML file that names
// catalog entries and sets the fleet, the workloads and the finance assumptions. Loading it
// applies --set overrides, validates every field (file, line and field in each error), applies
// the scenario's own hardware what-ifs to a copy of the catalog, and resolves every reference.
// The result is immutable and self-contained: it holds copies of the catalog entries it uses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/schema.h"
#include "hw/specs.h"
#include "model/model_spec.h"
#include "scenario/data.h"
#include "scenario/fleet_spec.h"
#include "scenario/serving_spec.h"
#include "scenario/training_spec.h"

namespace fleetsim::scenario {

struct Scenario {
  std::string file;      // where it was loaded from
  std::string name;
  std::string question;  // the question it answers
  uint64_t seed = 1;
  std::optional<TrainingSpec> training;
  std::optional<ServingSpec> serving;
  std::optional<FleetSpec> fleet;
  core::Provenance provenance;

  // The catalog entries it refers to, after its hardware what-ifs, by the id used.
  std::map<std::string, model::ModelSpec> models;
  std::map<std::string, hw::NodeSpec> nodes;
  std::map<std::string, hw::GpuSpec> gpus;
  std::map<std::string, hw::NicSpec> nics;
  std::map<std::string, hw::SwitchSpec> switches;
  std::map<std::string, hw::TransceiverSpec> transceivers;  // the fleet's optics
  std::map<std::string, hw::CableSpec> cables;

  std::string hash;  // 16 hex digits identifying the resolved scenario (catalog entries included)

  const model::ModelSpec& model(const std::string& id) const { return models.at(id); }
  const hw::NodeSpec& node(const std::string& id) const { return nodes.at(id); }
  const hw::GpuSpec& gpu_of_node(const std::string& node_id) const { return gpus.at(nodes.at(node_id).gpu); }
  const hw::SwitchSpec& fabric_switch(const FabricSpec& f) const { return switches.at(f.switch_id); }
};

// The schema of a scenario file (for `fleetsim describe scenario`).
const core::SchemaBase& scenario_schema();

// Reads, overrides, validates and resolves. Throws core::InputError on any problem.
Scenario load_scenario(const std::filesystem::path& file, const Catalogs& catalogs,
                       const std::vector<std::string>& overrides = {});
// The same from text (tests); `name` stands for the file name in messages.
Scenario load_scenario_text(std::string_view yaml, const std::string& name, const Catalogs& catalogs,
                            const std::vector<std::string>& overrides = {});

// The resolved scenario (sections and the catalog entries used) as JSON numbers in SI units, or
// as YAML-ready text with units that loads back to the same scenario.
core::Json scenario_to_json(const Scenario& s, core::EmitMode mode);
std::string scenario_to_yaml(const Scenario& s);

// Every figure the scenario rests on, with its value and source: its own sections, then the
// catalog entries it uses (hardware.<kind>.<id>.<field>, models.<id>.<field>).
std::vector<core::Assumption> collect_assumptions(const Scenario& s);

// Renders JSON as block YAML (maps and lists; strings quoted when needed).
std::string json_to_yaml(const core::Json& j);

}  // namespace fleetsim::scenario
