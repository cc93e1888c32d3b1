// The HTML report of a run: built from the result document alone (docs/results.md), so a saved
// JSON re-renders to the same page, and the page never shows a number the JSON does not hold.
#pragma once

#include <string>
#include <vector>

#include "core/schema.h"
#include "result/document.h"

namespace fleetsim::report {

// The headline figures of a result document, formatted: what the report's first cards and the
// terminal summary of `fleetsim run` show. Only figures the document holds.
struct Headline {
  std::string label;
  std::string value;
  std::string note;
};
std::vector<Headline> headline(const result::Document& doc);
std::vector<Headline> headline(const core::Json& doc);

// The whole self-contained page for a result document, read first as a result::Document (a
// malformed document is a core::InputError naming the JSON path). Sections appear for the parts the
// document has (training, serving, tco, plan), then the assumptions and the calibration tables.
std::string render_report(const core::Json& doc);
// The same page for a document in hand (its JSON, result::to_json(doc), is embedded).
std::string render_report(const result::Document& doc);

}  // namespace fleetsim::report
