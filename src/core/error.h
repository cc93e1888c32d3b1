// Errors in fleetsim come in two kinds (as in DuckDB):
//  - InputError: the user's input is wrong (a file, a --set override, a flag). It carries where
//    (file, line, column) and which field, and the CLI turns it into one line and exit code 2.
//  - internal invariants: FLEETSIM_CHECK. No user input may ever trigger one; when one fails it
//    is a fleetsim bug, reported with the source position and exit code 70.
#pragma once

#include <stdexcept>
#include <string>

namespace fleetsim::core {

// A position in an input. line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;  // a path, or an origin such as "--set training.pp=8"
  int line = 0;
  int column = 0;

  std::string to_string() const;  // "file:line:col", "file:line", or "file"
};

class InputError : public std::runtime_error {
 public:
  // field: the dotted path of the offending field ("training.parallelism.pp"), or empty.
  InputError(SourceLocation where, std::string field, std::string message);
  // An error not tied to a file (a bad command-line flag, say).
  explicit InputError(std::string message);

  const SourceLocation& where() const { return where_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string field_;
  std::string message_;
};

// Thrown by FLEETSIM_CHECK. Never caught except by main().
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void fail_check(const char* expr, const char* file, int line, const std::string& why);

}  // namespace fleetsim::core

// Asserts an internal invariant; active in every build type.
#define FLEETSIM_CHECK(cond, why)                                           \
  do {                                                                      \
    if (!(cond)) ::fleetsim::core::fail_check(#cond, __FILE__, __LINE__, (why)); \
  } while (false)
