// Plain-text tables for the terminal: left-aligned labels, right-aligned figures.
#pragma once

#include <string>
#include <vector>

namespace fleetsim::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header = {}) : header_(std::move(header)) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // A section title spanning the table.
  void section(std::string title) { rows_.push_back({"\x01" + std::move(title)}); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fleetsim::cli
