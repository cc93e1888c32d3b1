#include "scenario/describe.h"

#include <set>

#include "calib/table.h"
#include "hw/specs.h"
#include "model/model_spec.h"
#include "scenario/scenario.h"

namespace fleetsim::scenario {

std::vector<const core::SchemaBase*> documented_schemas() {
  const std::vector<const core::SchemaBase*> roots = {&scenario_schema(),       &hw::gpu_schema(),
                                                      &hw::node_schema(),       &hw::nic_schema(),
                                                      &hw::switch_schema(),     &hw::transceiver_schema(),
                                                      &hw::cable_schema(),      &model::model_schema(),
                                                      &calib::calibration_table_schema()};
  std::vector<const core::SchemaBase*> out;
  std::set<const core::SchemaBase*> seen;
  std::vector<const core::SchemaBase*> todo(roots.begin(), roots.end());
  while (!todo.empty()) {
    const core::SchemaBase* s = todo.front();
    todo.erase(todo.begin());
    if (!seen.insert(s).second) continue;
    out.push_back(s);
    for (const auto* c : s->children()) todo.push_back(c);
  }
  return out;
}

const core::SchemaBase* find_schema(const std::string& name) {
  for (const auto* s : documented_schemas()) {
    if (s->name() == name) return s;
  }
  return nullptr;
}

}  // namespace fleetsim::scenario
