// fleetsim model <name|file>: parameters, FLOPs per token, KV cache and training state of a model.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/table.h"
#include "core/units.h"
#include "model/analytics.h"
#include "model/catalog.h"

namespace fleetsim::cli {

namespace {

using core::Dim;
using core::format_quantity;

struct ModelArgs {
  std::string model;
  int64_t seq = 4096;
  int64_t context = 4096;
  std::string kv_dtype = "bf16";
  std::string compare;
  std::string compare_kv_dtype = "bf16";
  TableOutput output;
};

core::DType dtype_arg(const std::string& name, const char* flag) {
  auto d = core::parse_dtype(name);
  if (!d) throw core::InputError(fmt::format("{} '{}': expected one of {}", flag, name, core::dtype_choices()));
  return *d;
}

model::ModelSpec resolve_model(Context& ctx, const std::string& ref) {
  if (ref.find('/') != std::string::npos || ref.ends_with(".yaml")) return model::load_model_file(ref);
  return ctx.catalogs().models.at(ref);
}

core::Json analyse(const model::ModelSpec& m, const ModelArgs& a, core::DType kv) {
  const auto p = model::count_params(m);
  const auto train = model::train_flops_per_token(m, a.seq, true, false);
  const auto train_mtp = model::train_flops_per_token(m, a.seq, true, true);
  const auto state = model::training_state_bytes(p.total, {});
  core::Json j;
  j["model"] = m.id;
  j["name"] = m.name;
  j["source"] = m.source;
  j["params_total"] = p.total;
  j["params_active"] = p.active;
  j["params_active_matmul"] = p.active_matmul;
  j["params_mtp"] = p.mtp_total;
  j["params_breakdown"] = {{"embedding", p.embedding},     {"output_head", p.output_head},
                           {"attention", p.attention},     {"dense_ffn", p.dense_ffn},
                           {"routed_experts", p.routed_experts}, {"shared_experts", p.shared_experts},
                           {"router", p.router},           {"norms", p.norms}};
  j["seq"] = a.seq;
  j["train_flops_per_token"] = train.total;
  j["train_flops_breakdown"] = {{"matmul", train.matmul}, {"attention", train.attention}};
  j["train_flops_per_token_with_mtp"] = train_mtp.total;
  j["train_flops_per_token_noncausal"] = model::train_flops_per_token(m, a.seq, false, false).total;
  j["context"] = a.context;
  j["prefill_flops_per_token"] = model::prefill_flops_per_token(m, a.context);
  j["decode_flops_per_token"] = model::decode_flops_per_token(m, a.context);
  j["kv_dtype"] = std::string(core::dtype_name(kv));
  j["kv_cache_bytes_per_token"] = model::kv_cache_bytes_per_token(m, kv);
  j["training_state_bytes"] = {{"weights_bf16", state.weights},
                               {"gradients_bf16", state.gradients},
                               {"master_fp32", state.master},
                               {"moments_fp32", state.moments},
                               {"total", state.total}};
  return j;
}

std::string render(const core::Json& j) {
  auto num = [&](const char* key) { return j[key].get<double>(); };
  Table t;
  t.section(fmt::format("{} ({})", j["name"].get<std::string>(), j["model"].get<std::string>()));
  t.row({"parameters, total", format_quantity(num("params_total"), Dim::count)});
  t.row({"parameters, active per token", format_quantity(num("params_active"), Dim::count)});
  if (num("params_mtp") > 0) t.row({"MTP modules (not in total)", format_quantity(num("params_mtp"), Dim::count)});
  const auto& b = j["params_breakdown"];
  for (const char* k : {"embedding", "output_head", "attention", "dense_ffn", "routed_experts", "shared_experts",
                        "router", "norms"}) {
    if (b[k].get<double>() > 0) t.row({fmt::format("  {}", k), format_quantity(b[k].get<double>(), Dim::count)});
  }
  t.section(fmt::format("Compute per token (sequence {}, context {})", j["seq"].get<int64_t>(),
                        j["context"].get<int64_t>()));
  t.row({"training, causal", format_quantity(num("train_flops_per_token"), Dim::flop)});
  t.row({"  matmuls (6 x active)", format_quantity(j["train_flops_breakdown"]["matmul"].get<double>(), Dim::flop)});
  t.row({"  attention", format_quantity(j["train_flops_breakdown"]["attention"].get<double>(), Dim::flop)});
  t.row({"training, with MTP modules", format_quantity(num("train_flops_per_token_with_mtp"), Dim::flop)});
  t.row({"training, non-causal", format_quantity(num("train_flops_per_token_noncausal"), Dim::flop)});
  t.row({"prefill (forward)", format_quantity(num("prefill_flops_per_token"), Dim::flop)});
  t.row({"decode (forward)", format_quantity(num("decode_flops_per_token"), Dim::flop)});
  t.section("Memory");
  t.row({fmt::format("KV cache per token ({})", j["kv_dtype"].get<std::string>()),
         fmt::format("{} ({:.0f} bytes)", format_quantity(num("kv_cache_bytes_per_token"), Dim::bytes),
                     num("kv_cache_bytes_per_token"))});
  const auto& st = j["training_state_bytes"];
  t.row({"weights (bf16)", format_quantity(st["weights_bf16"].get<double>(), Dim::bytes)});
  t.row({"weights + grads + Adam (bf16/fp32)", format_quantity(st["total"].get<double>(), Dim::bytes)});
  std::string out = t.render();
  if (j.contains("comparison")) {
    const auto& c = j["comparison"];
    out += fmt::format("\nKV cache against {} ({}): {:.0f} vs {:.0f} bytes/token, {:.1f}% smaller\n",
                       c["model"].get<std::string>(), c["kv_dtype"].get<std::string>(),
                       num("kv_cache_bytes_per_token"), c["kv_cache_bytes_per_token"].get<double>(),
                       100.0 * c["kv_reduction"].get<double>());
  }
  return out;
}

}  // namespace

void add_model_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ModelArgs>();
  auto* cmd = app.add_subcommand("model", "Model analytics: parameters, FLOPs per token, KV cache, training state");
  cmd->add_option("model", args->model, "Model id (see `fleetsim catalog models`) or a model YAML file")->required();
  cmd->add_option("--seq", args->seq, "Training sequence length")->check(CLI::PositiveNumber);
  cmd->add_option("--context", args->context, "Context length for prefill and decode FLOPs")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--kv-dtype", args->kv_dtype, "KV-cache format: " + core::dtype_choices());
  cmd->add_option("--compare", args->compare, "Compare the KV cache with another model");
  cmd->add_option("--compare-kv-dtype", args->compare_kv_dtype, "KV-cache format of the compared model");
  args->output.add_to(cmd, "the analytics");
  cmd->callback([args, &ctx] {
    const auto kv = dtype_arg(args->kv_dtype, "--kv-dtype");
    const auto m = resolve_model(ctx, args->model);
    core::Json j = analyse(m, *args, kv);
    if (!args->compare.empty()) {
      const auto other = resolve_model(ctx, args->compare);
      const auto okv = dtype_arg(args->compare_kv_dtype, "--compare-kv-dtype");
      const double mine = model::kv_cache_bytes_per_token(m, kv);
      const double theirs = model::kv_cache_bytes_per_token(other, okv);
      j["comparison"] = {{"model", other.id},
                         {"kv_dtype", std::string(core::dtype_name(okv))},
                         {"kv_cache_bytes_per_token", theirs},
                         {"kv_reduction", 1.0 - mine / theirs}};
    }
    args->output.emit([&] { return j.dump(2) + "\n"; }, [&] { return render(j); });
  });
}

}  // namespace fleetsim::cli
