// The serving workload of a scenario: model, deployment units (prefill/decode disaggregated or
// colocated), number formats, the traffic of a day, latency targets and prices.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/schema.h"
#include "scenario/cluster_spec.h"

namespace fleetsim::scenario {

// One deployment unit: the smallest group of nodes that serves as one instance.
struct UnitSpec {
  int nodes = 1;
  int ep = 1;                 // expert parallel degree of the routed experts (GPUs)
  int attention_dp = 1;       // data-parallel attention groups
  int attention_tp = 1;       // tensor parallel inside each attention group
  int redundant_experts = 0;  // extra replicas of hot experts (EPLB)
  int micro_batches = 1;      // overlapped micro-batches (2: DeepSeek's dual micro-batch)
  double max_tokens_per_gpu = 0;    // prefill: token budget of one forward pass per GPU; 0 = no limit
  int max_requests_per_gpu = 0;     // decode: concurrent requests per GPU; 0 = limited by KV cache
  core::Provenance provenance;
};

struct ServingPrecisionSpec {
  core::DType gemm = core::DType::bf16;
  core::DType attention = core::DType::bf16;
  core::DType kv_cache = core::DType::bf16;
  core::DType dispatch = core::DType::bf16;
  core::DType combine = core::DType::bf16;
  core::Provenance provenance;
};

enum class LengthDist { fixed, exponential, lognormal };
inline constexpr core::NameTable<LengthDist, 3> kLengthDists({{LengthDist::fixed, "fixed"},
                                                             {LengthDist::exponential, "exponential"},
                                                             {LengthDist::lognormal, "lognormal"}});

struct LengthSpec {
  LengthDist dist = LengthDist::lognormal;
  double mean = 0;  // tokens
  double cv = 1.0;  // coefficient of variation (lognormal)
  double max = 0;   // truncation; 0 = none
  core::Provenance provenance;
};

enum class Arrivals { poisson, bursty };
inline constexpr core::NameTable<Arrivals, 2> kArrivals({{Arrivals::poisson, "poisson"}, {Arrivals::bursty, "bursty"}});

struct TrafficSpec {
  double input_tokens_per_day = 0;   // including cache hits
  double output_tokens_per_day = 0;
  double cache_hit_rate = 0;         // share of input tokens whose KV comes from the prefix cache
  LengthSpec input;                  // prompt length per request
  LengthSpec output;                 // generated tokens per request
  Arrivals arrivals = Arrivals::poisson;
  double burstiness = 1.0;           // bursty: variance-to-mean ratio of arrivals per second
  std::vector<double> daily_curve;   // 24 hourly load multipliers (their mean is scaled to 1); empty = flat
  std::string trace;                 // a CSV of requests to replay instead (path relative to the scenario)
  core::Provenance provenance;
};

struct SloSpec {
  std::optional<double> ttft_p90_s;
  std::optional<double> tpot_p90_s;
  double min_tokens_per_s_per_user_value = 0;  // 0 = no target
  core::Provenance provenance;
};

struct MtpDecodeSpec {
  int draft_tokens = 0;     // tokens proposed per step by the MTP module(s)
  double acceptance = 0.0;  // probability a draft token is accepted
  core::Provenance provenance;
};

struct TokenPricesSpec {
  double input_cache_hit_usd_per_mtok = 0;
  double input_cache_miss_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  core::Provenance provenance;
};

struct ServingSpec {
  std::string model;
  std::string node;
  FabricSpec fabric;
  bool disaggregated = true;
  std::optional<UnitSpec> prefill;   // disaggregated
  std::optional<UnitSpec> decode;    // disaggregated
  std::optional<UnitSpec> unit;      // colocated
  ServingPrecisionSpec precision;
  TrafficSpec traffic;
  SloSpec slo;
  MtpDecodeSpec mtp;
  double rental_usd_per_gpu_hour = 0;
  std::optional<TokenPricesSpec> prices;
  bool autoscale = true;             // add and remove units along the daily curve
  core::Provenance provenance;
};

// The request trace's path: relative to the scenario file that names it (to the working
// directory when a --set gives it); empty without a trace.
std::string trace_path(const TrafficSpec& t);

const core::Schema<UnitSpec>& unit_schema();
const core::Schema<ServingPrecisionSpec>& serving_precision_schema();
const core::Schema<LengthSpec>& length_schema();
const core::Schema<TrafficSpec>& traffic_schema();
const core::Schema<SloSpec>& slo_schema();
const core::Schema<MtpDecodeSpec>& mtp_decode_schema();
const core::Schema<TokenPricesSpec>& token_prices_schema();
const core::Schema<ServingSpec>& serving_schema();

}  // namespace fleetsim::scenario
