// The documented input sections, by name, for `fleetsim describe <section>`.
#pragma once

#include <string>
#include <vector>

#include "core/schema.h"

namespace fleetsim::scenario {

// Every schema fleetsim reads: catalogs (gpu, node, nic, switch, transceiver, cable, model),
// scenarios (scenario and each section nested in it) and calibration tables.
std::vector<const core::SchemaBase*> documented_schemas();
// The schema called `name`, or nullptr.
const core::SchemaBase* find_schema(const std::string& name);

}  // namespace fleetsim::scenario
