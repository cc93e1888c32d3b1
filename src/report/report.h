// The HTML report of a run: built from the result document alone (docs/results.md), so a saved
// JSON re-renders to the same page, and the page never shows a number the JSON does not hold.
#pragma once

#include <string>

#include "core/schema.h"

namespace fleetsim::report {

// The whole self-contained page for a result document. Sections appear for the parts the
// document has (training, serving, tco, plan), then the assumptions and the calibration tables.
std::string render_report(const core::Json& doc);

}  // namespace fleetsim::report
