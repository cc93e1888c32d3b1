#include "core/dtype.h"

namespace fleetsim::core {

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

}  // namespace fleetsim::core
