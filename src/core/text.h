// Small text helpers shared by the loaders and the CLI.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::core {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

// Edit distance (insertions, deletions, substitutions).
size_t levenshtein(std::string_view a, std::string_view b);

// The closest candidate when it is close enough to be a likely typo, else empty.
std::string closest_match(std::string_view word, std::span<const std::string> candidates);
// Every candidate tied for closest, when close enough to be a likely typo.
std::vector<std::string> closest_matches(std::string_view word, std::span<const std::string> candidates);
// " (did you mean 'x'?)", " (did you mean 'x' or 'y'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

// 'a', 'b' or 'c'
std::string join_quoted(std::span<const std::string_view> items);
std::string join_quoted(std::span<const std::string> items);
std::string join(std::span<const std::string> items, std::string_view sep);

// Splits on a separator; empty pieces kept.
std::vector<std::string> split(std::string_view s, char sep);

}  // namespace fleetsim::core
