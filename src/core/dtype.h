// Numeric formats of tensors: storage size and the name used in YAML and JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/names.h"

namespace fleetsim::core {

enum class DType { fp32, tf32, bf16, fp16, fp8, int8, int6, int4, fp4 };

// Bits per element in memory (tf32 is stored as fp32; int6 is a packed 6-bit format).
int dtype_bits(DType t);
inline double dtype_bytes(DType t) { return dtype_bits(t) / 8.0; }

inline constexpr NameTable<DType, 9> kDTypes({{DType::fp32, "fp32"},
                                               {DType::tf32, "tf32"},
                                               {DType::bf16, "bf16"},
                                               {DType::fp16, "fp16"},
                                               {DType::fp8, "fp8"},
                                               {DType::int8, "int8"},
                                               {DType::int6, "int6"},
                                               {DType::int4, "int4"},
                                               {DType::fp4, "fp4"}});

inline std::string_view dtype_name(DType t) { return kDTypes.name_of(t); }                      // "bf16"
inline std::optional<DType> parse_dtype(std::string_view name) { return kDTypes.find(name); }  // the names above
inline std::string dtype_choices() { return kDTypes.choices(); }  // "'fp32', 'tf32', ... or 'fp4'"

}  // namespace fleetsim::core
