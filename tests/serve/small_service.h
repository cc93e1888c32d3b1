// The small service the serving tests share: Llama-3.1-8B on one H100 node, eight
// data-parallel replicas per unit, no experts, no MTP. `traffic` is the body of its traffic
// section (distributions or a trace), indented four spaces.
#pragma once

#include <string>

namespace fleetsim::test {

inline std::string small_service(const std::string& traffic) {
  return R"(
name: small service
question: does a small service serve?
seed: 7
serving:
  model: llama-3.1-8b
  node: hgx-h100
  prefill: {nodes: 1, ep: 1, attention_dp: 8, micro_batches: 1, max_tokens_per_gpu: 8192}
  decode: {nodes: 1, ep: 1, attention_dp: 8, micro_batches: 1}
  traffic:
)" + traffic;
}

}  // namespace fleetsim::test
