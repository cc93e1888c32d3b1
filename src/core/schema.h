// Self-describing input structs (after SST-core's parameters): a Schema<T> declares each field of
// T once (its key, type and unit, meaning, default, bounds) and the one declaration both parses
// YAML strictly and prints itself (`fleetsim describe gpu`).
//
// Parsing rules, the same for every input fleetsim reads:
//  - the value must be a map; unknown keys are errors with a "did you mean" suggestion;
//  - a required field that is missing is an error at its parent; an optional one takes the
//    documented default (recorded as such in the provenance);
//  - values are checked for type, unit and range; the first error is thrown as InputError with
//    the file, line and dotted field path;
//  - a scalar field may be written as {value: ..., source: ..., estimate: true, note: ...} to give
//    that one figure its own source; otherwise it inherits the object's `source:` field. Each
//    figure's source lands in the struct's Provenance, which reports print as the assumption table.
#pragma once

#include <concepts>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/dtype.h"
#include "core/names.h"
#include "core/text.h"
#include "core/units.h"

namespace fleetsim::core {

// Where one input figure came from.
struct Sourced {
  std::string text;          // as written ("989 TFLOP/s"), or the default's description
  std::string source;        // citation, "default", or the override that set it
  bool estimate = false;     // marked as an estimate in the input
  bool defaulted = false;    // not given: the schema's default was used
  std::string note;
  SourceLocation where;
};
using Provenance = std::map<std::string, Sourced>;  // by field key

// Where field `key` was given; an empty location when the input did not give it.
const SourceLocation& location_of(const Provenance& p, const std::string& key);

// One input figure as reports list it: where it sits, its value as text, and its source.
struct Assumption {
  std::string path;   // "fleet.facility.pue", "hardware.gpus.h800.hbm_bw"
  std::string value;  // with its unit ("1.3", "3350000000000 B/s")
  std::string source;
  bool estimate = false;
  bool defaulted = false;
  std::string note;
};

// A closed or open interval that a number must lie in.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double v) const;
  std::string describe() const;  // "> 0", "between 0 and 1", "" for any
};
inline Range any_value() { return {}; }
inline Range positive() { return {0, std::numeric_limits<double>::infinity(), true, false}; }
inline Range non_negative() { return {0, std::numeric_limits<double>::infinity(), false, false}; }
inline Range unit_interval() { return {0, 1, false, false}; }
inline Range at_least(double lo) { return {lo, std::numeric_limits<double>::infinity(), false, false}; }
inline Range between(double lo, double hi) { return {lo, hi, false, false}; }

struct FieldDoc {
  std::string key{};
  std::string type{};          // "bandwidth (bytes/s)", "integer >= 1", "one of 'a' or 'b'", "<parallelism>"
  std::string doc{};
  bool required = true;
  std::string default_text{};  // for optional fields
  std::string nested{};        // name of the nested schema, if any
};

// How a parsed value is written back: JSON numbers in SI base units, or YAML text with units
// that parses back to the same value ("3.35e+12 B/s").
enum class EmitMode { json, yaml };
using Json = nlohmann::ordered_json;

// A quantity as text that parse_quantity reads back exactly.
std::string quantity_text(double value, Dim dim);

// The untyped part of a schema, for describe and for the registry of documented sections.
class SchemaBase {
 public:
  SchemaBase(std::string name, std::string doc) : name_(std::move(name)), doc_(std::move(doc)) {}
  virtual ~SchemaBase() = default;

  const std::string& name() const { return name_; }
  const std::string& doc() const { return doc_; }
  const std::vector<FieldDoc>& fields() const { return docs_; }
  const std::vector<const SchemaBase*>& children() const { return children_; }

  // A readable table of the fields, followed by the nested schemas (each once).
  std::string describe() const;

 protected:
  std::string name_;
  std::string doc_;
  std::vector<FieldDoc> docs_;
  std::vector<const SchemaBase*> children_;
};

// Throws InputError at `node` for an unknown key, with a suggestion among `known`.
[[noreturn]] void fail_unknown_field(const ConfigNode& node, const std::string& key,
                                     const std::string& schema_name, const std::vector<std::string>& known);
// Checks v against r, failing at node with the field's meaning.
void check_range(const ConfigNode& node, double v, const Range& r);
// Unwraps {value:, source:, estimate:, note:}; returns the value node and fills prov.
ConfigNode unwrap_sourced(const ConfigNode& node, Sourced& prov);

template <class T>
class Schema : public SchemaBase {
 public:
  using ParseFn = std::function<void(const ConfigNode&, T&)>;
  using DefaultFn = std::function<void(T&)>;
  using CheckFn = std::function<void(const ConfigNode&, T&)>;
  using EmitFn = std::function<Json(const T&, EmitMode)>;
  using CollectFn = std::function<void(const T&, const std::string&, std::vector<Assumption>&)>;

  Schema(std::string name, std::string doc) : SchemaBase(std::move(name), std::move(doc)) {}

  // --- declaring fields ------------------------------------------------------------------
  // The general form: how to parse the field, and what to do when it is missing (nullptr:
  // required). `scalar` fields may carry their own source.
  // `emit` writes the field back (nullptr: the field is not written).
  Schema& custom(FieldDoc doc, ParseFn parse, DefaultFn on_missing = nullptr, bool scalar = true,
                 EmitFn emit = nullptr) {
    doc.required = !on_missing;
    fields_.push_back({doc.key, std::move(parse), std::move(on_missing), scalar, std::move(emit)});
    docs_.push_back(std::move(doc));
    return *this;
  }

  // The object's citation: the default source of every figure in it.
  Schema& source(std::string T::*member, std::string doc = "Where the figures come from (citation).") {
    source_member_ = member;
    return custom({"source", "text", std::move(doc)}, [member](const ConfigNode& n, T& t) { t.*member = n.as_string(); },
                  nullptr, true, plain(member));
  }
  Schema& provenance(Provenance T::*member) {
    provenance_member_ = member;
    return *this;
  }

  // Required text.
  Schema& text(std::string key, std::string T::*m, std::string doc) {
    return custom({key, "text", std::move(doc)}, [m](const ConfigNode& n, T& t) { t.*m = n.as_string(); }, nullptr,
                  true, plain(m));
  }
  // Optional text with a default.
  Schema& text(std::string key, std::string T::*m, std::string doc, std::string def) {
    std::string shown = quote(def);
    return custom({key, "text", std::move(doc), true, std::move(shown)},
                  [m](const ConfigNode& n, T& t) { t.*m = n.as_string(); },
                  [m, def = std::move(def)](T& t) { t.*m = def; }, true, plain(m));
  }
  Schema& texts(std::string key, std::vector<std::string> T::*m, std::string doc, bool required = false) {
    return custom(
        {key, "list of text", std::move(doc), required, required ? "" : "[]"},
        [m](const ConfigNode& n, T& t) {
          (t.*m).clear();
          for (const auto& e : n.elements()) (t.*m).push_back(e.as_string());
        },
        required ? DefaultFn() : DefaultFn([m](T& t) { (t.*m).clear(); }), false, plain(m));
  }

  Schema& flag(std::string key, bool T::*m, std::string doc, std::optional<bool> def = {}) {
    return custom({key, "true or false", std::move(doc), true, def ? (*def ? "true" : "false") : ""},
                  [m](const ConfigNode& n, T& t) { t.*m = n.as_bool(); }, defaulter(m, def), true, plain(m));
  }

  // A dimensioned quantity in SI base units (see units.h).
  Schema& quantity(std::string key, double T::*m, Dim dim, std::string doc, Range range = {},
                   std::optional<double> def = {}) {
    return custom({key, quantity_type(dim, range), std::move(doc), true,
                   def ? format_quantity(*def, dim) : ""},
                  [m, dim, range](const ConfigNode& n, T& t) {
                    double v = n.as_quantity(dim);
                    check_range(n, v, range);
                    t.*m = v;
                  },
                  defaulter(m, def), true, [m, dim](const T& t, EmitMode mode) { return emit_quantity(t.*m, dim, mode); });
  }
  Schema& quantity(std::string key, std::optional<double> T::*m, Dim dim, std::string doc, Range range = {}) {
    return custom({key, quantity_type(dim, range), std::move(doc), true, "none"},
                  [m, dim, range](const ConfigNode& n, T& t) {
                    double v = n.as_quantity(dim);
                    check_range(n, v, range);
                    t.*m = v;
                  },
                  [m](T& t) { t.*m = std::nullopt; }, true, [m, dim](const T& t, EmitMode mode) {
                    return (t.*m) ? emit_quantity(*(t.*m), dim, mode) : Json();
                  });
  }
  // A plain number without unit.
  Schema& number(std::string key, double T::*m, std::string doc, Range range = {},
                 std::optional<double> def = {}) {
    std::string type = "number";
    if (auto r = range.describe(); !r.empty()) type += " " + r;
    return custom({key, type, std::move(doc), true, def ? fmt::format("{}", *def) : ""},
                  [m, range](const ConfigNode& n, T& t) {
                    double v = n.as_number();
                    check_range(n, v, range);
                    t.*m = v;
                  },
                  defaulter(m, def), true, plain(m));
  }
  template <std::integral I>
  Schema& integer(std::string key, I T::*m, std::string doc, Range range = {},
                  std::type_identity_t<std::optional<I>> def = {}) {
    std::string type = "integer";
    if (auto r = range.describe(); !r.empty()) type += " " + r;
    return custom({key, type, std::move(doc), true, def ? fmt::format("{}", *def) : ""},
                  [m, range](const ConfigNode& n, T& t) {
                    int64_t v = n.as_integer();
                    check_range(n, static_cast<double>(v), range);
                    if (v < static_cast<int64_t>(std::numeric_limits<I>::min()) ||
                        v > static_cast<int64_t>(std::numeric_limits<I>::max())) {
                      n.fail(fmt::format("{} is out of range", v));
                    }
                    t.*m = static_cast<I>(v);
                  },
                  defaulter(m, def), true, plain(m));
  }
  template <class E>
  Schema& choice(std::string key, E T::*m, std::type_identity_t<std::vector<std::pair<std::string, E>>> options,
                 std::string doc, std::type_identity_t<std::optional<E>> def = {}) {
    std::vector<std::string> names;
    std::string def_text;
    for (const auto& [name, value] : options) {
      names.push_back(name);
      if (def && value == *def) def_text = name;
    }
    return custom({key, "one of " + join_quoted(std::span<const std::string>(names)), std::move(doc), true, def_text},
                  [m, options, names](const ConfigNode& n, T& t) {
                    const std::string s = n.as_string();
                    for (const auto& [name, value] : options) {
                      if (name == s) {
                        t.*m = value;
                        return;
                      }
                    }
                    n.fail(fmt::format("'{}' is not one of {}{}", s, join_quoted(std::span<const std::string>(names)),
                                       did_you_mean(s, names)));
                  },
                  defaulter(m, def), true, [m, options](const T& t, EmitMode) {
                    for (const auto& [name, value] : options) {
                      if (value == t.*m) return Json(name);
                    }
                    return Json();
                  });
  }
  // An enum field read and written by the enum's one name table (core/names.h): describe's
  // "one of 'a', 'b'", the parse error's list and the emitted name all come from `table`.
  template <class E, size_t N>
  Schema& choice(std::string key, E T::*m, const NameTable<E, N>& table, std::string doc,
                 std::type_identity_t<std::optional<E>> def = {}) {
    return choice(std::move(key), m, table.options(), std::move(doc), def);
  }
  Schema& dtype(std::string key, DType T::*m, std::string doc, std::optional<DType> def = {}) {
    return custom({key, "one of " + dtype_choices(), std::move(doc), true,
                   def ? std::string(dtype_name(*def)) : ""},
                  [m](const ConfigNode& n, T& t) {
                    const std::string s = n.as_string();
                    auto d = parse_dtype(s);
                    if (!d) n.fail(fmt::format("'{}' is not a number format; expected one of {}", s, dtype_choices()));
                    t.*m = *d;
                  },
                  defaulter(m, def), true, [m](const T& t, EmitMode) { return Json(std::string(dtype_name(t.*m))); });
  }

  // A nested object: required, or defaulted to S{} when `required` is false.
  template <class S>
  Schema& object(std::string key, S T::*m, const Schema<S>& sub, std::string doc, bool required = true) {
    children_.push_back(&sub);
    custom({key, "<" + sub.name() + ">", std::move(doc), true, required ? "" : "(defaults of each field)",
                   sub.name()},
                  [m, &sub](const ConfigNode& n, T& t) { sub.parse_into(n, t.*m); },
                  required ? DefaultFn() : DefaultFn([m, &sub](T& t) { sub.apply_defaults(t.*m); }), false,
                  [m, &sub](const T& t, EmitMode mode) { return sub.emit(t.*m, mode); });
    fields_.back().collect = [m, &sub](const T& t, const std::string& path, std::vector<Assumption>& out) {
      sub.collect(t.*m, path, out);
    };
    return *this;
  }
  // An optional section: std::nullopt when absent.
  template <class S>
  Schema& object(std::string key, std::optional<S> T::*m, const Schema<S>& sub, std::string doc) {
    children_.push_back(&sub);
    custom({key, "<" + sub.name() + ">", std::move(doc), true, "absent", sub.name()},
                  [m, &sub](const ConfigNode& n, T& t) { t.*m = sub.parse(n); },
                  [m](T& t) { t.*m = std::nullopt; }, false,
                  [m, &sub](const T& t, EmitMode mode) { return (t.*m) ? sub.emit(*(t.*m), mode) : Json(); });
    fields_.back().collect = [m, &sub](const T& t, const std::string& path, std::vector<Assumption>& out) {
      if (t.*m) sub.collect(*(t.*m), path, out);
    };
    return *this;
  }
  template <class S>
  Schema& list(std::string key, std::vector<S> T::*m, const Schema<S>& sub, std::string doc, bool required = true,
               size_t min_size = 1) {
    children_.push_back(&sub);
    custom({key, "list of <" + sub.name() + ">", std::move(doc), true, required ? "" : "[]", sub.name()},
                  [m, &sub, min_size](const ConfigNode& n, T& t) {
                    (t.*m).clear();
                    auto elements = n.elements();
                    if (elements.size() < min_size) {
                      n.fail(fmt::format("expected at least {} element{}", min_size, min_size == 1 ? "" : "s"));
                    }
                    for (const auto& e : elements) (t.*m).push_back(sub.parse(e));
                  },
                  required ? DefaultFn() : DefaultFn([m](T& t) { (t.*m).clear(); }), false,
                  [m, &sub](const T& t, EmitMode mode) {
                    Json out = Json::array();
                    for (const auto& e : t.*m) out.push_back(sub.emit(e, mode));
                    return out;
                  });
    fields_.back().collect = [m, &sub](const T& t, const std::string& path, std::vector<Assumption>& out) {
      for (size_t i = 0; i < (t.*m).size(); ++i) sub.collect((t.*m)[i], fmt::format("{}[{}]", path, i), out);
    };
    return *this;
  }

  // A check across fields, run after all fields are parsed; throw with node.fail_at(key, ...).
  Schema& check(CheckFn fn) {
    checks_.push_back(std::move(fn));
    return *this;
  }

  // --- using it --------------------------------------------------------------------------
  T parse(const ConfigNode& node) const {
    T out{};
    parse_into(node, out);
    return out;
  }

  void parse_into(const ConfigNode& node, T& out) const {
    if (!node.is_map()) node.fail(fmt::format("expected a map of {} fields, got {}", name_, node.kind_name()));
    const auto entries = node.entries();
    std::vector<std::string> known;
    for (const auto& f : fields_) known.push_back(f.key);
    for (const auto& [key, child] : entries) {
      if (!find_field(key)) fail_unknown_field(child, key, name_, known);
    }
    std::string object_source;
    if (source_member_) {
      for (const auto& [key, child] : entries) {
        if (key == "source") object_source = child.as_string();
      }
    }
    for (const auto& f : fields_) {
      const ConfigNode* given = nullptr;
      for (const auto& [key, child] : entries) {
        if (key == f.key) given = &child;
      }
      if (given) {
        Sourced prov;
        prov.source = object_source;
        ConfigNode value = f.scalar ? unwrap_sourced(*given, prov) : *given;
        if (value.is_null()) value.fail(fmt::format("empty value for '{}'; give a value or remove the line", f.key));
        f.parse(value, out);
        if (provenance_member_ && f.scalar && f.key != "source") {
          prov.text = value.is_scalar() ? value.raw() : "";
          prov.where = value.location();
          if (prov.where.line == 0 && prov.where.file.rfind("--set", 0) == 0) prov.source = prov.where.file;
          (out.*provenance_member_)[f.key] = prov;
        }
      } else if (!f.on_missing) {
        const FieldDoc& d = doc_of(f.key);
        throw InputError(node.location(), join_path(node.path(), f.key),
                         fmt::format("missing field '{}' ({}): {}", f.key, d.type, d.doc));
      } else {
        f.on_missing(out);
        if (provenance_member_ && f.scalar && f.key != "source") {
          Sourced prov;
          prov.text = doc_of(f.key).default_text;
          prov.source = "fleetsim default";
          prov.defaulted = true;
          prov.where = node.location();
          (out.*provenance_member_)[f.key] = prov;
        }
      }
    }
    for (const auto& c : checks_) c(node, out);
  }

  // Parses only the fields present in `node` into an existing value (no defaults, nothing
  // required), then runs the checks: what-if overrides of catalog entries.
  void update(const ConfigNode& node, T& out) const {
    if (!node.is_map()) node.fail(fmt::format("expected a map of {} fields, got {}", name_, node.kind_name()));
    std::vector<std::string> known;
    for (const auto& f : fields_) known.push_back(f.key);
    for (const auto& [key, child] : node.entries()) {
      const Field* f = find_field(key);
      if (!f) fail_unknown_field(child, key, name_, known);
      Sourced prov;
      prov.source = node.location().to_string();
      ConfigNode value = f->scalar ? unwrap_sourced(child, prov) : child;
      if (value.is_null()) value.fail(fmt::format("empty value for '{}'", key));
      f->parse(value, out);
      if (provenance_member_ && f->scalar) {
        prov.text = value.is_scalar() ? value.raw() : "";
        prov.where = value.location();
        if (prov.source == node.location().to_string()) prov.source = "override at " + prov.where.to_string();
        (out.*provenance_member_)[key] = prov;
      }
    }
    for (const auto& c : checks_) c(node, out);
  }

  // The value as a map of its fields (absent optional sections left out), in declaration order.
  Json emit(const T& value, EmitMode mode) const {
    Json out = Json::object();
    for (const auto& f : fields_) {
      if (!f.emit) continue;
      Json v = f.emit(value, mode);
      if (!v.is_null()) out[f.key] = std::move(v);
    }
    return out;
  }

  // Every scalar figure of `value` (nested ones too) with its source, under `path`.
  void collect(const T& value, const std::string& path, std::vector<Assumption>& out) const {
    for (const auto& f : fields_) {
      const std::string p = join_path(path, f.key);
      if (f.collect) {
        f.collect(value, p, out);
        continue;
      }
      if (!f.scalar || !f.emit || f.key == "source") continue;
      Json v = f.emit(value, EmitMode::yaml);
      if (v.is_null()) continue;
      Assumption a;
      a.path = p;
      a.value = v.is_string() ? v.get<std::string>() : v.dump();
      if (provenance_member_) {
        const Provenance& prov = value.*provenance_member_;
        if (auto it = prov.find(f.key); it != prov.end()) {
          a.source = it->second.source;
          a.estimate = it->second.estimate;
          a.defaulted = it->second.defaulted;
          a.note = it->second.note;
        }
      }
      out.push_back(std::move(a));
    }
  }

  // Sets every optional field to its default (for an absent optional section).
  void apply_defaults(T& out) const {
    for (const auto& f : fields_) {
      if (f.on_missing) f.on_missing(out);
    }
  }

 private:
  struct Field {
    std::string key;
    ParseFn parse;
    DefaultFn on_missing;
    bool scalar;
    EmitFn emit;
    CollectFn collect = nullptr;  // nested objects and lists walk their own fields
  };

  const Field* find_field(const std::string& key) const {
    for (const auto& f : fields_) {
      if (f.key == key) return &f;
    }
    return nullptr;
  }
  const FieldDoc& doc_of(const std::string& key) const {
    for (const auto& d : docs_) {
      if (d.key == key) return d;
    }
    return docs_.front();
  }
  template <class V>
  static DefaultFn defaulter(V T::*m, const std::optional<V>& def) {
    if (!def) return nullptr;
    return [m, v = *def](T& t) { t.*m = v; };
  }
  static std::string quote(const std::string& s) { return "'" + s + "'"; }
  template <class V>
  static EmitFn plain(V T::*m) {
    return [m](const T& t, EmitMode) { return Json(t.*m); };
  }
  static Json emit_quantity(double v, Dim dim, EmitMode mode) {
    return mode == EmitMode::json ? Json(v) : Json(quantity_text(v, dim));
  }
  static std::string quantity_type(Dim dim, const Range& range) {
    std::string t = dim == Dim::count || dim == Dim::fraction
                        ? std::string(dim_noun(dim)).substr(2)
                        : fmt::format("{} ({}), e.g. '{}'", std::string(dim_noun(dim)).substr(2), dim_unit(dim),
                                      dim_example(dim));
    if (dim == Dim::fraction) t = "fraction, e.g. 0.39 or '39%'";
    if (auto r = range.describe(); !r.empty()) t += ", " + r;
    return t;
  }

  std::vector<Field> fields_;
  std::vector<CheckFn> checks_;
  std::string T::*source_member_ = nullptr;
  Provenance T::*provenance_member_ = nullptr;
};

}  // namespace fleetsim::core
