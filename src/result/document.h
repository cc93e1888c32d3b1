// The result document (docs/results.md), one struct per section and sub-object. Each struct's
// `fields` is the one declaration of its keys, in the order they are written, with their units;
// result/fields.h turns it into the JSON emit, the strict read and the key list. A number's C++
// type is its JSON type: double fields are written as JSON floats (62914560.0), std::int64_t
// as integers (2048). std::optional keys are absent when empty; Nullable ones are null.
//
// A section's JSON is to_json(section); Document is the whole file `fleetsim run --json` and
// `fleetsim plan --json` write; `fleetsim train`, `serve` and `tco --json` write the same shape
// with the one section they compute.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "result/fields.h"

namespace fleetsim::result {

// fleetsim
struct Meta {
  std::string version;
  std::string scenario_hash;
  std::int64_t seed = 0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("version",                         s.version, "");
    v("scenario_hash",                   s.scenario_hash, "");
    v("seed",                            s.seed, "");
  }
};

// scenario
struct ScenarioInfo {
  std::string name;
  std::string question;
  std::string file;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("name",                            s.name, "");
    v("question",                        s.question, "");
    v("file",                            s.file, "");
  }
};

// training.parallelism
struct Parallelism {
  std::int64_t dp = 0;
  std::int64_t tp = 0;
  std::int64_t pp = 0;
  std::int64_t cp = 0;
  std::int64_t ep = 0;
  std::int64_t zero = 0;
  std::string schedule;
  std::int64_t micro_batches = 0;
  std::string layer_split;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("dp",                              s.dp, "");
    v("tp",                              s.tp, "");
    v("pp",                              s.pp, "");
    v("cp",                              s.cp, "");
    v("ep",                              s.ep, "");
    v("zero",                            s.zero, "");
    v("schedule",                        s.schedule, "");
    v("micro_batches",                   s.micro_batches, "");
    v("layer_split",                     s.layer_split, "");
  }
};

// training.memory_breakdown[]
struct MemoryPart {
  std::string part;
  double bytes = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("part",                            s.part, "");
    v("bytes",                           s.bytes, "bytes");
  }
};

// training.breakdown[]
struct TimePart {
  std::string part;
  double seconds = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("part",                            s.part, "");
    v("seconds",                         s.seconds, "s");
  }
};

// training.per_micro_batch
struct PerMicroBatch {
  double forward_s = 0.0;
  double backward_s = 0.0;
  double weight_grad_s = 0.0;
  double ep_forward_s = 0.0;
  double ep_backward_s = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("forward_s",                       s.forward_s, "s");
    v("backward_s",                      s.backward_s, "s");
    v("weight_grad_s",                   s.weight_grad_s, "s");
    v("ep_forward_s",                    s.ep_forward_s, "s");
    v("ep_backward_s",                   s.ep_backward_s, "s");
  }
};

// training.stages[]
struct Stage {
  std::string name;
  std::int64_t seq_len = 0;
  double batch = 0.0;
  double tokens = 0.0;
  double steps = 0.0;
  double step_time_s = 0.0;
  double mfu = 0.0;
  double gpu_hours = 0.0;
  double days = 0.0;
  double memory_per_gpu_bytes = 0.0;
  std::string recompute;
  std::int64_t cp = 0;
  std::vector<std::string> notes;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("name",                            s.name, "");
    v("seq_len",                         s.seq_len, "");
    v("batch",                           s.batch, "");
    v("tokens",                          s.tokens, "");
    v("steps",                           s.steps, "");
    v("step_time_s",                     s.step_time_s, "s");
    v("mfu",                             s.mfu, "fraction");
    v("gpu_hours",                       s.gpu_hours, "GPU-hours");
    v("days",                            s.days, "days");
    v("memory_per_gpu_bytes",            s.memory_per_gpu_bytes, "bytes");
    v("recompute",                       s.recompute, "");
    v("cp",                              s.cp, "");
    v("notes",                           s.notes, "");
  }
};

// training.timeline[]
struct TimelineSpan {
  std::string lane;
  std::string name;
  std::string kind;
  double start_s = 0.0;
  double end_s = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("lane",                            s.lane, "");
    v("name",                            s.name, "");
    v("kind",                            s.kind, "");
    v("start_s",                         s.start_s, "s");
    v("end_s",                           s.end_s, "s");
  }
};

// training
struct Training {
  std::string model;
  std::string gpu;
  std::int64_t gpus = 0;
  std::int64_t nodes = 0;
  std::string engine;
  Parallelism parallelism;
  double step_time_s = 0.0;
  double tokens_per_step = 0.0;
  double tokens_per_s_per_gpu = 0.0;
  double mfu = 0.0;
  double model_flops_per_step = 0.0;
  double gpu_hours_per_trillion_tokens = 0.0;
  double gpu_hours_total = 0.0;
  double wall_clock_days = 0.0;
  double memory_per_gpu_bytes = 0.0;
  double memory_capacity_bytes = 0.0;
  std::vector<MemoryPart> memory_breakdown;
  double rental_usd_per_gpu_hour = 0.0;
  double rental_usd_total = 0.0;
  std::vector<TimePart> breakdown;
  PerMicroBatch per_micro_batch;
  std::vector<Stage> stages;
  std::optional<std::vector<TimelineSpan>> timeline;  // the step's spans, when asked for

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("model",                           s.model, "");
    v("gpu",                             s.gpu, "");
    v("gpus",                            s.gpus, "");
    v("nodes",                           s.nodes, "");
    v("engine",                          s.engine, "");
    v("parallelism",                     s.parallelism, "");
    v("step_time_s",                     s.step_time_s, "s");
    v("tokens_per_step",                 s.tokens_per_step, "");
    v("tokens_per_s_per_gpu",            s.tokens_per_s_per_gpu, "tokens/s/GPU");
    v("mfu",                             s.mfu, "fraction");
    v("model_flops_per_step",            s.model_flops_per_step, "");
    v("gpu_hours_per_trillion_tokens",   s.gpu_hours_per_trillion_tokens, "GPU-hours/Ttok");
    v("gpu_hours_total",                 s.gpu_hours_total, "GPU-hours");
    v("wall_clock_days",                 s.wall_clock_days, "days");
    v("memory_per_gpu_bytes",            s.memory_per_gpu_bytes, "bytes");
    v("memory_capacity_bytes",           s.memory_capacity_bytes, "bytes");
    v("memory_breakdown",                s.memory_breakdown, "");
    v("rental_usd_per_gpu_hour",         s.rental_usd_per_gpu_hour, "USD/GPU-hour");
    v("rental_usd_total",                s.rental_usd_total, "");
    v("breakdown",                       s.breakdown, "");
    v("per_micro_batch",                 s.per_micro_batch, "");
    v("stages",                          s.stages, "");
    v("timeline",                        s.timeline, "");
  }
};

// serving.ttft_s
struct Percentiles {
  double p50 = 0.0;
  double p90 = 0.0;
  double p99 = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("p50",                             s.p50, "");
    v("p90",                             s.p90, "");
    v("p99",                             s.p99, "");
  }
};

// serving.nodes
struct ServingNodes {
  double prefill = 0.0;
  double decode = 0.0;
  double average = 0.0;
  double peak = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("prefill",                         s.prefill, "");
    v("decode",                          s.decode, "");
    v("average",                         s.average, "");
    v("peak",                            s.peak, "");
  }
};

// serving.hourly[]
struct ServingHour {
  std::int64_t hour = 0;
  double load = 0.0;
  std::int64_t nodes_prefill = 0;
  std::int64_t nodes_decode = 0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("hour",                            s.hour, "");
    v("load",                            s.load, "");
    v("nodes_prefill",                   s.nodes_prefill, "");
    v("nodes_decode",                    s.nodes_decode, "");
  }
};

// serving.traffic.trace: the replayed trace behind the traffic, when one is given
struct TraceInfo {
  std::string file;
  std::int64_t requests = 0;
  bool cached_tokens_column = false;
  std::vector<std::string> ignored_columns;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("file",                              s.file, "");
    v("requests",                          s.requests, "requests");
    v("cached_tokens_column",              s.cached_tokens_column, "");
    v("ignored_columns",                   s.ignored_columns, "");
  }
};

// serving.traffic
struct Traffic {
  double requests_per_day = 0.0;
  double mean_input_tokens = 0.0;
  double mean_output_tokens = 0.0;
  double mean_kv_len = 0.0;
  double token_weighted_input_tokens = 0.0;
  double cache_hit_rate = 0.0;

  std::optional<TraceInfo> trace;
  std::optional<std::vector<double>> hourly_input_load;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("requests_per_day",                s.requests_per_day, "");
    v("mean_input_tokens",               s.mean_input_tokens, "");
    v("mean_output_tokens",              s.mean_output_tokens, "");
    v("mean_kv_len",                     s.mean_kv_len, "");
    v("token_weighted_input_tokens",     s.token_weighted_input_tokens, "");
    v("cache_hit_rate",                  s.cache_hit_rate, "fraction");
    v("trace",                             s.trace, "");
    v("hourly_input_load",                 s.hourly_input_load, "multiplier");
  }
};

// serving.units.colocated_prefill.memory_per_gpu
struct UnitMemory {
  double hbm_bytes = 0.0;
  double weight_bytes = 0.0;
  double reserve_bytes = 0.0;
  double kv_bytes = 0.0;
  double kv_bytes_per_token = 0.0;
  double kv_tokens = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("hbm_bytes",                       s.hbm_bytes, "bytes");
    v("weight_bytes",                    s.weight_bytes, "bytes");
    v("reserve_bytes",                   s.reserve_bytes, "bytes");
    v("kv_bytes",                        s.kv_bytes, "bytes");
    v("kv_bytes_per_token",              s.kv_bytes_per_token, "bytes/token");
    v("kv_tokens",                       s.kv_tokens, "");
  }
};

// serving.units.colocated_prefill.pass
struct PassTime {
  double seconds = 0.0;
  double compute_s = 0.0;
  double all_to_all_s = 0.0;
  double attention_s = 0.0;
  double gemm_s = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("seconds",                         s.seconds, "s");
    v("compute_s",                       s.compute_s, "s");
    v("all_to_all_s",                    s.all_to_all_s, "s");
    v("attention_s",                     s.attention_s, "s");
    v("gemm_s",                          s.gemm_s, "s");
  }
};

// serving.units.colocated_prefill
struct PrefillUnit {
  std::string role;
  std::int64_t nodes_per_unit = 0;
  std::int64_t gpus_per_unit = 0;
  UnitMemory memory_per_gpu;
  double tokens_per_s_per_node_at_capacity = 0.0;
  double tokens_per_pass_per_gpu = 0.0;
  double ttft_utilization = 0.0;
  PassTime pass_;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("role",                            s.role, "");
    v("nodes_per_unit",                  s.nodes_per_unit, "");
    v("gpus_per_unit",                   s.gpus_per_unit, "");
    v("memory_per_gpu",                  s.memory_per_gpu, "");
    v("tokens_per_s_per_node_at_capacity", s.tokens_per_s_per_node_at_capacity, "tokens/s/node");
    v("tokens_per_pass_per_gpu",         s.tokens_per_pass_per_gpu, "");
    v("ttft_utilization",                s.ttft_utilization, "fraction");
    v("pass",                            s.pass_, "");
  }
};

// serving.units.colocated_decode
struct DecodeUnit {
  std::string role;
  std::int64_t nodes_per_unit = 0;
  std::int64_t gpus_per_unit = 0;
  UnitMemory memory_per_gpu;
  double tokens_per_s_per_node_at_capacity = 0.0;
  double requests_per_gpu = 0.0;
  std::string batch_limit;
  double tokens_per_step = 0.0;
  PassTime step;
  double tokens_per_s_per_user = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("role",                            s.role, "");
    v("nodes_per_unit",                  s.nodes_per_unit, "");
    v("gpus_per_unit",                   s.gpus_per_unit, "");
    v("memory_per_gpu",                  s.memory_per_gpu, "");
    v("tokens_per_s_per_node_at_capacity", s.tokens_per_s_per_node_at_capacity, "tokens/s/node");
    v("requests_per_gpu",                s.requests_per_gpu, "");
    v("batch_limit",                     s.batch_limit, "");
    v("tokens_per_step",                 s.tokens_per_step, "");
    v("step",                            s.step, "");
    v("tokens_per_s_per_user",           s.tokens_per_s_per_user, "tokens/s");
  }
};

// serving.units
struct ServingUnits {
  std::optional<PrefillUnit> colocated_prefill;
  std::optional<DecodeUnit> colocated_decode;
  std::optional<PrefillUnit> prefill;
  std::optional<DecodeUnit> decode;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("colocated_prefill",               s.colocated_prefill, "");
    v("colocated_decode",                s.colocated_decode, "");
    v("prefill",                         s.prefill, "");
    v("decode",                          s.decode, "");
  }
};

// serving.simulation
struct Simulation {
  std::int64_t simulated_requests = 0;
  double requests_per_simulated_request = 0.0;
  double fleet_share = 0.0;
  std::int64_t events = 0;
  std::int64_t prefill_passes = 0;
  std::int64_t decode_steps = 0;
  std::int64_t preemptions = 0;
  double input_tokens = 0.0;
  double output_tokens = 0.0;
  double last_finish_s = 0.0;
  double prefill_busy_share = 0.0;
  double decode_requests_per_gpu = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("simulated_requests",              s.simulated_requests, "");
    v("requests_per_simulated_request",  s.requests_per_simulated_request, "");
    v("fleet_share",                     s.fleet_share, "fraction");
    v("events",                          s.events, "");
    v("prefill_passes",                  s.prefill_passes, "");
    v("decode_steps",                    s.decode_steps, "");
    v("preemptions",                     s.preemptions, "");
    v("input_tokens",                    s.input_tokens, "");
    v("output_tokens",                   s.output_tokens, "");
    v("last_finish_s",                   s.last_finish_s, "s");
    v("prefill_busy_share",              s.prefill_busy_share, "fraction");
    v("decode_requests_per_gpu",         s.decode_requests_per_gpu, "");
  }
};

// serving
struct Serving {
  std::string gpu;
  bool disaggregated = false;
  double prefill_tokens_per_s_per_node = 0.0;
  double decode_tokens_per_s_per_node = 0.0;
  Percentiles ttft_s;
  Percentiles tpot_s;
  std::string latency_from;
  ServingNodes nodes;
  double gpu_hours_per_day = 0.0;
  double cost_usd_per_day = 0.0;
  double usd_per_million_output_tokens = 0.0;
  std::optional<double> revenue_usd_per_day;
  std::optional<double> cost_profit_margin;
  std::vector<ServingHour> hourly;
  Traffic traffic;
  ServingUnits units;
  std::optional<Simulation> simulation;  // absent when no event simulation ran

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("gpu",                             s.gpu, "");
    v("disaggregated",                   s.disaggregated, "");
    v("prefill_tokens_per_s_per_node",   s.prefill_tokens_per_s_per_node, "tokens/s/node");
    v("decode_tokens_per_s_per_node",    s.decode_tokens_per_s_per_node, "tokens/s/node");
    v("ttft_s",                          s.ttft_s, "s");
    v("tpot_s",                          s.tpot_s, "s");
    v("latency_from",                    s.latency_from, "");
    v("nodes",                           s.nodes, "");
    v("gpu_hours_per_day",               s.gpu_hours_per_day, "GPU-hours/day");
    v("cost_usd_per_day",                s.cost_usd_per_day, "USD/day");
    v("usd_per_million_output_tokens",   s.usd_per_million_output_tokens, "USD/Mtok");
    v("revenue_usd_per_day",             s.revenue_usd_per_day, "USD/day");
    v("cost_profit_margin",              s.cost_profit_margin, "");
    v("hourly",                          s.hourly, "");
    v("traffic",                         s.traffic, "");
    v("units",                           s.units, "");
    v("simulation",                      s.simulation, "");
  }
};

// tco.breakdown[]
struct CostPart {
  std::string category;
  std::string kind;
  double usd = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("category",                        s.category, "");
    v("kind",                            s.kind, "");
    v("usd",                             s.usd, "USD");
  }
};

// tco.by_year[].by_category
struct ByCategory {
  double servers = 0.0;
  double network = 0.0;
  double storage = 0.0;
  double facility = 0.0;
  double energy = 0.0;
  double colocation = 0.0;
  double maintenance = 0.0;
  double staff = 0.0;
  double software = 0.0;
  double transit = 0.0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("servers",                         s.servers, "");
    v("network",                         s.network, "");
    v("storage",                         s.storage, "");
    v("facility",                        s.facility, "");
    v("energy",                          s.energy, "");
    v("colocation",                      s.colocation, "");
    v("maintenance",                     s.maintenance, "");
    v("staff",                           s.staff, "");
    v("software",                        s.software, "");
    v("transit",                         s.transit, "");
  }
};

// tco.by_year[]
struct TcoYear {
  std::int64_t year = 0;
  double capex_usd = 0.0;
  double opex_usd = 0.0;
  double depreciation_usd = 0.0;
  double residual_usd = 0.0;
  double cash_flow_usd = 0.0;
  ByCategory by_category;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("year",                            s.year, "");
    v("capex_usd",                       s.capex_usd, "USD");
    v("opex_usd",                        s.opex_usd, "USD");
    v("depreciation_usd",                s.depreciation_usd, "USD");
    v("residual_usd",                    s.residual_usd, "USD");
    v("cash_flow_usd",                   s.cash_flow_usd, "USD");
    v("by_category",                     s.by_category, "");
  }
};

// tco.purchases[]
struct Purchase {
  std::string name;
  std::int64_t year = 0;
  std::int64_t gpus = 0;
  double capex_usd = 0.0;
  double opex_usd = 0.0;
  double residual_usd = 0.0;
  double tco_usd = 0.0;
  ByCategory by_category;
  double it_power_max_w = 0.0;
  double it_power_avg_w = 0.0;
  std::optional<std::string> carried_by;
  std::optional<std::string> gpu;
  std::optional<double> usd_per_gpu_hour;
  std::optional<double> rental_usd_per_gpu_hour;
  std::optional<double> own_over_rent;
  std::optional<double> breakeven_utilization;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("name",                            s.name, "");
    v("year",                            s.year, "");
    v("gpus",                            s.gpus, "");
    v("capex_usd",                       s.capex_usd, "USD");
    v("opex_usd",                        s.opex_usd, "USD");
    v("residual_usd",                    s.residual_usd, "USD");
    v("tco_usd",                         s.tco_usd, "USD");
    v("by_category",                     s.by_category, "");
    v("it_power_max_w",                  s.it_power_max_w, "W");
    v("it_power_avg_w",                  s.it_power_avg_w, "W");
    v("carried_by",                      s.carried_by, "");
    v("gpu",                             s.gpu, "");
    v("usd_per_gpu_hour",                s.usd_per_gpu_hour, "USD/GPU-hour");
    v("rental_usd_per_gpu_hour",         s.rental_usd_per_gpu_hour, "USD/GPU-hour");
    v("own_over_rent",                   s.own_over_rent, "");
    v("breakeven_utilization",           s.breakeven_utilization, "fraction");
  }
};

// tco.bom[]
struct BomLine {
  std::string group;
  std::string category;
  std::string item;
  std::string id;
  double quantity = 0.0;
  double unit_usd = 0.0;
  double low_usd = 0.0;
  double high_usd = 0.0;
  double usd = 0.0;
  double unit_power_w = 0.0;
  std::string price_source;
  bool estimate = false;
  std::optional<std::string> note;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("group",                           s.group, "");
    v("category",                        s.category, "");
    v("item",                            s.item, "");
    v("id",                              s.id, "");
    v("quantity",                        s.quantity, "");
    v("unit_usd",                        s.unit_usd, "USD");
    v("low_usd",                         s.low_usd, "USD");
    v("high_usd",                        s.high_usd, "USD");
    v("usd",                             s.usd, "USD");
    v("unit_power_w",                    s.unit_power_w, "W");
    v("price_source",                    s.price_source, "");
    v("estimate",                        s.estimate, "");
    v("note",                            s.note, "");
  }
};

// tco.fabrics[]
struct FabricCount {
  std::string group;
  std::string kind;
  std::string switch_;
  std::int64_t clusters = 0;
  std::int64_t planes = 0;
  std::int64_t tiers = 0;
  std::int64_t endpoints = 0;
  std::int64_t leaf_switches = 0;
  std::int64_t spine_switches = 0;
  std::int64_t core_switches = 0;
  std::int64_t switches = 0;
  std::int64_t endpoint_links = 0;
  std::int64_t switch_links = 0;
  std::int64_t nic_modules = 0;
  std::int64_t switch_modules = 0;
  std::int64_t fibres = 0;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("group",                           s.group, "");
    v("kind",                            s.kind, "");
    v("switch",                          s.switch_, "");
    v("clusters",                        s.clusters, "");
    v("planes",                          s.planes, "");
    v("tiers",                           s.tiers, "");
    v("endpoints",                       s.endpoints, "");
    v("leaf_switches",                   s.leaf_switches, "");
    v("spine_switches",                  s.spine_switches, "");
    v("core_switches",                   s.core_switches, "");
    v("switches",                        s.switches, "");
    v("endpoint_links",                  s.endpoint_links, "");
    v("switch_links",                    s.switch_links, "");
    v("nic_modules",                     s.nic_modules, "");
    v("switch_modules",                  s.switch_modules, "");
    v("fibres",                          s.fibres, "");
  }
};

// tco.workloads[]
struct Workload {
  std::string name;
  std::string kind;
  std::string origin;
  std::string source;
  std::string gpu;
  double gpu_hours = 0.0;
  double loaded_usd_per_gpu_hour = 0.0;
  double loaded_usd = 0.0;
  double share_of_fleet_capacity = 0.0;
  double share_of_gpu_capacity = 0.0;
  double share_of_gpu_year = 0.0;
  std::optional<double> tokens;
  std::optional<double> output_tokens;
  std::optional<double> rental_usd_per_gpu_hour;
  std::optional<double> rental_usd;
  std::optional<double> fleet_tco_over_rental;
  std::optional<double> usd_per_million_tokens;
  std::optional<double> usd_per_million_output_tokens;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("name",                            s.name, "");
    v("kind",                            s.kind, "");
    v("origin",                          s.origin, "");
    v("source",                          s.source, "");
    v("gpu",                             s.gpu, "");
    v("gpu_hours",                       s.gpu_hours, "GPU-hours");
    v("loaded_usd_per_gpu_hour",         s.loaded_usd_per_gpu_hour, "USD/GPU-hour");
    v("loaded_usd",                      s.loaded_usd, "USD");
    v("share_of_fleet_capacity",         s.share_of_fleet_capacity, "");
    v("share_of_gpu_capacity",           s.share_of_gpu_capacity, "");
    v("share_of_gpu_year",               s.share_of_gpu_year, "");
    v("tokens",                          s.tokens, "");
    v("output_tokens",                   s.output_tokens, "");
    v("rental_usd_per_gpu_hour",         s.rental_usd_per_gpu_hour, "USD/GPU-hour");
    v("rental_usd",                      s.rental_usd, "USD");
    v("fleet_tco_over_rental",           s.fleet_tco_over_rental, "");
    v("usd_per_million_tokens",          s.usd_per_million_tokens, "USD/Mtok");
    v("usd_per_million_output_tokens",   s.usd_per_million_output_tokens, "USD/Mtok");
  }
};

// tco.sensitivity[]
struct SensitivityRow {
  std::string input;
  std::string key;
  double base_value = 0.0;
  double low_value = 0.0;
  double high_value = 0.0;
  double low_usd = 0.0;
  double high_usd = 0.0;
  double low_usd_per_gpu_hour = 0.0;
  double high_usd_per_gpu_hour = 0.0;
  double low_npv_usd = 0.0;
  double high_npv_usd = 0.0;
  std::string range_source;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("input",                           s.input, "");
    v("key",                             s.key, "");
    v("base_value",                      s.base_value, "");
    v("low_value",                       s.low_value, "");
    v("high_value",                      s.high_value, "");
    v("low_usd",                         s.low_usd, "USD");
    v("high_usd",                        s.high_usd, "USD");
    v("low_usd_per_gpu_hour",            s.low_usd_per_gpu_hour, "USD/GPU-hour");
    v("high_usd_per_gpu_hour",           s.high_usd_per_gpu_hour, "USD/GPU-hour");
    v("low_npv_usd",                     s.low_npv_usd, "USD");
    v("high_npv_usd",                    s.high_npv_usd, "USD");
    v("range_source",                    s.range_source, "");
  }
};

// tco.inputs[]
struct TcoInput {
  std::string key;
  std::string label;
  double value = 0.0;
  std::string text;
  std::string source;
  bool estimate = false;
  std::optional<std::string> note;
  std::optional<double> low;
  std::optional<double> high;
  std::optional<std::string> range_source;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("key",                             s.key, "");
    v("label",                           s.label, "");
    v("value",                           s.value, "");
    v("text",                            s.text, "");
    v("source",                          s.source, "");
    v("estimate",                        s.estimate, "");
    v("note",                            s.note, "");
    v("low",                             s.low, "");
    v("high",                            s.high, "");
    v("range_source",                    s.range_source, "");
  }
};

// tco
struct Tco {
  double horizon_years = 0.0;
  std::string horizon_note;
  std::int64_t valuation_year = 0;
  double utilization = 0.0;
  double cost_of_capital = 0.0;
  double capex_usd = 0.0;
  double opex_usd = 0.0;
  double residual_usd = 0.0;
  double tco_usd = 0.0;
  double npv_usd = 0.0;
  double usd_per_gpu_hour = 0.0;
  double usd_per_gpu_hour_undiscounted = 0.0;
  std::int64_t gpus = 0;
  double gpu_hours_capacity = 0.0;
  double gpu_hours_used = 0.0;
  double rental_usd_same_hours = 0.0;
  double it_power_max_w = 0.0;
  double it_power_avg_w = 0.0;
  std::vector<CostPart> breakdown;
  std::vector<TcoYear> by_year;
  std::vector<Purchase> purchases;
  std::vector<BomLine> bom;
  std::vector<FabricCount> fabrics;
  std::vector<Workload> workloads;
  std::vector<SensitivityRow> sensitivity;
  std::vector<TcoInput> inputs;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("horizon_years",                   s.horizon_years, "years");
    v("horizon_note",                    s.horizon_note, "");
    v("valuation_year",                  s.valuation_year, "");
    v("utilization",                     s.utilization, "fraction");
    v("cost_of_capital",                 s.cost_of_capital, "");
    v("capex_usd",                       s.capex_usd, "USD");
    v("opex_usd",                        s.opex_usd, "USD");
    v("residual_usd",                    s.residual_usd, "USD");
    v("tco_usd",                         s.tco_usd, "USD");
    v("npv_usd",                         s.npv_usd, "USD");
    v("usd_per_gpu_hour",                s.usd_per_gpu_hour, "USD/GPU-hour");
    v("usd_per_gpu_hour_undiscounted",   s.usd_per_gpu_hour_undiscounted, "");
    v("gpus",                            s.gpus, "");
    v("gpu_hours_capacity",              s.gpu_hours_capacity, "");
    v("gpu_hours_used",                  s.gpu_hours_used, "");
    v("rental_usd_same_hours",           s.rental_usd_same_hours, "");
    v("it_power_max_w",                  s.it_power_max_w, "W");
    v("it_power_avg_w",                  s.it_power_avg_w, "W");
    v("breakdown",                       s.breakdown, "");
    v("by_year",                         s.by_year, "");
    v("purchases",                       s.purchases, "");
    v("bom",                             s.bom, "");
    v("fabrics",                         s.fabrics, "");
    v("workloads",                       s.workloads, "");
    v("sensitivity",                     s.sensitivity, "");
    v("inputs",                          s.inputs, "");
  }
};

// plan.rejections[]
struct Rejection {
  std::string reason;
  std::int64_t count = 0;
  std::string example;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("reason",                          s.reason, "");
    v("count",                           s.count, "");
    v("example",                         s.example, "");
  }
};

// plan.serving{}
struct PlanServing {
  std::string verdict;
  double peak_nodes = 0.0;
  double average_nodes = 0.0;
  double gpu_hours_per_day = 0.0;
  std::optional<std::string> reason;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("verdict",                         s.verdict, "");
    v("peak_nodes",                      s.peak_nodes, "");
    v("average_nodes",                   s.average_nodes, "");
    v("gpu_hours_per_day",               s.gpu_hours_per_day, "GPU-hours/day");
    v("reason",                          s.reason, "");
  }
};

// plan.points[].layout
struct PlanLayout {
  std::string node;
  std::int64_t nodes = 0;
  std::int64_t pp = 0;
  std::int64_t ep = 0;
  std::int64_t tp = 0;
  std::int64_t micro_batch = 0;
  std::int64_t zero = 0;
  std::string schedule;
  std::string label;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("node",                            s.node, "");
    v("nodes",                           s.nodes, "");
    v("pp",                              s.pp, "");
    v("ep",                              s.ep, "");
    v("tp",                              s.tp, "");
    v("micro_batch",                     s.micro_batch, "");
    v("zero",                            s.zero, "");
    v("schedule",                        s.schedule, "");
    v("label",                           s.label, "");
  }
};

// plan.points[].training
struct PlanTraining {
  std::string verdict;
  double step_time_s = 0.0;
  double days = 0.0;
  double gpu_hours = 0.0;
  double mfu = 0.0;
  std::optional<std::string> reason;
  std::vector<TimePart> breakdown;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("verdict",                         s.verdict, "");
    v("step_time_s",                     s.step_time_s, "s");
    v("days",                            s.days, "days");
    v("gpu_hours",                       s.gpu_hours, "GPU-hours");
    v("mfu",                             s.mfu, "fraction");
    v("reason",                          s.reason, "");
    v("breakdown",                       s.breakdown, "");
  }
};

// plan.points[]
struct PlanPoint {
  std::string label;
  double cost_usd = 0.0;
  double time_days = 0.0;
  bool front = false;
  bool meets_deadline = false;
  Keyed<std::int64_t> nodes;
  std::optional<PlanLayout> layout;      // when the plan trains
  std::optional<PlanTraining> training;
  std::optional<std::string> serving_node;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("label",                           s.label, "");
    v("cost_usd",                        s.cost_usd, "USD");
    v("time_days",                       s.time_days, "days");
    v("front",                           s.front, "");
    v("meets_deadline",                  s.meets_deadline, "");
    v("nodes",                           s.nodes, "");
    v("layout",                          s.layout, "");
    v("training",                        s.training, "");
    v("serving_node",                    s.serving_node, "");
  }
};

// plan.confirmations[]
struct Confirmation {
  std::string label;
  double analytic_step_s = 0.0;
  double event_step_s = 0.0;
  double difference = 0.0;
  double analytic_days = 0.0;
  double event_days = 0.0;
  bool event_meets_deadline = false;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("label",                           s.label, "");
    v("analytic_step_s",                 s.analytic_step_s, "s");
    v("event_step_s",                    s.event_step_s, "s");
    v("difference",                      s.difference, "");
    v("analytic_days",                   s.analytic_days, "days");
    v("event_days",                      s.event_days, "days");
    v("event_meets_deadline",            s.event_meets_deadline, "");
  }
};

// plan.reference
struct PlanReference {
  PlanLayout layout;
  PlanTraining outcome;
  bool in_search_space = false;
  PlanLayout best_layout;
  PlanTraining best_outcome;
  std::string explanation;
  std::optional<PlanTraining> event_outcome;       // on the event engine, when the plan confirms
  std::optional<PlanTraining> best_event_outcome;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("layout",                          s.layout, "");
    v("outcome",                         s.outcome, "");
    v("in_search_space",                 s.in_search_space, "");
    v("best_layout",                     s.best_layout, "");
    v("best_outcome",                    s.best_outcome, "");
    v("explanation",                     s.explanation, "");
    v("event_outcome",                   s.event_outcome, "");
    v("best_event_outcome",              s.best_event_outcome, "");
  }
};

// plan
struct Plan {
  std::string name;
  std::string question;
  std::string cost_basis;
  std::optional<double> deadline_days;
  std::int64_t screened = 0;
  std::int64_t feasible = 0;
  std::int64_t refined = 0;
  std::vector<Rejection> rejections;
  std::optional<Keyed<PlanServing>> serving;
  std::vector<PlanPoint> points;
  Nullable<PlanPoint> best;
  Nullable<PlanPoint> best_confirmed;
  std::vector<Confirmation> confirmations;
  std::optional<PlanReference> reference;  // when the plan trains and names a reference layout

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("name",                            s.name, "");
    v("question",                        s.question, "");
    v("cost_basis",                      s.cost_basis, "");
    v("deadline_days",                   s.deadline_days, "days");
    v("screened",                        s.screened, "");
    v("feasible",                        s.feasible, "");
    v("refined",                         s.refined, "");
    v("rejections",                      s.rejections, "");
    v("serving",                         s.serving, "");
    v("points",                          s.points, "");
    v("best",                            s.best, "");
    v("best_confirmed",                  s.best_confirmed, "");
    v("confirmations",                   s.confirmations, "");
    v("reference",                       s.reference, "");
  }
};

// assumptions[]
struct AssumptionRow {
  std::string path;
  std::string value;
  std::string source;
  bool estimate = false;
  bool defaulted = false;
  std::optional<std::string> note;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("path",                            s.path, "");
    v("value",                           s.value, "");
    v("source",                          s.source, "");
    v("estimate",                        s.estimate, "");
    v("defaulted",                       s.defaulted, "");
    v("note",                            s.note, "");
  }
};

// calibration[]
struct CalibrationRow {
  std::string gpu;
  std::string kind;
  std::string source;
  std::string date;
  std::string tool;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("gpu",                             s.gpu, "");
    v("kind",                            s.kind, "");
    v("source",                          s.source, "");
    v("date",                            s.date, "");
    v("tool",                            s.tool, "");
  }
};

// The whole document: every section present is written, in this order.
struct Document {
  Meta fleetsim;
  ScenarioInfo scenario;
  std::optional<Training> training;
  std::optional<Serving> serving;
  std::optional<Tco> tco;
  std::optional<Plan> plan;
  std::optional<std::vector<AssumptionRow>> assumptions;
  std::optional<std::vector<CalibrationRow>> calibration;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("fleetsim",                          s.fleetsim, "");
    v("scenario",                          s.scenario, "");
    v("training",                          s.training, "");
    v("serving",                           s.serving, "");
    v("tco",                               s.tco, "");
    v("plan",                              s.plan, "");
    v("assumptions",                       s.assumptions, "");
    v("calibration",                       s.calibration, "");
  }
};

// The strict read of a whole document, for `fleetsim report` and tests.
Document read_document(const Json& j);

}  // namespace fleetsim::result
