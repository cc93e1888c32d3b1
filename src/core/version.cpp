#include "core/version.h"

namespace fleetsim::core {

std::string_view version() { return FLEETSIM_VERSION; }

}  // namespace fleetsim::core
