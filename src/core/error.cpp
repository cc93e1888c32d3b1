#include "core/error.h"

#include <fmt/format.h>

namespace fleetsim::core {

std::string SourceLocation::to_string() const {
  if (file.empty()) return "<input>";
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

namespace {
std::string compose(const SourceLocation& where, const std::string& field, const std::string& message) {
  std::string out = where.to_string();
  if (!field.empty()) out += ": " + field;
  out += ": " + message;
  return out;
}
}  // namespace

InputError::InputError(SourceLocation where, std::string field, std::string message)
    : std::runtime_error(compose(where, field, message)),
      where_(std::move(where)),
      field_(std::move(field)),
      message_(std::move(message)) {}

InputError::InputError(std::string message) : std::runtime_error(message), message_(std::move(message)) {}

void fail_check(const char* expr, const char* file, int line, const std::string& why) {
  throw InternalError(fmt::format("internal error at {}:{}: check '{}' failed: {}", file, line, expr, why));
}

}  // namespace fleetsim::core
