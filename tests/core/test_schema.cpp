#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "core/schema.h"

using namespace fleetsim::core;
using Catch::Matchers::ContainsSubstring;

namespace {

enum class Color { red, green };

struct Inner {
  int n = 0;
};

struct Thing {
  std::string id;
  double bw = 0;
  int count = 0;
  Color color = Color::red;
  bool flag = false;
  std::optional<double> extra;
  Inner inner;
  std::vector<Inner> items;
  std::string source;
  Provenance provenance;
};

const Schema<Inner>& inner_schema() {
  static const auto s = Schema<Inner>("inner", "An inner thing.").integer("n", &Inner::n, "A number.", at_least(0), 7);
  return s;
}

const Schema<Thing>& thing_schema() {
  static const auto s =
      Schema<Thing>("thing", "A test thing.")
          .provenance(&Thing::provenance)
          .text("id", &Thing::id, "Identifier.")
          .source(&Thing::source)
          .quantity("bw", &Thing::bw, Dim::bytes_per_s, "Bandwidth.", positive())
          .integer("count", &Thing::count, "Count.", between(1, 10), 3)
          .choice("color", &Thing::color, {{"red", Color::red}, {"green", Color::green}}, "Colour.", Color::red)
          .flag("flag", &Thing::flag, "Flag.", false)
          .quantity("extra", &Thing::extra, Dim::watts, "Optional power.", non_negative())
          .object("inner", &Thing::inner, inner_schema(), "Inner.", false)
          .list("items", &Thing::items, inner_schema(), "Items.", false, 0)
          .check([](const ConfigNode& n, Thing& t) {
            if (t.flag && t.count > 5) n.fail_at("count", "flag allows at most 5");
          });
  return s;
}

InputError error_of(std::string_view yaml) {
  try {
    thing_schema().parse(ConfigDoc::load_string(yaml, "thing.yaml").root());
  } catch (const InputError& e) {
    return e;
  }
  FAIL("accepted: " << yaml);
  return InputError("unreachable");
}

}  // namespace

TEST_CASE("a schema parses, applies defaults and records provenance") {
  auto doc = ConfigDoc::load_string(
      "id: x\nsource: the datasheet\nbw: {value: 3.35 TB/s, source: a paper, estimate: true}\ncolor: green\n"
      "items: [{n: 1}, {}]\n",
      "thing.yaml");
  Thing t = thing_schema().parse(doc.root());
  CHECK(t.id == "x");
  CHECK(t.bw == 3.35e12);
  CHECK(t.count == 3);
  CHECK(t.color == Color::green);
  CHECK_FALSE(t.extra.has_value());
  CHECK(t.inner.n == 7);
  REQUIRE(t.items.size() == 2);
  CHECK(t.items[1].n == 7);
  CHECK(t.provenance.at("bw").source == "a paper");
  CHECK(t.provenance.at("bw").estimate);
  CHECK(t.provenance.at("bw").text == "3.35 TB/s");
  CHECK(t.provenance.at("color").source == "the datasheet");
  CHECK(t.provenance.at("count").defaulted);
}

TEST_CASE("a schema rejects bad input with file, line and field") {
  auto e = error_of("id: x\nsource: s\nbw: 1 TB/s\nbandwidth: 2\n");
  CHECK(e.where().line == 4);
  CHECK_THAT(e.message(), ContainsSubstring("unknown field 'bandwidth'"));
  e = error_of("id: x\nsource: s\nbww: 1 TB/s\n");
  CHECK_THAT(e.message(), ContainsSubstring("did you mean 'bw'"));
  e = error_of("id: x\nsource: s\n");
  CHECK(e.field() == "bw");
  CHECK_THAT(e.message(), ContainsSubstring("missing field 'bw'"));
  e = error_of("id: x\nsource: s\nbw: -1 TB/s\n");
  CHECK_THAT(e.message(), ContainsSubstring("must be > 0"));
  e = error_of("id: x\nsource: s\nbw: 1 TB/s\ncount: 11\n");
  CHECK(e.field() == "count");
  CHECK_THAT(e.message(), ContainsSubstring("between 1 and 10"));
  e = error_of("id: x\nsource: s\nbw: 1 TB/s\ncolor: gren\n");
  CHECK_THAT(e.message(), ContainsSubstring("did you mean 'green'"));
  e = error_of("id: x\nsource: s\nbw: 1 TB/s\nflag: true\ncount: 6\n");
  CHECK(e.where().line == 5);
  CHECK_THAT(e.message(), ContainsSubstring("at most 5"));
  e = error_of("id: x\nsource: s\nbw: 1 TB/s\ninner: {n: -1}\n");
  CHECK(e.field() == "inner.n");
  e = error_of("id: x\nsource: s\nbw:\n");
  CHECK_THAT(e.message(), ContainsSubstring("empty value"));
  e = error_of("- 1\n- 2\n");
  CHECK_THAT(e.message(), ContainsSubstring("expected a map"));
  e = error_of("id: x\nsource: s\nbw: {value: 1 TB/s, sauce: y}\n");
  CHECK_THAT(e.message(), ContainsSubstring("did you mean 'source'"));
}

TEST_CASE("update changes only the fields given") {
  Thing t = thing_schema().parse(ConfigDoc::load_string("id: x\nsource: s\nbw: 1 TB/s\n", "a.yaml").root());
  thing_schema().update(ConfigDoc::load_string("bw: 2 TB/s\n", "b.yaml").root(), t);
  CHECK(t.bw == 2e12);
  CHECK(t.count == 3);
  CHECK(t.provenance.at("bw").where.file == "b.yaml");
}

TEST_CASE("emitting YAML text parses back to the same value") {
  Thing t = thing_schema().parse(
      ConfigDoc::load_string("id: x\nsource: s\nbw: 3.35 TB/s\nextra: 10.2 kW\nitems: [{n: 2}]\n", "a.yaml").root());
  Json yaml = thing_schema().emit(t, EmitMode::yaml);
  CHECK(yaml["bw"] == "3350000000000 B/s");
  Thing back = thing_schema().parse(ConfigDoc::load_string(yaml.dump(), "back.yaml").root());
  CHECK(thing_schema().emit(back, EmitMode::json) == thing_schema().emit(t, EmitMode::json));
  CHECK(thing_schema().emit(t, EmitMode::json)["bw"] == 3.35e12);
}

TEST_CASE("describe lists every field with its unit and default") {
  const std::string d = thing_schema().describe();
  CHECK_THAT(d, ContainsSubstring("<thing>: A test thing."));
  CHECK_THAT(d, ContainsSubstring("bandwidth (bytes/s)"));
  CHECK_THAT(d, ContainsSubstring("default 3"));
  CHECK_THAT(d, ContainsSubstring("<inner>: An inner thing."));
}

TEST_CASE("collect lists every figure with its source, nested ones included") {
  Thing t = thing_schema().parse(ConfigDoc::load_string(
      "id: x\nsource: the datasheet\nbw: {value: 3.35 TB/s, source: a paper, estimate: true}\nitems: [{n: 2}]\n",
      "a.yaml").root());
  std::vector<Assumption> out;
  thing_schema().collect(t, "things.x", out);
  auto find = [&](const std::string& path) -> const Assumption* {
    for (const auto& a : out) {
      if (a.path == path) return &a;
    }
    return nullptr;
  };
  REQUIRE(find("things.x.bw"));
  CHECK(find("things.x.bw")->value == "3350000000000 B/s");
  CHECK(find("things.x.bw")->source == "a paper");
  CHECK(find("things.x.bw")->estimate);
  CHECK(find("things.x.count")->defaulted);
  CHECK(find("things.x.id")->source == "the datasheet");  // given, inherits the object source
  CHECK(find("things.x.color")->source == "fleetsim default");
  CHECK(find("things.x.items[0].n"));
  CHECK(find("things.x.inner.n"));
  CHECK_FALSE(find("things.x.extra"));  // absent optional figure: not an assumption
  CHECK_FALSE(find("things.x.source"));
}

namespace {

enum class Shade { light, dark };
inline constexpr NameTable<Shade, 2> kShades({{Shade::light, "light"}, {Shade::dark, "dark"}});

struct Painted {
  Shade shade = Shade::light;
};

const Schema<Painted>& painted_schema() {
  static const auto s = Schema<Painted>("painted", "A painted thing.")
                            .choice("shade", &Painted::shade, kShades, "Shade.", Shade::dark);
  return s;
}

}  // namespace

TEST_CASE("a choice declared by a name table parses, describes and emits by the table") {
  const auto& s = painted_schema();
  CHECK(s.fields().at(0).type == "one of " + kShades.choices());
  CHECK(s.fields().at(0).default_text == "dark");
  CHECK(s.parse(ConfigDoc::load_string("shade: light\n", "p.yaml").root()).shade == Shade::light);
  CHECK(s.parse(ConfigDoc::load_string("{}\n", "p.yaml").root()).shade == Shade::dark);
  CHECK(s.emit(Painted{Shade::dark}, EmitMode::json).dump() == R"({"shade":"dark"})");
  try {
    s.parse(ConfigDoc::load_string("shade: drak\n", "p.yaml").root());
    FAIL("accepted a shade the table does not list");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), ContainsSubstring("'drak' is not one of 'light' or 'dark' (did you mean 'dark'?)"));
  }
}
