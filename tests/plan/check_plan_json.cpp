// Checks the result documents of the shipped plans (tests/plan/check_plan_cli.sh): what the
// capacity search must show, read from the JSON. Usage: check_plan_json seeds|layout <file>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace {

int fails = 0;
void check(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("FAIL: %s\n", what.c_str());
    ++fails;
  }
}

void seeds(const nlohmann::json& p) {
  const auto& best = p["best"];
  check(!best.is_null(), "a fleet meets every target");
  if (best.is_null()) return;
  check(best["meets_deadline"].get<bool>() && best["time_days"].get<double>() <= 60, "the best meets 60 days");
  double cheapest = 1e300;
  bool front = false;
  for (const auto& f : p["points"]) {
    for (const auto& [node, n] : f["nodes"].items()) {
      if (node == "hgx-h800" || node == "hgx-h100") check(n.get<int>() <= 1250, f["label"].get<std::string>() + " within stock");
    }
    if (f["meets_deadline"].get<bool>()) cheapest = std::min(cheapest, f["cost_usd"].get<double>());
    front = front || f["front"].get<bool>();
  }
  check(front, "a Pareto front");
  check(cheapest == best["cost_usd"].get<double>(), "the best is the cheapest meeting the deadline");
  std::set<std::string> reasons;
  for (const auto& r : p["rejections"]) reasons.insert(r["reason"].get<std::string>());
  check(reasons.count("memory") && reasons.count("deadline"), "rejections for memory and deadline, with examples");
  for (const auto& c : p["confirmations"]) {
    check(c["event_step_s"].get<double>() > 0 && c["analytic_step_s"].get<double>() > 0, "confirmed on both engines");
  }
  std::printf("ok: cheapest fleet %s at %.1f M USD, %.1f days\n", best["label"].get<std::string>().c_str(),
              best["cost_usd"].get<double>() / 1e6, best["time_days"].get<double>());
}

void layout(const nlohmann::json& p) {
  const auto& r = p["reference"];
  check(r.is_object(), "a reference check");
  if (!r.is_object()) return;
  const auto& ref = r["layout"];
  check(ref["pp"] == 16 && ref["ep"] == 64 && ref["tp"] == 1 && ref["schedule"] == "dualpipe",
        "the reference is DeepSeek's published layout");
  check(r["in_search_space"].get<bool>(), "the published layout is in the searched space");
  check(r["outcome"]["verdict"] == "feasible", "the published layout is feasible");
  check(r["best_outcome"]["step_time_s"].get<double>() <= r["outcome"]["step_time_s"].get<double>(),
        "the best found is at least as fast");
  check(r["explanation"].get<std::string>().size() > 40, "an explanation");
  std::printf("ok: published %s %.3f s; best %s %.3f s\n%s\n", ref["label"].get<std::string>().c_str(),
              r["outcome"]["step_time_s"].get<double>(), r["best_layout"]["label"].get<std::string>().c_str(),
              r["best_outcome"]["step_time_s"].get<double>(), r["explanation"].get<std::string>().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: check_plan_json seeds|layout <file>\n");
    return 2;
  }
  std::ifstream in(argv[2]);
  const auto doc = nlohmann::json::parse(in);
  const std::string mode = argv[1];
  if (mode == "seeds") seeds(doc.at("plan"));
  else layout(doc.at("plan"));
  return fails == 0 ? 0 : 1;
}
