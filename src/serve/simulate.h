// A day of requests through a serving fleet on sim::Engine, request by request
// (or request-batch by request-batch at DeepSeek's scale):
//
//  - arrivals: Poisson at the hour's rate (daily curve), or bursty (compound Poisson: clusters of
//    geometric size with mean g = (VMR + 1) / 2, so counts have the variance-to-mean ratio VMR);
//    input and output lengths drawn from the scenario's distributions; core::Rng(seed);
//  - prefill units (as many as the plan's hour asks; the rest drain and stop): continuous
//    batching, each pass takes up to the token budget from the FIFO head (a prompt may be split
//    across passes) and lasts UnitModel::prefill_pass of its tokens per GPU; a request's first
//    token comes at the end of the pass that finishes its prompt (TTFT);
//  - decode units: a request joins the active unit with the most free slots when its slots (the
//    plan's batch limit) and its KV (current contexts within the KV cache) allow, else waits in
//    FIFO order; each step lasts UnitModel::decode_step(requests per group, mean context) and
//    gives every request tokens_per_step tokens; when contexts outgrow the cache the request
//    admitted last is preempted (its KV swapped out) and queued again at the front;
//  - colocated units (serving.unit) hold both queues and run one pass or one step at a time,
//    a pass first while prompts wait (decode pauses for it: the interference disaggregation
//    removes);
//  - autoscaling: at each hour the plan's unit counts are applied;
//  - a replayed trace (Traffic::trace) replaces the arrivals and lengths drawn: its rows arrive
//    at their times with their lengths, one simulated request each (no aggregation), their
//    cached prefix as given (or the scenario's hit rate).
//
// Aggregation: above `max_simulated_requests` a simulated request stands for k identical real
// requests (k = ceil(requests/day / max), at most 1/8 of a decode unit's slots), occupying k
// slots and k times its KV; its members' first tokens come pass by pass as the batch's prompt
// tokens are computed (TTFT samples weighted by their share). Where that still leaves too many,
// a slice of the fleet is simulated: a share of every hour's units (rounded, at least one) and
// the same share of the traffic. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <vector>

#include "serve/estimate.h"

namespace fleetsim::serve {

struct SimOptions {
  int64_t max_simulated_requests = 2'000'000;
  double duration_s = 86'400;  // arrivals stop after this; in-flight requests finish
  bool record_trace = false;
  int64_t trace_limit = 200'000;  // spans kept for the trace
  // Keep the requests drawn (arrival, lengths, cached prefix) for --export-requests; needs every
  // request simulated individually (k = 1, the whole fleet), else a core::InputError.
  bool export_requests = false;
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0;
};

struct TraceSpan {
  bool prefill = false;
  int unit = 0;
  int64_t start_ns = 0, end_ns = 0;
  double batch = 0;  // prefill: tokens of the pass; decode: requests in the step
};

struct SimResult {
  int64_t simulated_requests = 0;
  double requests_per_simulated = 1;  // k
  double fleet_share = 1;             // share of the fleet and traffic simulated (a slice when < 1)
  uint64_t events = 0;
  int64_t prefill_passes = 0;
  int64_t decode_steps = 0;
  int64_t preemptions = 0;
  Percentiles ttft_s, tpot_s;
  double input_tokens = 0;   // real tokens of the completed requests (fleet-wide: divided by fleet_share)
  double output_tokens = 0;
  double end_s = 0;          // when the last request finished
  double prefill_busy = 0;   // share of active prefill unit-time spent in passes
  double decode_requests_per_gpu = 0;  // time-average over active decode units' steps
  std::vector<TraceSpan> trace;
  std::vector<TraceRequest> requests;  // with SimOptions::export_requests, by arrival
};

SimResult simulate_day(const ServingModel& model, const ServingEstimate& plan, uint64_t seed,
                       const SimOptions& options = {});

}  // namespace fleetsim::serve
