// Numeric formats of tensors: storage size and the name used in YAML and JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fleetsim::core {

enum class DType { fp32, tf32, bf16, fp16, fp8, int8, int6, int4, fp4 };

// Bits per element in memory (tf32 is stored as fp32; int6 is a packed 6-bit format).
int dtype_bits(DType t);
inline double dtype_bytes(DType t) { return dtype_bits(t) / 8.0; }

std::string_view dtype_name(DType t);                    // "bf16"
std::optional<DType> parse_dtype(std::string_view name);  // accepts the names above
std::string dtype_choices();                              // "'fp32', 'tf32', ... or 'fp4'"

}  // namespace fleetsim::core
