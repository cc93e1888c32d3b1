// fleetsim catalog [gpus|nodes|nics|switches|models]: what the catalogs hold, with key figures.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/table.h"
#include "core/text.h"
#include "core/units.h"
#include "model/analytics.h"

namespace fleetsim::cli {

namespace {
using core::Dim;
using core::format_quantity;

std::string gpus(const hw::HardwareCatalog& c) {
  Table t({"id", "BF16", "FP8", "HBM", "HBM bw", "NVLink", "TDP", "price"});
  for (const auto& [id, g] : c.gpus.entries()) {
    t.row({id, format_quantity(g.bf16_flops_per_s, Dim::flop_per_s, 3),
           g.fp8_flops_per_s > 0 ? format_quantity(g.fp8_flops_per_s, Dim::flop_per_s, 3) : "-",
           core::format_bytes_binary(g.hbm_bytes, 3), format_quantity(g.hbm_bw_bytes_per_s, Dim::bytes_per_s, 3),
           format_quantity(g.nvlink_bw_bytes_per_s, Dim::bytes_per_s, 3), format_quantity(g.tdp_w, Dim::watts, 3),
           format_quantity(g.price.typical_usd, Dim::usd, 3)});
  }
  return t.render();
}

std::string nodes(const hw::HardwareCatalog& c) {
  Table t({"id", "GPUs", "NICs", "max power", "price"});
  for (const auto& [id, n] : c.nodes.entries()) {
    t.row({id, fmt::format("{} x {}", n.gpus, n.gpu), fmt::format("{} x {}", n.nics, n.nic),
           format_quantity(n.max_power_w, Dim::watts, 3), format_quantity(n.price.typical_usd, Dim::usd, 3)});
  }
  return t.render();
}

std::string network(const hw::HardwareCatalog& c) {
  Table t({"id", "kind", "ports x rate", "power", "price"});
  for (const auto& [id, n] : c.nics.entries()) {
    t.row({id, "nic", fmt::format("{} x {}", n.ports, format_quantity(n.bw_bytes_per_s, Dim::bytes_per_s, 3)),
           format_quantity(n.power_w, Dim::watts, 3), format_quantity(n.price.typical_usd, Dim::usd, 3)});
  }
  for (const auto& [id, s] : c.switches.entries()) {
    t.row({id, "switch", fmt::format("{} x {}", s.ports, format_quantity(s.port_bw_bytes_per_s, Dim::bytes_per_s, 3)),
           format_quantity(s.power_w, Dim::watts, 3), format_quantity(s.price.typical_usd, Dim::usd, 3)});
  }
  for (const auto& [id, x] : c.transceivers.entries()) {
    t.row({id, "transceiver",
           fmt::format("{} x {}", x.ports, format_quantity(x.bw_bytes_per_s, Dim::bytes_per_s, 3)),
           format_quantity(x.power_w, Dim::watts, 3), format_quantity(x.price.typical_usd, Dim::usd, 3)});
  }
  for (const auto& [id, x] : c.cables.entries()) {
    t.row({id, "cable", fmt::format("{} m", x.reach_m), "-", format_quantity(x.price.typical_usd, Dim::usd, 3)});
  }
  return t.render();
}

std::string models(const model::ModelCatalog& c) {
  Table t({"id", "layers", "attention", "total", "active", "KV/token (bf16)"});
  for (const auto& [id, m] : c.entries()) {
    if (id != m.id) continue;  // aliases are listed with their model
    const auto p = model::count_params(m);
    std::string name = id;
    for (const auto& a : m.aliases) name += ", " + a;
    t.row({name, fmt::format("{}", m.layers), std::string(model::attention_kind_name(m.attention.kind)),
           format_quantity(p.total, Dim::count, 4), format_quantity(p.active, Dim::count, 4),
           format_quantity(model::kv_cache_bytes_per_token(m, core::DType::bf16), Dim::bytes, 4)});
  }
  return t.render();
}
}  // namespace

void add_catalog_command(CLI::App& app, Context& ctx) {
  auto what = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("catalog", "List the catalogs: gpus, nodes, network, models (default: all)");
  cmd->add_option("what", *what, "gpus, nodes, network or models")
      ->check(CLI::IsMember({"gpus", "nodes", "network", "models"}));
  cmd->callback([what, &ctx] {
    const auto& cat = ctx.catalogs();
    std::string out;
    if (what->empty() || *what == "gpus") out += "GPUs\n" + gpus(cat.hardware) + "\n";
    if (what->empty() || *what == "nodes") out += "Nodes\n" + nodes(cat.hardware) + "\n";
    if (what->empty() || *what == "network") out += "Network\n" + network(cat.hardware) + "\n";
    if (what->empty() || *what == "models") out += "Models\n" + models(cat.models) + "\n";
    emit_output(out, "");
  });
}

}  // namespace fleetsim::cli
