#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <functional>

#include "core/config.h"

using namespace fleetsim::core;
using Catch::Matchers::ContainsSubstring;

namespace {
InputError error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError thrown");
  return InputError("unreachable");
}
}  // namespace

TEST_CASE("nodes know their file, line and path") {
  auto doc = ConfigDoc::load_string("a:\n  b: 1\n  list:\n    - x: 2\n    - x: 3\n", "f.yaml");
  auto root = doc.root();
  auto b = root.require("a").require("b");
  CHECK(b.path() == "a.b");
  CHECK(b.location().to_string() == "f.yaml:2:6");
  auto elems = root.require("a").require("list").elements();
  REQUIRE(elems.size() == 2);
  CHECK(elems[1].require("x").path() == "a.list[1].x");
  CHECK(elems[1].require("x").location().line == 5);
}

TEST_CASE("syntax errors, empty files and missing files name the file") {
  auto e = error_of([] { ConfigDoc::load_string("a: [1, 2\nb: 3\n", "broken.yaml"); });
  CHECK(e.where().file == "broken.yaml");
  CHECK(e.where().line >= 1);
  CHECK_THAT(e.message(), ContainsSubstring("YAML syntax error"));
  e = error_of([] { ConfigDoc::load_string("", "empty.yaml"); });
  CHECK_THAT(std::string(e.what()), ContainsSubstring("empty.yaml: the file is empty"));
  e = error_of([] { ConfigDoc::load_file("/nonexistent/x.yaml"); });
  CHECK_THAT(std::string(e.what()), ContainsSubstring("no such file"));
}

TEST_CASE("duplicate keys are errors, not silently merged") {
  auto doc = ConfigDoc::load_string("a: 1\nb: 2\na: 3\n", "dup.yaml");
  auto e = error_of([&] { doc.root().entries(); });
  CHECK(e.where().line == 3);
  CHECK_THAT(e.message(), ContainsSubstring("given twice"));
}

TEST_CASE("scalars convert strictly") {
  auto doc = ConfigDoc::load_string("i: 2048\nk: 2K\nf: 1.5\nb: true\ny: yes\nq: 3.35 TB/s\ns: [1]\n", "t.yaml");
  auto r = doc.root();
  CHECK(r.require("i").as_integer() == 2048);
  CHECK(r.require("k").as_integer() == 2000);
  CHECK_THAT(error_of([&] { r.require("f").as_integer(); }).message(), ContainsSubstring("not an integer"));
  CHECK(r.require("b").as_bool());
  CHECK_THAT(error_of([&] { r.require("y").as_bool(); }).message(), ContainsSubstring("write true or false"));
  CHECK(r.require("q").as_quantity(Dim::bytes_per_s) == 3.35e12);
  CHECK_THAT(error_of([&] { r.require("s").as_string(); }).message(), ContainsSubstring("got a list"));
  auto missing = error_of([&] { r.require("nope"); });
  CHECK(missing.field() == "nope");
}

TEST_CASE("overrides set values and are named as the origin") {
  auto doc = ConfigDoc::load_string("training:\n  pp: 16\n  stages:\n    - tokens: 1T\n", "s.yaml");
  doc.apply_override("training.pp=8");
  doc.apply_override("training.stages[0].tokens=2T");
  doc.apply_override("training.new.deep=1");
  auto t = doc.root().require("training");
  CHECK(t.require("pp").as_integer() == 8);
  CHECK(t.require("pp").location().file == "--set training.pp=8");
  CHECK(t.require("stages").elements()[0].require("tokens").as_quantity(Dim::count) == 2e12);
  CHECK(t.require("new").require("deep").as_integer() == 1);
  doc.apply_override("models[llama-3.1-8b].layers=40");
  CHECK(doc.root().require("models").require("llama-3.1-8b").require("layers").as_integer() == 40);
  CHECK(doc.root().require("models").require("llama-3.1-8b").path() == "models[llama-3.1-8b]");
  CHECK_THAT(error_of([&] { doc.apply_override("training.pp.x=1"); }).message(),
             ContainsSubstring("is a value, not a map"));
  CHECK_THAT(error_of([&] { doc.apply_override("training.stages.5.tokens=1"); }).message(),
             ContainsSubstring("list of 1 elements"));
  CHECK_THAT(error_of([&] { doc.apply_override("no_equals_sign"); }).message(),
             ContainsSubstring("path.to.field=value"));
}
