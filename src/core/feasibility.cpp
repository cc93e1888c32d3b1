#include "core/feasibility.h"

namespace fleetsim::core {

std::string Infeasibility::to_string() const {
  // An error with neither place nor field prints its message alone, as InputError(message) does.
  if (where.file.empty() && where.line == 0 && field.empty()) return message;
  return InputError(where, field, message).what();
}

void raise(const Infeasibility& why) {
  if (why.where.file.empty() && why.where.line == 0 && why.field.empty()) throw InputError(why.message);
  throw InputError(why.where, why.field, why.message);
}

Infeasibility from_error(const InputError& err, Infeasible kind) {
  return {kind, err.where(), err.field(), err.message()};
}

}  // namespace fleetsim::core
