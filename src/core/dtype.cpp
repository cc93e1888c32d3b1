#include "core/dtype.h"

#include <array>
#include <vector>

#include "core/text.h"

namespace fleetsim::core {
namespace {
constexpr std::array<std::pair<DType, std::string_view>, 9> kNames = {{{DType::fp32, "fp32"},
                                                                       {DType::tf32, "tf32"},
                                                                       {DType::bf16, "bf16"},
                                                                       {DType::fp16, "fp16"},
                                                                       {DType::fp8, "fp8"},
                                                                       {DType::int8, "int8"},
                                                                       {DType::int6, "int6"},
                                                                       {DType::int4, "int4"},
                                                                       {DType::fp4, "fp4"}}};
}  // namespace

int dtype_bits(DType t) {
  switch (t) {
    case DType::fp32:
    case DType::tf32: return 32;
    case DType::bf16:
    case DType::fp16: return 16;
    case DType::fp8:
    case DType::int8: return 8;
    case DType::int6: return 6;
    case DType::int4:
    case DType::fp4: return 4;
  }
  return 0;
}

std::string_view dtype_name(DType t) {
  for (auto [d, n] : kNames) {
    if (d == t) return n;
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (auto [d, n] : kNames) {
    if (n == name) return d;
  }
  return std::nullopt;
}

std::string dtype_choices() {
  std::vector<std::string_view> names;
  for (auto [d, n] : kNames) names.push_back(n);
  return join_quoted(names);
}

}  // namespace fleetsim::core
