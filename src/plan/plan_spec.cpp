#include "plan/plan_spec.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/config.h"

namespace fleetsim::plan {

using core::ConfigNode;

namespace {

// A non-empty list of integers >= 1, each given once ("[8, 16]"; one value may stand alone).
template <class T>
core::Schema<T>& integers(core::Schema<T>& s, std::string key, std::vector<int64_t> T::*m, std::string doc,
                          std::optional<std::vector<int64_t>> def) {
  std::string shown;
  if (def) shown = fmt::format("[{}]", fmt::join(*def, ", "));
  return s.custom(
      {key, "list of integers >= 1", std::move(doc), !def.has_value(), shown},
      [m](const ConfigNode& n, T& t) {
        std::vector<ConfigNode> elements = n.is_list() ? n.elements() : std::vector<ConfigNode>{n};
        if (elements.empty()) n.fail("the list is empty: give at least one value");
        std::set<int64_t> seen;
        (t.*m).clear();
        for (const auto& e : elements) {
          int64_t v = e.as_integer();
          if (v < 1) e.fail(fmt::format("{} is not >= 1", v));
          if (!seen.insert(v).second) e.fail(fmt::format("{} is listed twice", v));
          (t.*m).push_back(v);
        }
      },
      def ? typename core::Schema<T>::DefaultFn([m, d = *def](T& t) { t.*m = d; })
          : typename core::Schema<T>::DefaultFn(),
      false, [m](const T& t, core::EmitMode) { return core::Json(t.*m); });
}

}  // namespace

const core::Schema<NodeChoiceSpec>& node_choice_schema() {
  static const auto s = core::Schema<NodeChoiceSpec>("choice", "A kind of node the plan may use.")
                            .provenance(&NodeChoiceSpec::provenance)
                            .text("node", &NodeChoiceSpec::node, "Node id from the hardware catalog (hgx-h20).")
                            .integer("max_nodes", &NodeChoiceSpec::max_nodes,
                                     "Nodes available (stock, export rules); 0 = no limit.", core::at_least(0), 0)
                            .text("note", &NodeChoiceSpec::note, "Why the limit.", std::string());
  return s;
}

const core::Schema<TrainingSearchSpec>& training_search_schema() {
  static const auto s = [] {
    core::Schema<TrainingSearchSpec> t("training_search",
                                       "The base scenario's training run: its deadline and the layouts to screen.");
    t.provenance(&TrainingSearchSpec::provenance)
        .quantity("deadline", &TrainingSearchSpec::deadline_s, core::Dim::seconds,
                  "Wall-clock limit for all the run's stages (\"60 d\").", core::positive());
    integers(t, "nodes", &TrainingSearchSpec::nodes, "Cluster sizes to try (nodes).", std::nullopt);
    integers(t, "pp", &TrainingSearchSpec::pp, "Pipeline stages to try.", std::vector<int64_t>{1});
    integers(t, "ep", &TrainingSearchSpec::ep, "Expert parallel degrees to try.", std::vector<int64_t>{1});
    integers(t, "tp", &TrainingSearchSpec::tp, "Tensor parallel degrees to try.", std::vector<int64_t>{1});
    integers(t, "micro_batch", &TrainingSearchSpec::micro_batch, "Micro-batch sizes (sequences) to try.",
             std::vector<int64_t>{1});
    integers(t, "zero", &TrainingSearchSpec::zero, "ZeRO stages to try (1 to 3).", std::vector<int64_t>{1});
    t.custom(
        {"schedules", "list of schedule names", "Pipeline schedules to try; none = the base scenario's.", false, "[]"},
        [](const ConfigNode& n, TrainingSearchSpec& spec) {
          spec.schedules.clear();
          for (const auto& e : n.is_list() ? n.elements() : std::vector<ConfigNode>{n}) {
            const std::string v = e.as_string();
            const auto sched = scenario::kSchedules.find(v);
            if (!sched) {
              e.fail(fmt::format("unknown schedule '{}': one of {}", v, fmt::join(scenario::kSchedules.names(), ", ")));
            }
            spec.schedules.push_back(*sched);
          }
        },
        [](TrainingSearchSpec& spec) { spec.schedules.clear(); }, false);
    t.check([](const ConfigNode& n, TrainingSearchSpec& spec) {
      for (auto z : spec.zero) {
        if (z > 3) n.fail_at("zero", fmt::format("ZeRO stage {} does not exist (0 to 3)", z));
      }
    });
    return t;
  }();
  return s;
}

const core::Schema<PlanSpec>& plan_schema() {
  static const auto s = [] {
    core::Schema<PlanSpec> p("plan", "A capacity plan: targets from a base scenario, the choices, the cost basis.");
    p.provenance(&PlanSpec::provenance)
        .text("name", &PlanSpec::name, "What the plan is called.")
        .text("question", &PlanSpec::question, "The question it answers.", std::string())
        .custom({"base", "path", "The scenario whose training run and serving traffic are the targets (relative to the plan file)."},
                [](const ConfigNode& n, PlanSpec& spec) { spec.base = n.as_string(); })
        .list("choices", &PlanSpec::choices, node_choice_schema(), "The node kinds allowed, with their availability.")
        .object("training", &PlanSpec::training, training_search_schema(), "Train the base scenario's run within a deadline.")
        .flag("serving", &PlanSpec::serving, "Also serve the base scenario's traffic within its SLO.", false)
        .choice("cost", &PlanSpec::cost, kCostBases,
                "own: the fleet's TCO over the base scenario's finance horizon; rent: GPU-hours at rental prices.",
                CostBasis::own)
        .integer("confirm", &PlanSpec::confirm, "Best candidates re-run on the event engine.", core::between(0, 50), 3)
        .check([](const ConfigNode& n, PlanSpec& spec) {
          if (spec.choices.empty()) n.fail_at("choices", "no node kinds to choose from");
          if (!spec.training && !spec.serving) n.fail("the plan has no target: give training, serving: true, or both");
          std::set<std::string> seen;
          for (size_t i = 0; i < spec.choices.size(); ++i) {
            if (!seen.insert(spec.choices[i].node).second) {
              n.fail_at("choices", fmt::format("node '{}' is listed twice", spec.choices[i].node));
            }
          }
        });
    return p;
  }();
  return s;
}

PlanSpec load_plan(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  core::ConfigDoc doc = core::ConfigDoc::load_file(file);
  for (const auto& o : overrides) doc.apply_override(o);
  PlanSpec spec = plan_schema().parse(doc.root());
  spec.file = file.string();
  if (spec.base.is_relative()) spec.base = file.parent_path() / spec.base;
  return spec;
}

}  // namespace fleetsim::plan
