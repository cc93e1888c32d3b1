// One deployment unit of an inference service (a scenario::UnitSpec: nodes, EP, attention DP/TP,
// micro-batches) running a model on a GPU: its memory (weights per GPU, KV cache left), and the
// time of a prefill forward pass and of a decode step, built from model/layer_ops.h and priced by
// calib::OpCost, with the MoE all-to-all priced by net::AnalyticModel on a topo::Topology of the
// unit. See docs/serving.md for the equations and a worked example.
//
//   serve::UnitModel u(scenario, serving, *serving.decode, "serving.decode", Role::decode, calibration);
//   double t = u.decode_step(96, 4989).seconds;   // 96 requests per attention group, 4,989 keys
//
// Step time of a unit with m micro-batches (DeepSeek's dual micro-batch: m = 2): the compute of
// one micro-batch and the all-to-all of the other run at once, so a layer costs
//   m = 1: C + A            m >= 2: m x max(C, A)
// with C the compute of one micro-batch on one GPU (sum of OpCost over the layer's ops) and A
// its dispatch + combine (net::AnalyticModel, expected routing, node-limited). Prefill all-to-all
// runs DeepEP's normal kernels, which hold SMs (compute priced on the rest); decode runs the
// low-latency kernels, which do not (profile-data README: "all-to-all does not occupy SMs").
//
// Not thread-safe: all-to-all times are cached by token count.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calib/op_cost.h"
#include "calib/table.h"
#include "core/feasibility.h"
#include "core/names.h"
#include "model/model_spec.h"
#include "net/comm_costs.h"
#include "scenario/scenario.h"
#include "topo/topology.h"

namespace fleetsim::serve {

enum class Role { prefill, decode, colocated };
inline constexpr core::NameTable<Role, 3> kRoles({{Role::prefill, "prefill"},
                                                 {Role::decode, "decode"},
                                                 {Role::colocated, "colocated"}});
inline std::string_view role_name(Role r) { return kRoles.name_of(r); }

// Where HBM goes on one GPU of the unit.
struct UnitMemory {
  double hbm_bytes = 0;
  double weight_bytes = 0;        // attention, dense FFN, shared and local routed experts, router, embedding, head, MTP
  double reserve_bytes = 0;       // activations, workspaces, CUDA graphs (see kReserveFraction)
  double kv_bytes = 0;            // what is left for the KV cache
  double kv_bytes_per_token = 0;  // of one token of context on this GPU, all layers
  double kv_tokens = 0;           // kv_bytes / kv_bytes_per_token
};

// The time of one forward pass (prefill) or step (decode), and its parts summed over layers.
struct StepTime {
  double seconds = 0;
  double compute_s = 0;     // all micro-batches, one after another
  double all_to_all_s = 0;  // all micro-batches' dispatch + combine
  double attention_s = 0;   // attention core (part of compute)
  double gemm_s = 0;        // linear layers and experts (part of compute)
};

class UnitModel {
 public:
  // `field` names the unit in errors ("serving.decode"). Throws core::InputError (file, line,
  // field) for a unit that cannot run the model: EP larger than the experts or not dividing
  // them, attention DP x TP not the unit's GPUs, heads not divisible by TP, weights and reserve
  // exceeding HBM, no room in the KV cache for one request of average length.
  UnitModel(const scenario::Scenario& s, const scenario::ServingSpec& sv, const scenario::UnitSpec& unit,
            std::string field, Role role, const calib::CalibrationSet& calibration);
  // The same checks as values: the unit model, or nullopt with the first reason it cannot run
  // appended to `why`, of kind layout (the parallel degrees) or memory (weights over HBM, a KV
  // cache smaller than one request; both on the unit's `nodes`).
  static std::optional<UnitModel> make(const scenario::Scenario& s, const scenario::ServingSpec& sv,
                                       const scenario::UnitSpec& unit, std::string field, Role role,
                                       const calib::CalibrationSet& calibration,
                                       std::vector<core::Infeasibility>& why);
  ~UnitModel();
  UnitModel(UnitModel&&) noexcept;

  Role role() const { return role_; }
  const scenario::UnitSpec& spec() const { return unit_; }
  int nodes() const { return unit_.nodes; }
  int gpus() const { return gpus_; }
  int attention_groups() const { return unit_.attention_dp; }
  const UnitMemory& memory() const { return memory_; }
  // KV tokens an attention group holds (each GPU of the group stores its share of each token).
  double kv_tokens_per_group() const { return memory_.kv_tokens; }
  // Tokens a request gains per decode step: 1 + a + a^2 + ... + a^d (a draft counts only when
  // every earlier draft of the step was accepted).
  double tokens_per_step() const;
  int draft_tokens() const { return draft_tokens_; }

  // A prefill pass of `tokens_per_gpu` computed tokens on every GPU, from prompts of
  // `prompt_len` tokens of which `cached_fraction` come from the prefix cache (their KV is
  // loaded, not computed; attention still reads them).
  StepTime prefill_pass(double tokens_per_gpu, double prompt_len, double cached_fraction) const;
  // A decode step of `requests` requests per attention group, each with `kv_len` tokens of context.
  StepTime decode_step(double requests, double kv_len) const;

  const calib::OpCost& op_cost() const { return *op_cost_; }
  const std::string& gpu_id() const { return gpu_id_; }

 private:
  // Stops at the first check that fails: records it in *why, or raises it when why is null.
  UnitModel(const scenario::Scenario& s, const scenario::ServingSpec& sv, const scenario::UnitSpec& unit,
            std::string field, Role role, const calib::CalibrationSet& calibration,
            std::optional<core::Infeasibility>* why);

  double all_to_all_s(int64_t tokens_per_gpu) const;  // dispatch + combine of one micro-batch, one layer
  double all_reduce_s(int64_t tokens) const;          // TP all-reduce of a group's activations
  StepTime forward(int64_t tokens, int64_t sequences, int64_t kv_len, bool decode, int64_t drafts_tokens) const;

  const model::ModelSpec& model_;
  scenario::UnitSpec unit_;
  scenario::ServingPrecisionSpec precision_;
  std::string field_;
  Role role_;
  std::string gpu_id_;
  int gpus_ = 0;
  int draft_tokens_ = 0;
  double acceptance_ = 0;
  int comm_sms_ = 0;  // SMs the all-to-all kernels hold while compute runs
  int sm_count_ = 0;
  int local_experts_ = 0;
  UnitMemory memory_;
  std::unique_ptr<calib::OpCost> op_cost_;
  std::unique_ptr<topo::Topology> topology_;
  std::unique_ptr<net::CommCosts> comm_;
  mutable std::map<int64_t, double> a2a_cache_;
  mutable std::map<int64_t, double> ar_cache_;
};

// Share of HBM kept out of the KV cache for activations, workspaces, CUDA graphs and allocator
// slack: vLLM's default gpu_memory_utilization is 0.9 (docs.vllm.ai, engine arguments); DeepSeek
// publishes no figure.
inline constexpr double kReserveFraction = 0.10;
// SMs DeepEP's normal (prefill) kernels hold: the V3 report (§3.2.2) dedicates 20 of 132 SMs to
// all-to-all; scaled by the GPU's SM count elsewhere.
inline constexpr double kPrefillCommSmShare = 20.0 / 132.0;

}  // namespace fleetsim::serve
