// One name table per enum: the names a value is read from (a command-line flag, a YAML field)
// and printed as, in one constexpr list. Parsing, printing, --help and the Schema's enum fields
// all read the same table, so a name cannot drift between them.
//
//   inline constexpr core::NameTable<Algorithm, 2> kAlgorithms({{Algorithm::ring, "ring"},
//                                                               {Algorithm::tree, "tree"}});
//   kAlgorithms.name_of(Algorithm::tree)        -> "tree"
//   kAlgorithms.parse("--algorithm", "trees")   -> throws InputError:
//       --algorithm 'trees' is not one of 'ring', 'tree' (did you mean 'tree'?)
//   kAlgorithms.options()                       -> {{"ring", ring}, {"tree", tree}} for Schema::choice
//
// The table's order is the order names are listed in (errors, --help, describe), which need not
// be the enum's.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/text.h"

namespace fleetsim::core {

template <class E>
struct Named {
  E value;
  std::string_view name;
};

template <class E, size_t N>
class NameTable {
 public:
  constexpr explicit NameTable(const Named<E> (&entries)[N]) {
    for (size_t i = 0; i < N; ++i) entries_[i] = entries[i];
  }

  // The value's name; "?" for a value the table does not list (a bug where it happens).
  constexpr std::string_view name_of(E value) const {
    for (const auto& e : entries_) {
      if (e.value == value) return e.name;
    }
    return "?";
  }

  // The value of an exact name, or nullopt.
  constexpr std::optional<E> find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.name == name) return e.value;
    }
    return std::nullopt;
  }

  // The value of `text`, or an InputError "<what> '<text>' is not one of 'a', 'b'<hint>", the
  // hint a did-you-mean by edit distance, else the one name that `text` begins.
  E parse(std::string_view what, const std::string& text) const {
    if (auto v = find(text)) return *v;
    const std::vector<std::string> known = names();
    std::vector<std::string> prefixed;
    for (const auto& e : entries_) {
      if (!text.empty() && e.name.starts_with(text)) prefixed.emplace_back(e.name);
    }
    std::string hint = did_you_mean(text, known);
    if (hint.empty() && prefixed.size() == 1) hint = fmt::format(" (did you mean '{}'?)", prefixed.front());
    throw InputError(fmt::format("{} '{}' is not one of {}{}", what, text, join_quoted(known), hint));
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.emplace_back(e.name);
    return out;
  }
  // 'a', 'b' or 'c' (core::join_quoted), for --help and messages.
  std::string choices() const { return join_quoted(names()); }
  // The (name, value) pairs Schema::choice reads.
  std::vector<std::pair<std::string, E>> options() const {
    std::vector<std::pair<std::string, E>> out;
    for (const auto& e : entries_) out.emplace_back(std::string(e.name), e.value);
    return out;
  }
  const std::array<Named<E>, N>& entries() const { return entries_; }

 private:
  std::array<Named<E>, N> entries_{};
};

}  // namespace fleetsim::core
