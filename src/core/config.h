// Strict reading of YAML input with positions: every value knows its file, line and dotted
// path, so an error names all three. A document may be edited by --set overrides before it is
// read; values that came from an override report the override as their origin.
//
// Used by every loader (catalogs, models, scenarios, calibration tables) through Schema<T>.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/units.h"

namespace fleetsim::core {

class ConfigNode;

// A YAML document and where it came from. Cheap to copy (shares the tree).
class ConfigDoc {
 public:
  // Throws InputError naming the file: missing or unreadable file, YAML syntax error, empty file.
  static ConfigDoc load_file(const std::filesystem::path& path, const std::string& display_name = "");
  // display_name is used in messages in place of a file name.
  static ConfigDoc load_string(std::string_view text, const std::string& display_name);

  ConfigNode root() const;
  const std::string& file() const { return shared_->file; }

  // Applies "path.to.field=value" (list elements by index: "stages.1.tokens" or "stages[1].tokens").
  // The value is read as YAML, so "8", "3.35 TB/s", "[1, 2]" and "{a: 1}" all work. Missing map
  // keys on the path are created (the schema then rejects unknown ones, naming the override).
  // Throws InputError naming the override when the path crosses a value or an index is out of range.
  void apply_override(std::string_view assignment);

  // Replaces the subtree at `path` (dotted, as above) with `value`, recording `origin` as where
  // values under it came from. Used by apply_override and by catalog merging.
  void set(std::string_view path, const YAML::Node& value, const std::string& origin);

  struct Shared {
    std::string file;
    std::map<std::string, std::string> origins;  // normalised path -> origin text ("--set a.b=1")
  };

 private:
  ConfigDoc(YAML::Node root, std::shared_ptr<Shared> shared) : root_(std::move(root)), shared_(std::move(shared)) {}
  YAML::Node root_;
  std::shared_ptr<Shared> shared_;
};

// A value in a document: a map, a list, a scalar or null, with its dotted path and position.
class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::shared_ptr<const ConfigDoc::Shared> doc, std::string path);

  const std::string& path() const { return path_; }   // "training.stages[1].tokens"; "" for the root
  SourceLocation location() const;                     // the override that set it, or file:line:col
  const std::string& file() const { return doc_->file; }

  bool is_map() const { return node_.IsMap(); }
  bool is_list() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }
  std::string_view kind_name() const;  // "a map", "a list", "a value", "empty"

  // Map access. entries() rejects duplicate keys (yaml-cpp would keep one silently).
  std::vector<std::pair<std::string, ConfigNode>> entries() const;
  std::optional<ConfigNode> get(std::string_view key) const;
  ConfigNode require(std::string_view key, std::string_view what = "") const;  // what: "a bandwidth"
  std::vector<ConfigNode> elements() const;  // list elements

  // Scalars. Each throws InputError at this node when the value does not fit.
  std::string as_string() const;
  double as_number() const;                 // a plain number, no unit
  int64_t as_integer() const;               // "2048", "2K"; not "1.5"
  bool as_bool() const;                     // true or false only
  double as_quantity(Dim dim) const;        // see units.h
  const std::string& raw() const;           // the scalar text as written

  // Throws InputError at this node (or at its child `key` when it is present).
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void fail_at(std::string_view key, const std::string& message) const;

  const YAML::Node& yaml() const { return node_; }
  std::shared_ptr<const ConfigDoc::Shared> doc() const { return doc_; }

 private:
  void expect_scalar(std::string_view what) const;
  std::string child_path(std::string_view key) const;

  YAML::Node node_;
  std::shared_ptr<const ConfigDoc::Shared> doc_;
  std::string path_;
  YAML::Mark key_mark_ = YAML::Mark::null_mark();  // where this value's key is, when it has one
};

// The *.yaml files of a directory in name order; an InputError naming `what` if it is missing.
std::vector<std::filesystem::path> yaml_files_in(const std::filesystem::path& dir, std::string_view what);

// "a.b[2].c" for path components; used by messages and overrides.
std::string join_path(std::string_view parent, std::string_view key);

}  // namespace fleetsim::core
