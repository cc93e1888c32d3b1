// Bad input is rejected with one InputError naming the file, the line and the field: the check
// every malformed file under tests/data/bad/ goes through, whoever reads it.
#pragma once

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

#include "core/error.h"

namespace fleetsim::test {

struct BadInput {
  const char* file;     // under tests/data/bad/
  int line;             // 0: the error has no line (an empty file)
  const char* field;    // the dotted field path named in the message, "" for none
  const char* message;  // a part of the message
};

// Calls read(path) on the case's file, which must throw core::InputError naming it.
template <class Read>
void expect_rejected(const BadInput& c, Read&& read) {
  using Catch::Matchers::ContainsSubstring;
  const std::string path = std::string(FLEETSIM_TEST_DATA) + "/bad/" + c.file;
  INFO(c.file);
  try {
    read(path);
    FAIL("accepted " << c.file);
  } catch (const core::InputError& e) {
    INFO(e.what());
    CHECK(e.where().file == path);
    CHECK(e.where().line == c.line);
    CHECK(e.field() == c.field);
    CHECK_THAT(e.message(), ContainsSubstring(c.message));
    // The one-line form the CLI prints starts with file:line.
    if (c.line > 0) CHECK_THAT(std::string(e.what()), ContainsSubstring(path + ":" + std::to_string(c.line)));
  }
}

}  // namespace fleetsim::test
