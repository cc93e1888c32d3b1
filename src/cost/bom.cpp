#include "cost/bom.h"

#include <fmt/format.h>

#include "core/error.h"

namespace fleetsim::cost {

bool is_capex(Category c) {
  return c == Category::servers || c == Category::network || c == Category::storage || c == Category::facility;
}

namespace {

// The clusters asked for, or (0) as few as one fabric of the kind can hold: ceil(E / max).
int cluster_count(topo::FabricKind kind, int64_t endpoints, int switch_ports, double oversubscription, int planes,
                  int clusters) {
  if (clusters > 0) return clusters;
  const int64_t most = topo::max_endpoints(kind, switch_ports, oversubscription, planes);
  return static_cast<int>((endpoints + most - 1) / most);
}

}  // namespace

std::optional<core::Infeasibility> check_clustered_fabric(topo::FabricKind kind, int64_t endpoints, int switch_ports,
                                                          double oversubscription, int planes, int clusters) {
  FLEETSIM_CHECK(endpoints > 0 && clusters >= 0, "clustered_fabric needs endpoints > 0 and clusters >= 0");
  clusters = cluster_count(kind, endpoints, switch_ports, oversubscription, planes, clusters);
  if (clusters > endpoints) {
    core::Infeasibility crowded;
    crowded.kind = core::Infeasible::capacity;
    crowded.message = fmt::format("{} clusters for {} endpoints: a cluster needs at least one", clusters, endpoints);
    return crowded;
  }
  const int64_t largest = endpoints / clusters + (endpoints % clusters != 0 ? 1 : 0);
  auto why = topo::check_fabric(kind, largest, switch_ports, oversubscription, planes);
  if (why) why->kind = core::Infeasible::capacity;
  return why;
}

std::vector<topo::FabricInventory> clustered_fabric(topo::FabricKind kind, int64_t endpoints, int switch_ports,
                                                    double oversubscription, int planes, int clusters) {
  if (auto why = check_clustered_fabric(kind, endpoints, switch_ports, oversubscription, planes, clusters)) {
    core::raise(*why);
  }
  clusters = cluster_count(kind, endpoints, switch_ports, oversubscription, planes, clusters);
  std::vector<topo::FabricInventory> out;
  for (int c = 0; c < clusters; ++c) {
    const int64_t e = endpoints / clusters + (c < endpoints % clusters ? 1 : 0);
    out.push_back(topo::fabric_inventory(kind, e, switch_ports, oversubscription, planes));
  }
  return out;
}

namespace {

// The source of a catalog price: the typical bound's own source, else the entry's.
void price_origin(const hw::PriceRange& p, const std::string& entry_source, BomLine& line) {
  auto it = p.provenance.find("typical");
  const bool own = it != p.provenance.end() && !it->second.source.empty();
  line.price_source = own ? it->second.source : entry_source;
  line.price_estimate = it != p.provenance.end() && it->second.estimate;
  if (it != p.provenance.end() && !it->second.note.empty()) line.note = it->second.note;
}

hw::PriceRange fixed_price(double usd) { return {usd, usd, usd, {}}; }

template <class Spec>
BomLine catalog_line(const std::string& group, Category cat, const std::string& what, const Spec& spec,
                     const char* section, double quantity, double unit_power_w) {
  BomLine l;
  l.group = group;
  l.category = cat;
  l.item = fmt::format("{} {}", what, spec.id);
  l.id = spec.id;
  l.quantity = quantity;
  l.unit_price = spec.price;
  l.price_key = fmt::format("hardware.{}.{}.price", section, spec.id);
  price_origin(spec.price, spec.source, l);
  l.unit_power_w = unit_power_w;
  return l;
}

// Compute NIC ports of a tranche plus the storage ports that join its fabric.
int64_t fabric_endpoints(const scenario::FleetSpec& f, const scenario::TrancheSpec& t, const hw::NodeSpec& node) {
  int64_t e = static_cast<int64_t>(t.nodes) * node.nics;
  for (const auto& st : f.storage) {
    if (st.tranche == t.name) e += static_cast<int64_t>(st.nodes) * st.nics;
  }
  return e;
}

using core::location_of;

void add_network(const scenario::Scenario& s, const scenario::TrancheSpec& t, size_t index, Bom& bom) {
  const hw::NodeSpec& node = s.node(t.node);
  const int64_t endpoints = fabric_endpoints(*s.fleet, t, node);
  if (endpoints == 0) return;
  const hw::SwitchSpec& sw = s.fabric_switch(t.fabric);
  const int planes = t.fabric.planes > 0 ? t.fabric.planes : std::max(1, node.nics);
  const int kind_planes = t.fabric.kind == topo::FabricKind::multiplane_fat_tree ? planes : 1;
  if (auto why = check_clustered_fabric(t.fabric.kind, endpoints, sw.ports, t.fabric.oversubscription, kind_planes,
                                        t.clusters)) {
    // The tranche's clusters (or its name, when it sets none) carry the blame.
    const auto& at = location_of(t.provenance, "clusters");
    why->where = at.file.empty() ? location_of(t.provenance, "name") : at;
    why->field = fmt::format("fleet.tranches[{}]", index);
    why->message = fmt::format("tranche '{}' ({} fabric endpoints): {}; or split it with clusters: N (0 = as few as "
                               "hold it)",
                               t.name, endpoints, why->message);
    core::raise(*why);
  }
  const std::vector<topo::FabricInventory> parts =
      clustered_fabric(t.fabric.kind, endpoints, sw.ports, t.fabric.oversubscription, kind_planes, t.clusters);
  const hw::TransceiverSpec& nic_optic = s.transceivers.at(t.optics.nic);
  const hw::TransceiverSpec& sw_optic = s.transceivers.at(t.optics.switch_side);
  const hw::CableSpec& fibre = s.cables.at(t.optics.fibre);
  FabricCount fc;
  fc.group = t.name;
  fc.kind = t.fabric.kind;
  fc.switch_id = sw.id;
  fc.clusters = static_cast<int>(parts.size());
  for (const auto& p : parts) {
    auto& v = fc.inventory;
    v.endpoints += p.endpoints;
    v.planes = p.planes;
    v.tiers = p.tiers;
    v.leaf_switches += p.leaf_switches;
    v.spine_switches += p.spine_switches;
    v.core_switches += p.core_switches;
    v.switches += p.switches;
    v.endpoint_links += p.endpoint_links;
    v.switch_links += p.switch_links;
    v.switch_ports_used += p.switch_ports_used;
    v.nic_transceivers += p.nic_transceivers;
    v.switch_transceivers += p.switch_transceivers;
    v.fibres += p.fibres;
    fc.switch_modules += (p.switch_ports_used + sw_optic.ports - 1) / sw_optic.ports;
  }
  const auto& inv = fc.inventory;
  bom.lines.push_back(catalog_line(t.name, Category::network, "switch", sw, "switches",
                                   static_cast<double>(inv.switches), sw.power_w));
  bom.lines.push_back(catalog_line(t.name, Category::network, "NIC-side module", nic_optic, "transceivers",
                                   static_cast<double>(inv.nic_transceivers), nic_optic.power_w));
  bom.lines.push_back(catalog_line(t.name, Category::network, "switch-side module", sw_optic, "transceivers",
                                   static_cast<double>(fc.switch_modules), sw_optic.power_w));
  bom.lines.push_back(
      catalog_line(t.name, Category::network, "fibre", fibre, "cables", static_cast<double>(inv.fibres), 0.0));
  bom.fabrics.push_back(fc);
}

}  // namespace

Bom build_bom(const scenario::Scenario& s) {
  FLEETSIM_CHECK(s.fleet.has_value(), "build_bom needs a fleet section");
  const auto& f = *s.fleet;
  Bom bom;
  for (size_t i = 0; i < f.tranches.size(); ++i) {
    const auto& t = f.tranches[i];
    const hw::NodeSpec& node = s.node(t.node);
    BomLine server = catalog_line(t.name, Category::servers, "server", node, "nodes", t.nodes, node.max_power_w);
    if (t.node_price_usd) {
      server.unit_price = fixed_price(*t.node_price_usd);
      server.price_key = fmt::format("fleet.tranches[{}].node_price", i);
      const auto& prov = t.provenance.at("node_price");
      server.price_source = prov.source;
      server.price_estimate = prov.estimate;
      server.note = prov.note;
    }
    server.load_dependent = true;
    server.unit_idle_power_w = node.idle_power_w;
    bom.lines.push_back(server);
    if (node.nics > 0) {
      BomLine nics = catalog_line(t.name, Category::network, "NIC", s.nics.at(node.nic), "nics",
                                  static_cast<double>(t.nodes) * node.nics, 0.0);
      nics.unit_price = fixed_price(0);
      nics.price_key.clear();
      nics.note = "inside the server price and power";
      bom.lines.push_back(nics);
    }
    add_network(s, t, i, bom);
  }
  for (size_t i = 0; i < f.storage.size(); ++i) {
    const auto& st = f.storage[i];
    BomLine l;
    l.group = st.name;
    l.category = Category::storage;
    l.item = fmt::format("storage node {}", st.name);
    l.id = st.name;
    l.quantity = st.nodes;
    l.unit_price = st.price;
    l.price_key = fmt::format("fleet.storage[{}].price", i);
    price_origin(st.price, st.source, l);
    l.unit_power_w = st.power_w;
    bom.lines.push_back(l);
  }
  return bom;
}

}  // namespace fleetsim::cost
