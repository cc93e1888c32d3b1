// The field facility of the result document: each section struct declares its fields once, in
// a static `fields(s, v)` that calls v(key, member, unit) in the order the keys are written, and
// every use of the document walks that one declaration:
//   to_json(x)            the JSON the commands write (core::Json, keys in declaration order);
//   from_json<T>(j)       the strict read: a missing required key, an unknown key or a value of
//                         the wrong JSON type is a core::InputError naming its JSON path
//                         ("training.stages[2].seq_len: missing key");
//   key_paths<T>()        every key with its unit ("training.stages[].seq_len"), for the
//                         docs/results.md check and for describing the document.
//
// Why a sibling of core::Schema and not Schema itself: Schema reads YAML through ConfigNode
// (file:line positions, units written as text, defaults, ranges, provenance) and writes YAML back;
// a result document is JSON whose numbers must keep their JSON type (62914560.0 stays a double,
// 2048 an integer), has no defaults, no ranges and no sources, and must round-trip byte for byte.
// Bending Schema to both would give every field two unrelated halves; this facility is the
// JSON-typed half only, in the same declare-once style.
//
// Value kinds: double (JSON float), std::int64_t (JSON integer), bool, std::string, a struct with
// fields(), std::vector<X> (array), Keyed<X> (an object whose keys are data, e.g. node kinds,
// kept in order), std::optional<X> (key absent when empty) and Nullable<X> (key always there,
// null when empty).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/schema.h"  // core::Json

namespace fleetsim::result {

using core::Json;

template <class X>
using Keyed = std::vector<std::pair<std::string, X>>;

// A value written as JSON null when empty (where "none" is itself an answer, e.g. plan.best).
template <class X>
struct Nullable {
  std::optional<X> value;
};

// One key of the document: its dotted path ("[]" for array items, "{}" for data keys) and unit.
struct KeyPath {
  std::string path;
  std::string unit;
};

namespace detail {

template <class T> struct is_vector : std::false_type {};
template <class X> struct is_vector<std::vector<X>> : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class X> struct is_optional<std::optional<X>> : std::true_type {};
template <class T> struct is_keyed : std::false_type {};
template <class X> struct is_keyed<Keyed<X>> : std::true_type {};
template <class T> struct is_nullable : std::false_type {};
template <class X> struct is_nullable<Nullable<X>> : std::true_type {};

[[noreturn]] inline void fail(const std::string& path, const std::string& what) {
  throw core::InputError((path.empty() ? std::string("result document") : path) + ": " + what);
}

inline std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

template <class T>
Json emit(const T& x);

struct Emitter {
  Json* out;
  template <class M>
  void operator()(const char* key, const M& m, const char* /*unit*/) {
    if constexpr (is_optional<M>::value) {
      if (m) (*out)[key] = emit(*m);
    } else {
      (*out)[key] = emit(m);
    }
  }
};

template <class T>
Json emit(const T& x) {
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, bool> ||
                std::is_same_v<T, std::string>) {
    return Json(x);
  } else if constexpr (is_vector<T>::value && !is_keyed<T>::value) {
    Json a = Json::array();
    for (const auto& e : x) a.push_back(emit(e));
    return a;
  } else if constexpr (is_keyed<T>::value) {
    Json o = Json::object();
    for (const auto& [k, v] : x) o[k] = emit(v);
    return o;
  } else if constexpr (is_nullable<T>::value) {
    return x.value ? emit(*x.value) : Json(nullptr);
  } else {
    Json o = Json::object();
    Emitter e{&o};
    T::fields(x, e);
    return o;
  }
}

template <class T>
void read(const Json& j, const std::string& path, T& out);

struct Reader {
  const Json* in;
  std::string path;
  std::size_t seen = 0;
  template <class M>
  void operator()(const char* key, M& m, const char* /*unit*/) {
    auto it = in->find(key);
    if (it == in->end()) {
      if constexpr (is_optional<M>::value) {
        m.reset();
        return;
      } else {
        fail(join(path, key), "missing key");
      }
    }
    ++seen;
    if constexpr (is_optional<M>::value) {
      m.emplace();
      read(*it, join(path, key), *m);
    } else {
      read(*it, join(path, key), m);
    }
  }
};

struct KeyNames {
  std::vector<std::string> keys;
  template <class M>
  void operator()(const char* key, M&, const char*) { keys.emplace_back(key); }
};

template <class T>
void read(const Json& j, const std::string& path, T& out) {
  if constexpr (std::is_same_v<T, double>) {
    if (!j.is_number_float()) fail(path, "expected a floating-point number, got " + j.dump());
    out = j.get<double>();
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    if (!j.is_number_integer()) fail(path, "expected an integer, got " + j.dump());
    out = j.get<std::int64_t>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) fail(path, "expected true or false, got " + j.dump());
    out = j.get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) fail(path, "expected a string, got " + j.dump());
    out = j.get<std::string>();
  } else if constexpr (is_keyed<T>::value) {
    if (!j.is_object()) fail(path, "expected an object");
    out.clear();
    for (auto it = j.begin(); it != j.end(); ++it) {
      out.emplace_back(it.key(), typename T::value_type::second_type{});
      read(it.value(), path + "." + it.key(), out.back().second);
    }
  } else if constexpr (is_vector<T>::value) {
    if (!j.is_array()) fail(path, "expected an array");
    out.clear();
    out.resize(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) read(j[i], path + "[" + std::to_string(i) + "]", out[i]);
  } else if constexpr (is_nullable<T>::value) {
    if (j.is_null()) {
      out.value.reset();
    } else {
      out.value.emplace();
      read(j, path, *out.value);
    }
  } else {
    if (!j.is_object()) fail(path, "expected an object");
    Reader r{&j, path};
    T::fields(out, r);
    if (r.seen != j.size()) {
      KeyNames names;
      T::fields(out, names);
      for (auto it = j.begin(); it != j.end(); ++it) {
        bool known = false;
        for (const auto& k : names.keys) known = known || k == it.key();
        if (!known) fail(join(path, it.key()), "unknown key");
      }
    }
  }
}

template <class T>
void collect(const std::string& path, const char* unit, std::vector<KeyPath>& out);

struct Collector {
  std::string path;
  std::vector<KeyPath>* out;
  template <class M>
  void operator()(const char* key, const M&, const char* unit) {
    collect<M>(join(path, key), unit, *out);
  }
};

// The keys inside X (an array item, a data-keyed value or a section), under `path`.
template <class X>
void collect_inside(const std::string& path, std::vector<KeyPath>& out) {
  if constexpr (std::is_class_v<X> && !std::is_same_v<X, std::string> && !is_vector<X>::value) {
    Collector c{path, &out};
    X probe{};
    X::fields(probe, c);
  }
}

template <class T>
void collect(const std::string& path, const char* unit, std::vector<KeyPath>& out) {
  if constexpr (is_optional<T>::value) {
    collect<typename T::value_type>(path, unit, out);
  } else if constexpr (is_nullable<T>::value) {
    collect<typename decltype(T::value)::value_type>(path, unit, out);
  } else {
    if (!path.empty()) out.push_back({path, unit});
    if constexpr (is_keyed<T>::value) {
      collect_inside<typename T::value_type::second_type>(path + "{}", out);
    } else if constexpr (is_vector<T>::value) {
      collect_inside<typename T::value_type>(path + "[]", out);
    } else {
      collect_inside<T>(path, out);
    }
  }
}

}  // namespace detail

// The JSON the commands write for x (a section, a row, or the whole Document).
template <class T>
Json to_json(const T& x) {
  return detail::emit(x);
}

// The strict read of j as a T; `path` is where j sits in the document ("" for the root).
template <class T>
T from_json(const Json& j, const std::string& path = "") {
  T out{};
  detail::read(j, path, out);
  return out;
}

// Every key T declares, depth first, as dotted paths under `root`.
template <class T>
std::vector<KeyPath> key_paths(const std::string& root = "") {
  std::vector<KeyPath> out;
  detail::collect<T>(root, "", out);
  return out;
}

}  // namespace fleetsim::result
