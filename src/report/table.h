// Plain-text tables for the terminal: left-aligned labels, right-aligned figures. Every table a
// command prints is one of these (report/terminal.h builds those of the result document).
#pragma once

#include <string>
#include <vector>

namespace fleetsim::report {

class Table {
 public:
  explicit Table(std::vector<std::string> header = {}) : header_(std::move(header)) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // A section title spanning the table.
  void section(const std::string& title);
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fleetsim::report
