// The CSV files of the result document, for spreadsheets, built from its typed sections alone
// (beside the HTML report, report.h, and the terminal tables, terminal.h).
#pragma once

#include <string>

#include "result/document.h"

namespace fleetsim::report {

// The TCO by year: one row per year and category (capex and opex, in USD with cents), then each
// year's depreciation, residual value and cash flow. Header: year,category,kind,usd. With 10
// categories that is 13 rows a year: a fleet owned 2021-2027 gives 1 + 7 x 13 = 92 lines.
std::string tco_csv(const result::Tco& t);

}  // namespace fleetsim::report
