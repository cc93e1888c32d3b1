#include "scenario/serving_spec.h"

#include <fmt/format.h>

#include <filesystem>
#include <numeric>

namespace fleetsim::scenario {

using core::at_least;
using core::Dim;
using core::DType;

const core::Schema<UnitSpec>& unit_schema() {
  static const auto s =
      core::Schema<UnitSpec>("unit", "A deployment unit: nodes serving as one instance.")
          .provenance(&UnitSpec::provenance)
          .integer("nodes", &UnitSpec::nodes, "Nodes per unit.", at_least(1), 1)
          .integer("ep", &UnitSpec::ep, "Expert parallel degree (GPUs holding the routed experts).", at_least(1), 1)
          .integer("attention_dp", &UnitSpec::attention_dp, "Data-parallel attention groups.", at_least(1), 1)
          .integer("attention_tp", &UnitSpec::attention_tp, "Tensor parallel degree inside an attention group.",
                   at_least(1), 1)
          .integer("redundant_experts", &UnitSpec::redundant_experts, "Extra replicas of hot experts.", at_least(0), 0)
          .integer("micro_batches", &UnitSpec::micro_batches,
                   "Micro-batches overlapped so computation hides all-to-all (DeepSeek: 2).", at_least(1), 1)
          .quantity("max_tokens_per_gpu", &UnitSpec::max_tokens_per_gpu, Dim::count,
                    "Prefill: tokens per GPU per forward pass; 0 = no limit.", core::non_negative(), 0.0)
          .integer("max_requests_per_gpu", &UnitSpec::max_requests_per_gpu,
                   "Decode: concurrent requests per GPU; 0 = as many as the KV cache holds.", at_least(0), 0);
  return s;
}

const core::Schema<ServingPrecisionSpec>& serving_precision_schema() {
  using P = ServingPrecisionSpec;
  static const auto s = core::Schema<P>("serving_precision", "Number formats of inference.")
                            .provenance(&P::provenance)
                            .dtype("gemm", &P::gemm, "Linear layers.", DType::bf16)
                            .dtype("attention", &P::attention, "Attention core.", DType::bf16)
                            .dtype("kv_cache", &P::kv_cache, "KV cache.", DType::bf16)
                            .dtype("dispatch", &P::dispatch, "MoE token dispatch on the wire.", DType::bf16)
                            .dtype("combine", &P::combine, "MoE combine on the wire.", DType::bf16);
  return s;
}

const core::Schema<LengthSpec>& length_schema() {
  static const auto s =
      core::Schema<LengthSpec>("length", "A distribution of token counts per request.")
          .provenance(&LengthSpec::provenance)
          .choice("dist", &LengthSpec::dist, kLengthDists, "Shape of the distribution.", LengthDist::lognormal)
          .quantity("mean", &LengthSpec::mean, Dim::count, "Mean tokens per request.", core::positive())
          .number("cv", &LengthSpec::cv, "Coefficient of variation (lognormal).", core::non_negative(), 1.0)
          .quantity("max", &LengthSpec::max, Dim::count, "Truncation; 0 = none.", core::non_negative(), 0.0);
  return s;
}

const core::Schema<TrafficSpec>& traffic_schema() {
  static const auto s =
      core::Schema<TrafficSpec>("traffic", "A day of requests.")
          .provenance(&TrafficSpec::provenance)
          .quantity("input_tokens_per_day", &TrafficSpec::input_tokens_per_day, Dim::count,
                    "Prompt tokens a day, cache hits included (required without a trace).", core::positive(), 0.0)
          .quantity("output_tokens_per_day", &TrafficSpec::output_tokens_per_day, Dim::count,
                    "Generated tokens a day (required without a trace).", core::positive(), 0.0)
          .quantity("cache_hit_rate", &TrafficSpec::cache_hit_rate, Dim::fraction,
                    "Share of prompt tokens whose KV comes from the prefix cache.", core::unit_interval(), 0.0)
          .object("input", &TrafficSpec::input, length_schema(),
                  "Prompt length per request (required without a trace).", false)
          .object("output", &TrafficSpec::output, length_schema(),
                  "Generated tokens per request (required without a trace).", false)
          .choice("arrivals", &TrafficSpec::arrivals, kArrivals,
                  "Arrival process.", Arrivals::poisson)
          .number("burstiness", &TrafficSpec::burstiness, "Bursty arrivals: variance-to-mean ratio.",
                  core::at_least(1), 1.0)
          .custom({"daily_curve", "list of 24 numbers >= 0", "Hourly load multipliers; scaled to mean 1.", false, "flat"},
                  [](const core::ConfigNode& n, TrafficSpec& t) {
                    t.daily_curve.clear();
                    for (const auto& e : n.elements()) {
                      double v = e.as_number();
                      core::check_range(e, v, core::non_negative());
                      t.daily_curve.push_back(v);
                    }
                    if (t.daily_curve.size() != 24) {
                      n.fail(fmt::format("expected 24 hourly values, got {}", t.daily_curve.size()));
                    }
                    double sum = std::accumulate(t.daily_curve.begin(), t.daily_curve.end(), 0.0);
                    if (sum <= 0) n.fail("the daily curve is all zero");
                  },
                  [](TrafficSpec& t) { t.daily_curve.clear(); }, false,
                  [](const TrafficSpec& t, core::EmitMode) {
                    return t.daily_curve.empty() ? core::Json() : core::Json(t.daily_curve);
                  })
          .text("trace", &TrafficSpec::trace,
                "CSV of one day's requests to replay instead of the distributions (arrival_s, input_tokens, "
                "output_tokens, optional cached_tokens), relative to the scenario file; see docs/serving.md.",
                std::string())
          .check([](const core::ConfigNode& n, TrafficSpec& t) {
            auto given = [&](std::string_view key) {
              for (const auto& [k, child] : n.entries()) {
                if (k == key) return true;
              }
              return false;
            };
            if (t.trace.empty()) {
              for (const char* key : {"input_tokens_per_day", "output_tokens_per_day", "input", "output"}) {
                if (!given(key)) {
                  n.fail_at(key, fmt::format("missing field '{}': the traffic needs daily totals and length "
                                             "distributions, or a trace of requests",
                                             key));
                }
              }
              return;
            }
            for (const char* key : {"input_tokens_per_day", "output_tokens_per_day", "input", "output", "daily_curve",
                                    "arrivals", "burstiness"}) {
              if (given(key)) {
                n.fail_at(key, fmt::format("'{}' conflicts with 'trace': the trace gives every request's arrival "
                                           "and lengths; remove one of them",
                                           key));
              }
            }
          });
  return s;
}

const core::Schema<SloSpec>& slo_schema() {
  static const auto s =
      core::Schema<SloSpec>("slo", "Latency targets.")
          .provenance(&SloSpec::provenance)
          .quantity("ttft_p90", &SloSpec::ttft_p90_s, Dim::seconds, "90th percentile time to first token.",
                    core::positive())
          .quantity("tpot_p90", &SloSpec::tpot_p90_s, Dim::seconds, "90th percentile time per output token.",
                    core::positive())
          .number("min_tokens_per_s_per_user", &SloSpec::min_tokens_per_s_per_user_value,
                  "Slowest acceptable generation speed seen by a user (tokens/s); 0 = none.", core::non_negative(),
                  0.0);
  return s;
}

const core::Schema<MtpDecodeSpec>& mtp_decode_schema() {
  static const auto s =
      core::Schema<MtpDecodeSpec>("mtp", "Speculative decoding with the model's MTP module(s).")
          .provenance(&MtpDecodeSpec::provenance)
          .integer("draft_tokens", &MtpDecodeSpec::draft_tokens, "Tokens drafted per step.", at_least(0), 0)
          .quantity("acceptance", &MtpDecodeSpec::acceptance, Dim::fraction, "Probability a draft is accepted.",
                    core::unit_interval(), 0.0);
  return s;
}

const core::Schema<TokenPricesSpec>& token_prices_schema() {
  using P = TokenPricesSpec;
  static const auto s = core::Schema<P>("token_prices", "List prices charged per million tokens.")
                            .provenance(&P::provenance)
                            .quantity("input_cache_hit", &P::input_cache_hit_usd_per_mtok, Dim::usd_per_mtok,
                                      "Prompt tokens served from the cache.", core::non_negative())
                            .quantity("input_cache_miss", &P::input_cache_miss_usd_per_mtok, Dim::usd_per_mtok,
                                      "Prompt tokens computed.", core::non_negative())
                            .quantity("output", &P::output_usd_per_mtok, Dim::usd_per_mtok, "Generated tokens.",
                                      core::non_negative());
  return s;
}

std::string trace_path(const TrafficSpec& t) {
  if (t.trace.empty()) return {};
  const auto& where = core::location_of(t.provenance, "trace");
  std::filesystem::path path(t.trace);
  if (path.is_relative() && where.line > 0 && !where.file.empty()) {
    path = std::filesystem::path(where.file).parent_path() / path;
  }
  return path.lexically_normal().string();
}

const core::Schema<ServingSpec>& serving_schema() {
  static const auto s =
      core::Schema<ServingSpec>("serving", "An inference service: deployment units, traffic and targets.")
          .provenance(&ServingSpec::provenance)
          .text("model", &ServingSpec::model, "Model id, or a path to a model YAML.")
          .text("node", &ServingSpec::node, "Node id from the hardware catalog.")
          .object("fabric", &ServingSpec::fabric, fabric_schema(), "Scale-out network of the serving nodes.", false)
          .flag("disaggregated", &ServingSpec::disaggregated, "Prefill and decode on separate units.", true)
          .object("prefill", &ServingSpec::prefill, unit_schema(), "Prefill unit (disaggregated).")
          .object("decode", &ServingSpec::decode, unit_schema(), "Decode unit (disaggregated).")
          .object("unit", &ServingSpec::unit, unit_schema(), "The unit doing both (colocated).")
          .object("precision", &ServingSpec::precision, serving_precision_schema(), "Number formats.", false)
          .object("traffic", &ServingSpec::traffic, traffic_schema(), "A day of requests.")
          .object("slo", &ServingSpec::slo, slo_schema(), "Latency targets.", false)
          .object("mtp", &ServingSpec::mtp, mtp_decode_schema(), "Speculative decoding.", false)
          .quantity("rental", &ServingSpec::rental_usd_per_gpu_hour, Dim::usd_per_hour,
                    "Rental price per GPU-hour for the cost of the service.", core::non_negative(), 2.0)
          .object("prices", &ServingSpec::prices, token_prices_schema(), "Prices charged, for revenue and margin.")
          .flag("autoscale", &ServingSpec::autoscale, "Add and remove units along the daily load curve.", true)
          .check([](const core::ConfigNode& n, ServingSpec& sv) {
            if (sv.disaggregated) {
              if (!sv.prefill) n.fail_at("prefill", "a disaggregated service needs a prefill unit");
              if (!sv.decode) n.fail_at("decode", "a disaggregated service needs a decode unit");
              if (sv.unit) n.fail_at("unit", "'unit' is for colocated serving; give prefill and decode instead");
            } else {
              if (!sv.unit) n.fail_at("unit", "a colocated service (disaggregated: false) needs a unit");
              if (sv.prefill || sv.decode) {
                n.fail_at(sv.prefill ? "prefill" : "decode", "prefill/decode units need disaggregated: true");
              }
            }
          });
  return s;
}

}  // namespace fleetsim::scenario
