// fleetsim's version, as reports and result documents record it.
#pragma once

#include <string_view>

namespace fleetsim::core {

std::string_view version();

}  // namespace fleetsim::core
