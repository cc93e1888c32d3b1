// The terminal table lives in report/ beside the other renderers (report/table.h); commands
// written against cli::Table keep that name through this header.
#pragma once

#include "report/table.h"

namespace fleetsim::cli {

using report::Table;

}  // namespace fleetsim::cli
