#include "model/op.h"

#include <utility>

namespace fleetsim::model {

Op with_role(Op op, OpRole role) {
  op.role = role;
  return op;
}

namespace {
double d(int64_t v) { return static_cast<double>(v); }
}  // namespace

Op make_grouped_gemm(std::string name, int64_t groups, int64_t m, int64_t n, int64_t k, core::DType in,
                     core::DType out) {
  Op op;
  op.kind = groups == 1 ? OpKind::gemm : OpKind::grouped_gemm;
  op.name = std::move(name);
  op.dtype = in;
  op.m = m;
  op.n = n;
  op.k = k;
  op.groups = groups;
  op.flops = 2.0 * d(groups) * d(m) * d(n) * d(k);
  op.bytes = d(groups) * ((d(m) * d(k) + d(k) * d(n)) * core::dtype_bytes(in) + d(m) * d(n) * core::dtype_bytes(out));
  return op;
}

Op make_grouped_gemm_rows(std::string name, int64_t groups, int64_t total_rows, int64_t n, int64_t k, core::DType in,
                          core::DType out) {
  Op op = make_grouped_gemm(std::move(name), groups, (total_rows + groups - 1) / groups, n, k, in, out);
  op.flops = 2.0 * d(total_rows) * d(n) * d(k);
  op.bytes = (d(total_rows) * d(k) + d(groups) * d(k) * d(n)) * core::dtype_bytes(in) +
             d(total_rows) * d(n) * core::dtype_bytes(out);
  return op;
}

Op make_gemm(std::string name, int64_t m, int64_t n, int64_t k, core::DType in, core::DType out) {
  return make_grouped_gemm(std::move(name), 1, m, n, k, in, out);
}

namespace {
Op attention_op(OpKind kind, std::string name, int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len,
                int64_t d_qk, int64_t d_v, core::DType dtype) {
  Op op;
  op.kind = kind;
  op.name = std::move(name);
  op.dtype = dtype;
  op.batch = batch;
  op.heads = heads;
  op.q_len = q_len;
  op.kv_len = kv_len;
  op.d_qk = d_qk;
  op.d_v = d_v;
  return op;
}
}  // namespace

Op make_attention_prefill(std::string name, int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len, int64_t d_qk,
                          int64_t d_v, bool causal, core::DType dtype) {
  Op op = attention_op(OpKind::attention_prefill, std::move(name), batch, heads, q_len, kv_len, d_qk, d_v, dtype);
  op.causal = causal;
  // The queries are the last q_len positions of a kv_len context (kv_len > q_len: a cached
  // prefix); causally, query i sees kv_len - q_len + i keys, kv_len - q_len/2 on average.
  const double keys = causal ? d(kv_len) - d(q_len) / 2.0 : d(kv_len);
  op.flops = 2.0 * d(batch) * d(heads) * d(q_len) * keys * d(d_qk + d_v);
  const double e = core::dtype_bytes(dtype);
  op.bytes = d(batch) * d(heads) * ((d(q_len) + d(kv_len)) * d(d_qk) + d(kv_len) * d(d_v) + d(q_len) * d(d_v)) * e;
  return op;
}

Op make_attention_decode(std::string name, int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len, int64_t d_qk,
                         int64_t d_v, double kv_bytes_per_token, core::DType dtype) {
  Op op = attention_op(OpKind::attention_decode, std::move(name), batch, heads, q_len, kv_len, d_qk, d_v, dtype);
  op.flops = 2.0 * d(batch) * d(heads) * d(q_len) * d(kv_len) * d(d_qk + d_v);
  const double e = core::dtype_bytes(dtype);
  op.bytes = d(batch) * (d(kv_len) * kv_bytes_per_token + d(heads) * d(q_len) * d(d_qk + d_v) * e);
  return op;
}

Op make_elementwise(std::string name, double bytes, double flops) {
  Op op;
  op.kind = OpKind::elementwise;
  op.name = std::move(name);
  op.bytes = bytes;
  op.flops = flops;
  return op;
}

Op make_memcpy(std::string name, double bytes) {
  Op op;
  op.kind = OpKind::memcpy;
  op.name = std::move(name);
  op.bytes = bytes;
  return op;
}

}  // namespace fleetsim::model
