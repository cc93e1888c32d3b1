// docs/results.md is checked against the definition in result/document.h: under each heading
// "## <section>[, <section> ...]" its tables must name (in backticks) every key the section
// declares at any depth (a name inside a backticked span counts: `{p50, p90, p99}`), and every
// key a table row starts with (its first cell's backticked single names) must be one the
// section declares.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "result/document.h"

using namespace fleetsim;

namespace {

// The last component of a key path: "training.stages[].seq_len" -> "seq_len".
std::string leaf(std::string path) {
  for (const char* mark : {"[]", "{}"})
    while (path.size() >= 2 && path.ends_with(mark)) path.resize(path.size() - 2);
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

struct DocSection {
  std::set<std::string> mentioned;  // every `name` in its table rows
  std::set<std::string> row_keys;   // every `name` in the first cell of a row
};

std::map<std::string, DocSection> read_doc() {
  std::ifstream in(std::filesystem::path(FLEETSIM_SOURCE_DIR) / "docs/results.md");
  REQUIRE(in);
  std::map<std::string, DocSection> out;
  std::vector<std::string> current;
  const std::regex span("`([^`]+)`");
  const std::regex identifier("[a-z_][a-z_0-9]*");
  const std::regex single("`([a-z_0-9]+)`");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      current.clear();
      std::stringstream names(line.substr(3));
      std::string name;
      while (std::getline(names, name, ',')) {
        name.erase(0, name.find_first_not_of(' '));
        current.push_back(name);
      }
      continue;
    }
    if (!line.starts_with("| `")) continue;
    const auto cell_end = line.find(" |", 1);
    const std::string first = line.substr(0, cell_end);
    for (const auto& section : current) {
      for (std::sregex_iterator it(line.begin(), line.end(), span), end; it != end; ++it) {
        const std::string inside = (*it)[1];
        for (std::sregex_iterator n(inside.begin(), inside.end(), identifier); n != end; ++n)
          out[section].mentioned.insert(n->str());
      }
      for (std::sregex_iterator it(first.begin(), first.end(), single), end; it != end; ++it)
        out[section].row_keys.insert((*it)[1]);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("docs/results.md documents every key of the result document and no other") {
  const auto doc = read_doc();
  std::map<std::string, std::set<std::string>> declared;  // section -> key names at any depth
  for (const auto& k : result::key_paths<result::Document>()) {
    const auto dot = k.path.find_first_of(".[");
    const std::string section = k.path.substr(0, dot);
    if (dot != std::string::npos) declared[section].insert(leaf(k.path));
  }
  for (const auto& [section, keys] : declared) {
    INFO("section " << section);
    REQUIRE(doc.count(section) == 1);
    const auto& d = doc.at(section);
    for (const auto& key : keys) {
      INFO("key " << key << " is not documented");
      CHECK(d.mentioned.count(key) == 1);
    }
    for (const auto& key : d.row_keys) {
      INFO("documented key " << key << " is not in the definition");
      CHECK(keys.count(key) == 1);
    }
  }
}
