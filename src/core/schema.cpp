#include "core/schema.h"

#include <set>

namespace fleetsim::core {

bool Range::contains(double v) const {
  if (lo_open ? !(v > lo) : !(v >= lo)) return false;
  if (hi_open ? !(v < hi) : !(v <= hi)) return false;
  return true;
}

std::string Range::describe() const {
  const bool has_lo = lo != -std::numeric_limits<double>::infinity();
  const bool has_hi = hi != std::numeric_limits<double>::infinity();
  if (has_lo && has_hi) {
    if (!lo_open && !hi_open) return fmt::format("between {} and {}", lo, hi);
    return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
  }
  if (has_lo) return fmt::format("{} {}", lo_open ? ">" : ">=", lo);
  if (has_hi) return fmt::format("{} {}", hi_open ? "<" : "<=", hi);
  return "";
}

std::string quantity_text(double v, Dim dim) {
  // Shortest text that reads back to the same double, then the canonical unit.
  std::string number = fmt::format("{}", v);
  switch (dim) {
    case Dim::count:
    case Dim::fraction: return number;
    case Dim::bytes: return number + " B";
    case Dim::bytes_per_s: return number + " B/s";
    case Dim::flop: return number + " FLOP";
    case Dim::flop_per_s: return number + " FLOP/s";
    case Dim::seconds: return number + " s";
    case Dim::hertz: return number + " Hz";
    case Dim::watts: return number + " W";
    case Dim::usd: return number + " USD";
    case Dim::usd_per_hour: return number + " USD/h";
    case Dim::usd_per_kwh: return number + " USD/kWh";
    case Dim::usd_per_kw_month: return number + " USD/kW-month";
    case Dim::usd_per_watt: return number + " USD/W";
    case Dim::usd_per_year: return number + " USD/year";
    case Dim::usd_per_mtok: return number + " USD/Mtok";
  }
  return number;
}

void fail_unknown_field(const ConfigNode& node, const std::string& key, const std::string& schema_name,
                        const std::vector<std::string>& known) {
  throw InputError(node.location(), node.path(),
                   fmt::format("unknown field '{}' in {}{}", key, schema_name, did_you_mean(key, known)));
}

const SourceLocation& location_of(const Provenance& p, const std::string& key) {
  static const SourceLocation none;
  auto it = p.find(key);
  return it == p.end() ? none : it->second.where;
}

void check_range(const ConfigNode& node, double v, const Range& r) {
  if (r.contains(v)) return;
  std::string shown = node.is_scalar() ? node.raw() : fmt::format("{}", v);
  node.fail(fmt::format("must be {}, got {}", r.describe(), shown));
}

ConfigNode unwrap_sourced(const ConfigNode& node, Sourced& prov) {
  if (!node.is_map()) return node;
  static const std::vector<std::string> keys = {"value", "source", "estimate", "note"};
  for (const auto& [key, child] : node.entries()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      fail_unknown_field(child, key, "sourced value", keys);
    }
  }
  ConfigNode value = node.require("value", "a sourced figure is {value: ..., source: ...}");
  if (auto s = node.get("source")) prov.source = s->as_string();
  if (auto e = node.get("estimate")) prov.estimate = e->as_bool();
  if (auto n = node.get("note")) prov.note = n->as_string();
  return value;
}

std::string SchemaBase::describe() const {
  std::string out;
  std::set<const SchemaBase*> done;
  std::vector<const SchemaBase*> todo{this};
  while (!todo.empty()) {
    const SchemaBase* s = todo.front();
    todo.erase(todo.begin());
    if (!done.insert(s).second) continue;
    if (!out.empty()) out += "\n";
    out += fmt::format("<{}>: {}\n", s->name(), s->doc());
    size_t width = 0;
    for (const auto& f : s->fields()) width = std::max(width, f.key.size());
    for (const auto& f : s->fields()) {
      std::string presence = f.required ? "required" : "default " + (f.default_text.empty() ? "-" : f.default_text);
      out += fmt::format("  {:<{}}  {}; {}\n  {:<{}}  {}\n", f.key, width, f.type, presence, "", width, f.doc);
    }
    for (const auto* c : s->children()) todo.push_back(c);
  }
  return out;
}

}  // namespace fleetsim::core
