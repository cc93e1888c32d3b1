// Feasibility is a value: a well-formed configuration that cannot run (a layout whose degrees do
// not divide, a model that does not fit in HBM, a service that misses its SLO, a run that misses
// its deadline) is reported by the engines as Infeasibility values, not thrown. Only scenario
// loading and the CLI turn one into a user error (InputError, exit code 2), with raise().
// Callers that classify (the planner's rejection counts, the sweep's error column) read `kind`,
// never the message text.
//
//   std::vector<core::Infeasibility> why = engine.check(...);
//   if (!why.empty() && why.front().kind == core::Infeasible::memory) ...;
//   core::raise(why.front());   // at the CLI: "file:line:col: field: message", exit 2
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/names.h"

namespace fleetsim::core {

enum class Infeasible {
  layout,    // parallel degrees, splits or schedules that do not compose with the model or cluster
  memory,    // does not fit in the memory of a GPU (HBM per GPU, KV cache)
  slo,       // meets no latency target the scenario sets
  deadline,  // takes longer than the plan allows
  capacity,  // more GPUs, nodes or ports than the cluster or fabric has
  input,     // an input that is wrong for this configuration (a missing catalog entry, say)
};

// "layout", "memory", ...: the names the planner's counts and the sweep's CSV use.
inline constexpr NameTable<Infeasible, 6> kInfeasibleKinds({{Infeasible::layout, "layout"},
                                                            {Infeasible::memory, "memory"},
                                                            {Infeasible::slo, "slo"},
                                                            {Infeasible::deadline, "deadline"},
                                                            {Infeasible::capacity, "capacity"},
                                                            {Infeasible::input, "input"}});
inline std::string_view infeasible_name(Infeasible k) { return kInfeasibleKinds.name_of(k); }

struct Infeasibility {
  Infeasible kind = Infeasible::layout;
  SourceLocation where;
  std::string field;    // "training.parallelism.tp"
  std::string message;  // with the numbers

  std::string to_string() const;  // "file:line:col: field: message", as InputError prints it
};

// The user error an infeasibility becomes at the CLI or while loading a scenario.
[[noreturn]] void raise(const Infeasibility& why);
// The infeasibility an input error becomes inside an engine that must not throw (kind input).
Infeasibility from_error(const InputError& err, Infeasible kind = Infeasible::input);

}  // namespace fleetsim::core
