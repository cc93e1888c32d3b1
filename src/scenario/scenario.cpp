#include "scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "model/catalog.h"

namespace fleetsim::scenario {

namespace {

// The scenario file as written, before its references are resolved.
struct ScenarioFile {
  std::string name;
  std::string question;
  int64_t seed = 1;
  std::optional<core::ConfigNode> hardware;
  std::optional<core::ConfigNode> models;
  std::optional<TrainingSpec> training;
  std::optional<ServingSpec> serving;
  std::optional<FleetSpec> fleet;
  core::Provenance provenance;
};

const core::Schema<ScenarioFile>& file_schema() {
  static const auto s =
      core::Schema<ScenarioFile>("scenario", "One what-if question: a fleet, its workloads and its finances.")
          .provenance(&ScenarioFile::provenance)
          .text("name", &ScenarioFile::name, "Title shown on reports.")
          .text("question", &ScenarioFile::question, "The question this scenario answers.")
          .integer("seed", &ScenarioFile::seed, "Seed of every random stream.", core::at_least(0), int64_t{1})
          .custom({"hardware", "map of catalog overrides",
                   "What-ifs on catalog entries, e.g. {gpus: {h800: {nvlink_bw: 900 GB/s}}}; a new id defines a "
                   "new entry in full.",
                   false, "none"},
                  [](const core::ConfigNode& n, ScenarioFile& f) { f.hardware = n; },
                  [](ScenarioFile& f) { f.hardware.reset(); }, false)
          .custom({"models", "map of model overrides",
                   "What-ifs on catalog models by id, e.g. {deepseek-v3: {mtp_depth: 0}}; a new id defines a new "
                   "model in full.",
                   false, "none"},
                  [](const core::ConfigNode& n, ScenarioFile& f) { f.models = n; },
                  [](ScenarioFile& f) { f.models.reset(); }, false)
          .object("training", &ScenarioFile::training, training_schema(), "A training run.")
          .object("serving", &ScenarioFile::serving, serving_schema(), "An inference service.")
          .object("fleet", &ScenarioFile::fleet, fleet_schema(), "An owned fleet and its TCO.")
          .check([](const core::ConfigNode& n, ScenarioFile& f) {
            if (!f.training && !f.serving && !f.fleet) {
              n.fail("a scenario needs at least one of 'training', 'serving' or 'fleet'");
            }
          });
  return s;
}

const core::SourceLocation& where(const core::Provenance& p, const std::string& key) {
  static const core::SourceLocation none;
  auto it = p.find(key);
  return it == p.end() ? none : it->second.where;
}

template <class T>
void apply_overrides(const core::ConfigNode& section, const core::Schema<T>& schema, hw::Table<T>& table) {
  for (const auto& [id, body] : section.entries()) {
    if (const T* existing = table.find(id)) {
      T copy = *existing;
      schema.update(body, copy);
      if (copy.id != id) body.fail_at("id", "an override cannot change the id");
      table.replace(std::move(copy));
    } else {
      if (!body.get("id")) {
        const auto known = table.ids();
        body.fail(fmt::format("unknown {} '{}'{}; to define a new one give all its fields, id included", table.kind(),
                              id, core::did_you_mean(id, known)));
      }
      T entry = schema.parse(body);
      if (entry.id != id) body.fail_at("id", fmt::format("id '{}' differs from its key '{}'", entry.id, id));
      table.add(std::move(entry), body);
    }
  }
}

void apply_hardware_overrides(const core::ConfigNode& hw_node, hw::HardwareCatalog& cat) {
  static const std::vector<std::string> sections = {"gpus", "nodes", "nics", "switches", "transceivers", "cables"};
  for (const auto& [key, section] : hw_node.entries()) {
    if (key == "gpus") apply_overrides(section, hw::gpu_schema(), cat.gpus);
    else if (key == "nodes") apply_overrides(section, hw::node_schema(), cat.nodes);
    else if (key == "nics") apply_overrides(section, hw::nic_schema(), cat.nics);
    else if (key == "switches") apply_overrides(section, hw::switch_schema(), cat.switches);
    else if (key == "transceivers") apply_overrides(section, hw::transceiver_schema(), cat.transceivers);
    else if (key == "cables") apply_overrides(section, hw::cable_schema(), cat.cables);
    else {
      section.fail(fmt::format("unknown hardware section '{}'{}", key, core::did_you_mean(key, sections)));
    }
  }
}

// The scenario's own models: overrides of catalog entries, or new ones in full.
std::map<std::string, model::ModelSpec> scenario_models(const core::ConfigNode& node, const model::ModelCatalog& cat) {
  std::map<std::string, model::ModelSpec> out;
  for (const auto& [id, body] : node.entries()) {
    model::ModelSpec m;
    if (const auto* existing = cat.find(id)) {
      m = *existing;
      model::model_schema().update(body, m);
    } else {
      if (!body.get("id")) {
        const auto known = cat.ids();
        body.fail(fmt::format("unknown model '{}'{}; to define a new one give all its fields, id included", id,
                              core::did_you_mean(id, known)));
      }
      m = model::model_schema().parse(body);
    }
    if (m.id != id && std::find(m.aliases.begin(), m.aliases.end(), id) == m.aliases.end()) {
      body.fail_at("id", fmt::format("id '{}' differs from its key '{}'", m.id, id));
    }
    out.emplace(id, std::move(m));
  }
  return out;
}

class Resolver {
 public:
  Resolver(Scenario& s, const Catalogs& cat, hw::HardwareCatalog hw, std::map<std::string, model::ModelSpec> models,
           std::filesystem::path base)
      : s_(s), cat_(cat), hw_(std::move(hw)), own_models_(std::move(models)), base_(std::move(base)) {}

  void node(const std::string& id, const core::SourceLocation& at, const std::string& field) {
    const hw::NodeSpec& n = hw_.nodes.at(id, at, field);
    s_.nodes[id] = n;
    const auto& nw = n.provenance;
    s_.gpus[n.gpu] = hw_.gpus.at(n.gpu, where(nw, "gpu"), "nodes." + id + ".gpu");
    s_.nics[n.nic] = hw_.nics.at(n.nic, where(nw, "nic"), "nodes." + id + ".nic");
    if (!n.storage_nic.empty()) {
      s_.nics[n.storage_nic] = hw_.nics.at(n.storage_nic, where(nw, "storage_nic"), "nodes." + id + ".storage_nic");
    }
  }

  void fabric(const FabricSpec& f, const std::string& path) {
    s_.switches[f.switch_id] = hw_.switches.at(f.switch_id, where(f.provenance, "switch"), path + ".switch");
  }

  // The transceivers and fibre of a fleet tranche's fabric; defaulted ids are reported at `fallback`.
  void optics(const OpticsSpec& o, const std::string& path, const core::SourceLocation& fallback) {
    auto at = [&](const char* key) {
      const auto& w = where(o.provenance, key);
      return w.file.empty() ? fallback : w;
    };
    s_.transceivers[o.nic] = hw_.transceivers.at(o.nic, at("nic"), path + ".nic");
    s_.transceivers[o.switch_side] = hw_.transceivers.at(o.switch_side, at("switch"), path + ".switch");
    s_.cables[o.fibre] = hw_.cables.at(o.fibre, at("fibre"), path + ".fibre");
  }

  void model(const std::string& ref, const core::SourceLocation& at, const std::string& field) {
    if (s_.models.count(ref)) return;
    const bool is_path = ref.find('/') != std::string::npos || ref.ends_with(".yaml");
    if (is_path) {
      std::filesystem::path p = ref;
      if (p.is_relative()) p = base_ / p;
      s_.models[ref] = model::load_model_file(p);
      return;
    }
    if (auto it = own_models_.find(ref); it != own_models_.end()) {
      s_.models[ref] = it->second;
      return;
    }
    if (const auto* m = cat_.models.find(ref)) {
      s_.models[ref] = *m;
      return;
    }
    const auto known = cat_.models.ids();
    throw core::InputError(at, field,
                           fmt::format("unknown model '{}'{}; known: {}", ref, core::did_you_mean(ref, known),
                                       core::join(known, ", ")));
  }

 private:
  Scenario& s_;
  const Catalogs& cat_;
  hw::HardwareCatalog hw_;
  std::map<std::string, model::ModelSpec> own_models_;
  std::filesystem::path base_;
};

uint64_t fnv1a(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Scenario resolve(ScenarioFile f, const std::string& file, const Catalogs& cat) {
  Scenario s;
  s.file = file;
  s.name = std::move(f.name);
  s.question = std::move(f.question);
  s.seed = static_cast<uint64_t>(f.seed);
  s.provenance = std::move(f.provenance);
  hw::HardwareCatalog hw = cat.hardware;
  if (f.hardware) apply_hardware_overrides(*f.hardware, hw);
  const std::filesystem::path base = std::filesystem::path(file).has_parent_path()
                                         ? std::filesystem::path(file).parent_path()
                                         : std::filesystem::path(".");
  Resolver r(s, cat, std::move(hw), f.models ? scenario_models(*f.models, cat.models) : std::map<std::string, model::ModelSpec>{},
             base);
  if (f.training) {
    const auto& t = *f.training;
    r.model(t.model, where(t.provenance, "model"), "training.model");
    r.node(t.cluster.node, where(t.cluster.provenance, "node"), "training.cluster.node");
    r.fabric(t.cluster.fabric, "training.cluster.fabric");
  }
  if (f.serving) {
    const auto& sv = *f.serving;
    r.model(sv.model, where(sv.provenance, "model"), "serving.model");
    r.node(sv.node, where(sv.provenance, "node"), "serving.node");
    r.fabric(sv.fabric, "serving.fabric");
  }
  if (f.fleet) {
    for (size_t i = 0; i < f.fleet->tranches.size(); ++i) {
      const auto& tr = f.fleet->tranches[i];
      const std::string path = fmt::format("fleet.tranches[{}]", i);
      r.node(tr.node, where(tr.provenance, "node"), path + ".node");
      r.fabric(tr.fabric, path + ".fabric");
      r.optics(tr.optics, path + ".optics", where(tr.provenance, "name"));
    }
  }
  s.training = std::move(f.training);
  s.serving = std::move(f.serving);
  s.fleet = std::move(f.fleet);
  // A replayed trace is input too: its bytes go into the hash, so that results keyed by it
  // (sweeps resumed, reports) change when the trace does.
  std::string identity = scenario_to_json(s, core::EmitMode::json).dump();
  if (s.serving && !s.serving->traffic.trace.empty()) {
    const auto path = trace_path(s.serving->traffic);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw core::InputError(core::location_of(s.serving->traffic.provenance, "trace"), "serving.traffic.trace",
                             fmt::format("cannot read the request trace '{}'", path));
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    identity += fmt::format("\ntrace {:016x}", fnv1a(bytes.str()));
  }
  s.hash = fmt::format("{:016x}", fnv1a(identity));
  return s;
}

}  // namespace

const core::SchemaBase& scenario_schema() { return file_schema(); }

Scenario load_scenario_text(std::string_view yaml, const std::string& name, const Catalogs& catalogs,
                            const std::vector<std::string>& overrides) {
  core::ConfigDoc doc = core::ConfigDoc::load_string(yaml, name);
  for (const auto& o : overrides) doc.apply_override(o);
  return resolve(file_schema().parse(doc.root()), name, catalogs);
}

Scenario load_scenario(const std::filesystem::path& file, const Catalogs& catalogs,
                       const std::vector<std::string>& overrides) {
  core::ConfigDoc doc = core::ConfigDoc::load_file(file);
  for (const auto& o : overrides) doc.apply_override(o);
  return resolve(file_schema().parse(doc.root()), file.string(), catalogs);
}

namespace {

// Calls fn(section, entries by id, schema) for each kind of catalog entry a scenario holds.
template <class Fn>
void for_each_hardware_table(const Scenario& s, Fn&& fn) {
  fn("gpus", s.gpus, hw::gpu_schema());
  fn("nodes", s.nodes, hw::node_schema());
  fn("nics", s.nics, hw::nic_schema());
  fn("switches", s.switches, hw::switch_schema());
  fn("transceivers", s.transceivers, hw::transceiver_schema());
  fn("cables", s.cables, hw::cable_schema());
}

}  // namespace

core::Json scenario_to_json(const Scenario& s, core::EmitMode mode) {
  core::Json out = core::Json::object();
  out["name"] = s.name;
  out["question"] = s.question;
  out["seed"] = s.seed;
  if (s.training) out["training"] = training_schema().emit(*s.training, mode);
  if (s.serving) out["serving"] = serving_schema().emit(*s.serving, mode);
  if (s.fleet) out["fleet"] = fleet_schema().emit(*s.fleet, mode);
  // The resolved catalog entries, in the shape a scenario's hardware section accepts.
  core::Json hardware = core::Json::object();
  auto put = [&](const char* section, const auto& table, const auto& schema) {
    if (table.empty()) return;
    core::Json j = core::Json::object();
    for (const auto& [id, v] : table) j[id] = schema.emit(v, mode);
    hardware[section] = std::move(j);
  };
  for_each_hardware_table(s, put);
  out["hardware"] = std::move(hardware);
  core::Json models = core::Json::object();
  for (const auto& [id, m] : s.models) models[id] = model::model_schema().emit(m, mode);
  out["models"] = std::move(models);
  return out;
}

std::vector<core::Assumption> collect_assumptions(const Scenario& s) {
  std::vector<core::Assumption> out;
  if (s.training) training_schema().collect(*s.training, "training", out);
  if (s.serving) serving_schema().collect(*s.serving, "serving", out);
  if (s.fleet) fleet_schema().collect(*s.fleet, "fleet", out);
  auto put = [&](const char* section, const auto& table, const auto& schema) {
    for (const auto& [id, v] : table) schema.collect(v, core::join_path(core::join_path("hardware", section), id), out);
  };
  for_each_hardware_table(s, put);
  for (const auto& [id, m] : s.models) model::model_schema().collect(m, core::join_path("models", id), out);
  return out;
}

namespace {

bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  static const std::vector<std::string> reserved = {"true", "false", "null", "yes", "no", "on", "off", "~", "y", "n"};
  for (const auto& r : reserved) {
    if (core::iequals(s, r)) return true;
  }
  if (std::string("-?:,[]{}#&*!|>'\"%@` ").find(s.front()) != std::string::npos) return true;
  if (s.back() == ' ' || s.back() == ':') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (s.find('\n') != std::string::npos || s.find('\t') != std::string::npos) return true;
  // Would read back as a number.
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

std::string scalar(const core::Json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    return needs_quotes(s) ? core::Json(s).dump() : s;
  }
  return j.dump();
}

void emit_yaml(const core::Json& j, int indent, std::string& out) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      const std::string key = needs_quotes(k) ? core::Json(k).dump() : k;
      if ((v.is_object() || v.is_array()) && !v.empty()) {
        out += pad + key + ":\n";
        emit_yaml(v, indent + 2, out);
      } else if (v.is_object()) {
        out += pad + key + ": {}\n";
      } else if (v.is_array()) {
        out += pad + key + ": []\n";
      } else {
        out += pad + key + ": " + scalar(v) + "\n";
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_object() && !v.empty()) {
        std::string inner;
        emit_yaml(v, indent + 2, inner);
        out += pad + "- " + inner.substr(static_cast<size_t>(indent) + 2);
      } else if (v.is_array() && !v.empty()) {
        out += pad + "-\n";
        emit_yaml(v, indent + 2, out);
      } else {
        out += pad + "- " + (v.is_object() ? "{}" : v.is_array() ? "[]" : scalar(v)) + "\n";
      }
    }
  } else {
    out += pad + scalar(j) + "\n";
  }
}

}  // namespace

std::string json_to_yaml(const core::Json& j) {
  std::string out;
  emit_yaml(j, 0, out);
  return out;
}

std::string scenario_to_yaml(const Scenario& s) { return json_to_yaml(scenario_to_json(s, core::EmitMode::yaml)); }

}  // namespace fleetsim::scenario
