#include "core/config.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "core/text.h"

namespace fleetsim::core {
namespace {

bool is_index(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c); });
}

// "stages[1].tokens", "stages.1.tokens" -> {"stages", "1", "tokens"}; a bracketed part may hold
// dots: "models[llama-3.1-8b].layers" -> {"models", "llama-3.1-8b", "layers"}.
std::vector<std::string> path_parts(std::string_view path) {
  std::vector<std::string> parts;
  std::string cur;
  bool pending = false;  // a component has started (possibly empty)
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
      pending = false;
    } else if (c == '[') {
      if (pending || !cur.empty()) parts.push_back(cur);
      cur.clear();
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) close = path.size();
      parts.emplace_back(path.substr(i + 1, close - i - 1));
      i = close;
      if (i + 1 < path.size() && path[i + 1] == '.') ++i;
      pending = false;
      continue;
    } else {
      cur += c;
      pending = true;
    }
  }
  if (pending || !cur.empty() || parts.empty()) parts.push_back(cur);
  return parts;
}

std::string normalise(std::string_view path) {
  std::string out;
  for (const auto& part : path_parts(path)) out = join_path(out, is_index(part) ? "[" + part + "]" : part);
  return out;
}

}  // namespace

std::string join_path(std::string_view parent, std::string_view key) {
  if (!key.empty() && key[0] == '[') return std::string(parent) + std::string(key);
  // A key with dots in it (a model id such as llama-3.1-8b) is bracketed.
  if (key.find('.') != std::string_view::npos) return std::string(parent) + "[" + std::string(key) + "]";
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::vector<std::filesystem::path> yaml_files_in(const std::filesystem::path& dir, std::string_view what) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw InputError({dir.string(), 0, 0}, "", fmt::format("{} directory not found", what));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

ConfigDoc ConfigDoc::load_string(std::string_view text, const std::string& display_name) {
  auto shared = std::make_shared<Shared>();
  shared->file = display_name;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw InputError({display_name, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) {
    throw InputError({display_name, 0, 0}, "", "the file is empty; expected a YAML map of fields");
  }
  return ConfigDoc(root, shared);
}

ConfigDoc ConfigDoc::load_file(const std::filesystem::path& path, const std::string& display_name) {
  const std::string name = display_name.empty() ? path.string() : display_name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError({name, 0, 0}, "", std::filesystem::exists(path, ec) ? "not a regular file" : "no such file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({name, 0, 0}, "", "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return load_string(text.str(), name);
}

ConfigNode ConfigDoc::root() const { return ConfigNode(root_, shared_, ""); }

void ConfigDoc::set(std::string_view path, const YAML::Node& value, const std::string& origin) {
  const auto parts = path_parts(path);
  if (parts.empty() || parts[0].empty()) throw InputError({origin, 0, 0}, "", "empty field path");
  // yaml-cpp nodes are handles: walk with copies and assign through the last one.
  std::vector<YAML::Node> chain{root_};
  std::string walked;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node cur = chain.back();
    const std::string& p = parts[i];
    if (p.empty()) throw InputError({origin, 0, 0}, "", fmt::format("empty component in path '{}'", path));
    if (cur.IsSequence()) {
      if (!is_index(p) || std::stoul(p) >= cur.size()) {
        throw InputError({origin, 0, 0}, normalise(walked),
                         fmt::format("is a list of {} elements; '{}' is not an index in it", cur.size(), p));
      }
      chain.push_back(cur[std::stoul(p)]);
    } else if (cur.IsMap() || cur.IsNull() || !cur.IsDefined()) {
      YAML::Node next = cur[p];
      if (!next.IsDefined() || next.IsNull()) {
        cur[p] = YAML::Node(YAML::NodeType::Map);
        next = cur[p];
        // A map the override created: errors about it name the override.
        shared_->origins[join_path(walked, p)] = origin;
      }
      chain.push_back(next);
    } else {
      throw InputError({origin, 0, 0}, normalise(walked), "is a value, not a map; cannot set a field inside it");
    }
    walked = join_path(walked, is_index(p) && cur.IsSequence() ? "[" + p + "]" : p);
  }
  YAML::Node parent = chain.back();
  const std::string& last = parts.back();
  if (parent.IsSequence()) {
    if (!is_index(last) || std::stoul(last) >= parent.size()) {
      throw InputError({origin, 0, 0}, normalise(walked),
                       fmt::format("is a list of {} elements; '{}' is not an index in it", parent.size(), last));
    }
    parent[std::stoul(last)] = value;
  } else if (parent.IsMap() || parent.IsNull()) {
    parent[last] = value;
  } else {
    throw InputError({origin, 0, 0}, normalise(walked), "is a value, not a map; cannot set a field inside it");
  }
  shared_->origins[normalise(path)] = origin;
}

void ConfigDoc::apply_override(std::string_view assignment) {
  const std::string origin = fmt::format("--set {}", assignment);
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw InputError({origin, 0, 0}, "", "expected path.to.field=value");
  }
  std::string path(trim(assignment.substr(0, eq)));
  std::string text(trim(assignment.substr(eq + 1)));
  YAML::Node value;
  try {
    value = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError({origin, 0, 0}, normalise(path), "value is not valid YAML: " + e.msg);
  }
  set(path, value, origin);
}

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const ConfigDoc::Shared> doc, std::string path)
    : node_(std::move(node)), doc_(std::move(doc)), path_(std::move(path)) {}

SourceLocation ConfigNode::location() const {
  // The most specific override covering this path wins.
  std::string p = path_;
  while (true) {
    if (auto it = doc_->origins.find(p); it != doc_->origins.end()) return {it->second, 0, 0};
    auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  if (!p.empty()) {
    if (auto it = doc_->origins.find(p); it != doc_->origins.end()) return {it->second, 0, 0};
  }
  // An empty value has no position of its own in yaml-cpp; its key has.
  YAML::Mark m = node_.IsDefined() && !node_.IsNull() ? node_.Mark() : key_mark_;
  if (m.line < 0 && node_.IsDefined()) m = node_.Mark();
  if (m.line >= 0) return {doc_->file, m.line + 1, m.column + 1};
  return {doc_->file, 0, 0};
}

std::string_view ConfigNode::kind_name() const {
  if (is_null()) return "empty";
  if (is_map()) return "a map";
  if (is_list()) return "a list";
  return "a value";
}

std::string ConfigNode::child_path(std::string_view key) const { return join_path(path_, key); }

void ConfigNode::fail(const std::string& message) const { throw InputError(location(), path_, message); }

void ConfigNode::fail_at(std::string_view key, const std::string& message) const {
  if (is_map()) {
    if (auto child = get(key)) child->fail(message);
  }
  throw InputError(location(), child_path(key), message);
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::entries() const {
  if (!is_map()) fail(fmt::format("expected a map of fields, got {}", kind_name()));
  std::vector<std::pair<std::string, ConfigNode>> out;
  std::set<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) {
      ConfigNode(it->first, doc_, path_).fail("map keys must be plain names");
    }
    std::string key = it->first.Scalar();
    ConfigNode child(it->second, doc_, child_path(key));
    if (!seen.insert(key).second) {
      ConfigNode(it->first, doc_, child_path(key)).fail(fmt::format("field '{}' is given twice", key));
    }
    child.key_mark_ = it->first.Mark();
    out.emplace_back(std::move(key), std::move(child));
  }
  return out;
}

std::optional<ConfigNode> ConfigNode::get(std::string_view key) const {
  if (!is_map()) return std::nullopt;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      ConfigNode child(it->second, doc_, child_path(key));
      child.key_mark_ = it->first.Mark();
      return child;
    }
  }
  return std::nullopt;
}

ConfigNode ConfigNode::require(std::string_view key, std::string_view what) const {
  if (!is_map()) fail(fmt::format("expected a map of fields, got {}", kind_name()));
  auto child = get(key);
  if (!child) {
    throw InputError(location(), path_.empty() ? std::string(key) : path_,
                     what.empty() ? fmt::format("missing field '{}'", key)
                                  : fmt::format("missing field '{}' ({})", key, what));
  }
  return *child;
}

std::vector<ConfigNode> ConfigNode::elements() const {
  if (!is_list()) fail(fmt::format("expected a list, got {}", kind_name()));
  std::vector<ConfigNode> out;
  for (size_t i = 0; i < node_.size(); ++i) {
    out.emplace_back(node_[i], doc_, fmt::format("{}[{}]", path_, i));
  }
  return out;
}

void ConfigNode::expect_scalar(std::string_view what) const {
  if (is_null()) fail(fmt::format("empty value; expected {}", what));
  if (!is_scalar()) fail(fmt::format("expected {}, got {}", what, kind_name()));
}

const std::string& ConfigNode::raw() const {
  expect_scalar("a value");
  return node_.Scalar();
}

std::string ConfigNode::as_string() const {
  expect_scalar("text");
  return node_.Scalar();
}

double ConfigNode::as_number() const {
  expect_scalar("a number");
  try {
    const std::string& s = node_.Scalar();
    double v = parse_quantity(s, Dim::count);
    if (s.find_first_of("KMBTk") != std::string::npos) {
      fail(fmt::format("'{}': expected a plain number", s));
    }
    return v;
  } catch (const UnitError& e) {
    fail(e.what());
  }
}

int64_t ConfigNode::as_integer() const {
  expect_scalar("an integer");
  double v = 0;
  try {
    v = parse_quantity(node_.Scalar(), Dim::count);
  } catch (const UnitError& e) {
    fail(fmt::format("'{}' is not an integer", node_.Scalar()));
  }
  if (v != std::floor(v) || std::fabs(v) > 9.0e15) {
    fail(fmt::format("'{}' is not an integer", node_.Scalar()));
  }
  return static_cast<int64_t>(v);
}

bool ConfigNode::as_bool() const {
  expect_scalar("true or false");
  const std::string& s = node_.Scalar();
  if (s == "true") return true;
  if (s == "false") return false;
  fail(fmt::format("'{}' is not a boolean; write true or false", s));
}

double ConfigNode::as_quantity(Dim dim) const {
  expect_scalar(fmt::format("{} such as '{}'", dim_noun(dim), dim_example(dim)));
  try {
    return parse_quantity(node_.Scalar(), dim);
  } catch (const UnitError& e) {
    fail(e.what());
  }
}

}  // namespace fleetsim::core
