// The fleet TCO against published figures (expected next to actual; shared reference §4.2, §4.3,
// §5.4, §1.3, §2.7). docs/cost.md explains how the analysts' figures are built and which
// fleetsim quantity each one is set against. Tolerance 10% unless a reason is written beside it.
#include <catch2/catch_test_macros.hpp>

#include "cost/analysis.h"
#include "scenario/scenario.h"
#include "support/catalogs.h"
#include "support/published.h"

using namespace fleetsim;
using test::expect_published;
using test::expect_published_exact;

namespace {

cost::TcoAnalysis deepseek_fleet() {
  static const cost::TcoAnalysis a = cost::analyse_fleet(scenario::load_scenario(
      std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/deepseek-fleet.yaml", test::shipped_catalogs()));
  return a;
}

double category(const cost::TcoResult& r, cost::Category c) { return r.usd[cost::index_of(c)]; }

const cost::PurchaseCost& purchase(const cost::TcoResult& r, const std::string& name) {
  for (const auto& p : r.purchases) {
    if (p.name == name) return p;
  }
  FAIL("no purchase " << name);
  return r.purchases.front();
}

const cost::WorkloadCost& workload(const cost::TcoAnalysis& a, const std::string& prefix) {
  for (const auto& w : a.workloads) {
    if (w.usage.name.starts_with(prefix)) return w;
  }
  FAIL("no workload " << prefix);
  return a.workloads.front();
}

// A two-tier fleet of `nodes` 8-NIC H800 nodes on 64-port switches, for the network checks.
cost::Bom h800_fabric(int nodes, const char* kind) {
  const std::string yaml = fmt::format(R"(name: fabric
question: What does the network cost?
fleet:
  tranches:
    - {{name: t, node: hgx-h800, nodes: {}, year: 2024, fabric: {{kind: {}, switch: qm9700}}}}
  facility: {{power_price: $0.088/kWh, colocation_price: $184/kW-month}}
  finance: {{start_year: 2024, horizon: 4 y, useful_life: 4 y, utilization: 80%}}
)",
                                       nodes, kind);
  return cost::build_bom(scenario::load_scenario_text(yaml, "fabric.yaml", test::shipped_catalogs()));
}

double network_usd(const cost::Bom& b) {
  double usd = 0;
  for (const auto& l : b.lines) {
    if (l.category == cost::Category::network) usd += l.usd();
  }
  return usd;
}

}  // namespace

TEST_CASE("DeepSeek's fleet: server capex and four years of operating cost (SemiAnalysis 2025-01)") {
  const auto& r = deepseek_fleet().result;
  const double servers = category(r, cost::Category::servers);
  const double hardware = servers + category(r, cost::Category::network) + category(r, cost::Category::storage);
  // "Server CapEx" is capex by GPU type x an unpublished ASP per GPU. fleetsim's equivalent is
  // the hardware a deployed GPU needs: servers (catalog prices) + each tranche's compute fabric
  // + the 3FS storage cluster.
  expect_published("fleet capex: servers + compute fabric + storage", 1.6e9, hardware, 0.10,
                   "SemiAnalysis 'total server CapEx ~$1.6B'");
  // Not reproduced within 10% by the servers alone: catalog server prices give $23.4K per GPU
  // blended against the $26.7K the $1.6B implies (-12%). Tolerance 15% so the gap is tracked,
  // not hidden; docs/cost.md says why.
  expect_published("fleet capex: servers alone (known gap, see docs/cost.md)", 1.6e9, servers, 0.15,
                   "SemiAnalysis 'total server CapEx ~$1.6B'");
  // "Cost to operation" over the 4-year ownership: fleetsim's opex (energy, colocation,
  // maintenance) over each purchase's four years.
  expect_published("operating cost over 4 years of ownership", 944e6, r.opex_usd, 0.10,
                   "SemiAnalysis '$944M associated with operating such clusters'");
  expect_published("TCO over 4 years of ownership (capex + operating)", 1.6e9 + 944e6, r.tco_usd, 0.10,
                   "derived: $1.6B + $944M ('TCO (4y ownership)')");
  expect_published("TCO a year, all 60,000 GPUs", 640e6, r.tco_usd / 4, 0.10,
                   "G. Luk's reading of the SemiAnalysis table: ~$640M/yr");
  const double hopper_capex = purchase(r, "H800 (2023)").capex_usd + purchase(r, "H100 (2023)").capex_usd +
                              purchase(r, "H20 (2024)").capex_usd;
  const double hopper_tco = purchase(r, "H800 (2023)").tco_usd + purchase(r, "H100 (2023)").tco_usd +
                            purchase(r, "H20 (2024)").tco_usd;
  expect_published("Hopper capex (servers + fabric)", 1.4e9, hopper_capex, 0.10, "G. Luk: Hoppers only $1.4B");
  expect_published("Hopper TCO a year", 545e6, hopper_tco / 4, 0.10, "G. Luk: Hoppers only ~$545M/yr");
}

TEST_CASE("DeepSeek-V3's rented GPU-hours next to the fleet behind them") {
  const auto a = deepseek_fleet();
  const auto& v3 = workload(a, "DeepSeek-V3 training");
  expect_published("DeepSeek-V3 run at $2/H800-hour", 5.576e6, *v3.rental_usd, 1e-12, "V3 report Table 1");
  // "Hundreds of times": the analysts' TCO over the run's rental is $2.544B / $5.576M = 456.
  expect_published("fleet TCO over the run's rental cost", 2.544e9 / 5.576e6, *v3.fleet_tco_over_rental, 0.10,
                   "derived: SemiAnalysis TCO / V3 report Table 1");
  expect_published("the run's share of 4 years of 10,000 H800", 2.788e6 / 350.4e6, v3.share_of_gpu_capacity, 1e-12,
                   "derived: 2.788M / (10,000 x 8,760 h x 4)");
  const auto& day = workload(a, "DeepSeek-V3/R1 serving");
  expect_published("a day of R1 serving at $2/H800-hour", 87072, *day.rental_usd, 1e-12,
                   "open-infra-index day 6 ($87,072 a day)");
}

TEST_CASE("fabric counts and costs against ISCA'25 Table 3 and Fire-Flyer 2") {
  const auto ft2 = h800_fabric(256, "rail-fat-tree");
  expect_published_exact("FT2 of 2,048 endpoints: switches", 96, static_cast<double>(ft2.fabrics[0].inventory.switches),
                         "ISCA'25 Table 3");
  expect_published_exact("FT2 of 2,048 endpoints: switch links", 2048,
                         static_cast<double>(ft2.fabrics[0].inventory.switch_links), "ISCA'25 Table 3");
  // The switch and optics prices are estimates derived from this figure (hardware/network.yaml),
  // so these two check the derivation still holds rather than validate it independently.
  expect_published("FT2 network cost per endpoint", 4390, network_usd(ft2) / 2048, 0.05, "ISCA'25 Table 3 ($4.39K)");
  const auto mpft = h800_fabric(2048, "multiplane-fat-tree");
  expect_published_exact("MPFT of 16,384 endpoints: switches", 768,
                         static_cast<double>(mpft.fabrics[0].inventory.switches), "ISCA'25 Table 3");
  expect_published("MPFT network cost", 72e6, network_usd(mpft), 0.05, "ISCA'25 Table 3 ($72M)");
  // Fire-Flyer 2: 1,250 nodes + 180 storage nodes x 2 ports = 1,610 ports need three zones of 40-port
  // switches where the paper has two of ~600 GPU nodes each; 123 switches against 122.
  const auto& ff2 = cost::build_bom(scenario::load_scenario(
                                        std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/deepseek-fleet.yaml",
                                        test::shipped_catalogs()))
                        .fabrics.at(0);
  expect_published("Fire-Flyer 2 switches (QM8700)", 122, static_cast<double>(ff2.inventory.switches), 0.02,
                   "Fire-Flyer 2 paper: 122 switches");
}
