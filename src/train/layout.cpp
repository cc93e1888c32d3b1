// Layout resolution and checks (docs/training.md, section 1): the degrees of a stage's parallel
// layout against the model and the cluster, the split of the layers over the model chunks, and
// the pipeline placement (which device holds which chunks).
#include <fmt/format.h>

#include <algorithm>

#include "net/group.h"
#include "train/detail.h"
#include "train/work.h"

namespace fleetsim::train {

using scenario::Schedule;

namespace detail {

using core::location_of;

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / 0x1p30); }

core::SourceLocation where_parallel(const scenario::TrainingSpec& t, const std::string& key) {
  auto w = location_of(t.parallelism.provenance, key);
  if (w.file.empty()) w = location_of(t.provenance, "parallelism");
  if (w.file.empty()) w = location_of(t.provenance, "model");
  return w;
}
core::SourceLocation where_training(const scenario::TrainingSpec& t, const std::string& key) {
  auto w = location_of(t.provenance, key);
  if (w.file.empty()) w = location_of(t.provenance, "model");
  return w;
}

int model_chunks(const Layout& l) {
  if (l.schedule == Schedule::interleaved_1f1b) return l.pp * l.virtual_stages;
  if (l.schedule == Schedule::dualpipev) return 2 * l.pp;
  return l.pp;
}

// The model chunks a device holds, and the weight of each in its per-micro-batch work (DualPipe:
// half the micro-batches through each of its two stages).
std::vector<Slot> device_slots(const Layout& l, int dev) {
  switch (l.schedule) {
    case Schedule::interleaved_1f1b: {
      std::vector<Slot> out;
      for (int v = 0; v < l.virtual_stages; ++v) out.push_back({dev + v * l.pp, 1.0});
      return out;
    }
    case Schedule::dualpipe:
      if (l.pp == 1) return {{0, 1.0}};
      return {{dev, 0.5}, {l.pp - 1 - dev, 0.5}};
    case Schedule::dualpipev: return {{dev, 1.0}, {2 * l.pp - 1 - dev, 1.0}};
    default: return {{dev, 1.0}};
  }
}

// The DP (dp cp GPUs, stride tp), expert-DP (edp, stride ep) and CP (cp, stride tp) groups of a
// layout can be uneven over nodes (3 nodes of 8, tp 2, pp 2: DP has 4 GPUs on node 0, 2 on
// node 1).
std::string uneven_group(const Layout& l) {
  auto regular = [&](int members, int stride) {
    std::vector<topo::GpuRef> g;
    for (int i = 0; i < members; ++i) g.push_back({i * stride / l.gpus_per_node, i * stride % l.gpus_per_node});
    return members < 2 || net::Group(std::move(g)).regular();
  };
  if (!regular(l.dp * l.cp, l.tp)) return "dp";
  if (!regular(l.edp, l.ep)) return "ep";
  if (!regular(l.cp, l.tp)) return "cp";
  return {};
}

}  // namespace detail

namespace {

using detail::model_chunks;
using detail::where_parallel;

// Layer split over `chunks` model chunks: as even as it goes; the lighter chunks (one layer
// fewer) are placed at the ends, last, first, second to last, ..., because the ends also carry
// the embedding, the output head and the MTP modules.
std::vector<int> split_layers(int layers, int chunks) {
  std::vector<int> out(static_cast<size_t>(chunks), layers / chunks);
  const int heavy = layers % chunks;
  if (heavy == 0) return out;
  const int light = chunks - heavy;
  std::vector<int> order;
  for (int i = 0; static_cast<int>(order.size()) < chunks; ++i) {
    order.push_back(chunks - 1 - i);
    if (static_cast<int>(order.size()) < chunks && i != chunks - 1 - i) order.push_back(i);
  }
  for (int i = 0; i < chunks; ++i) out[static_cast<size_t>(order[static_cast<size_t>(i)])] += i >= light ? 1 : 0;
  return out;
}

std::string describe_split(int layers, const std::vector<int>& chunks, std::string_view what) {
  const int lo = *std::min_element(chunks.begin(), chunks.end());
  const int hi = *std::max_element(chunks.begin(), chunks.end());
  if (lo == hi) return fmt::format("{} layers over {} {}: {} each", layers, chunks.size(), what, lo);
  std::vector<std::string> light;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i] == lo) light.push_back(std::to_string(i));
  }
  const auto n_hi = std::count(chunks.begin(), chunks.end(), hi);
  return fmt::format("{} layers over {} {} (uneven): {} x {}, {} x {} ({} {})", layers, chunks.size(), what, hi, n_hi,
                     lo, static_cast<long>(chunks.size()) - n_hi, what, core::join(light, ", "));
}

}  // namespace

Layout Trainer::layout(const scenario::TrainingSpec& t, std::vector<Problem>& problems) const {
  const auto& p = t.parallelism;
  const auto& m = model_;
  auto fail = [&](const std::string& key, std::string msg) {
    problems.push_back({core::Infeasible::layout, where_parallel(t, key), "training.parallelism." + key, std::move(msg)});
  };
  Layout l;
  l.gpus_per_node = node_.gpus;
  l.nodes = t.cluster.nodes;
  l.gpus = l.nodes * l.gpus_per_node;
  l.tp = p.tp, l.pp = p.pp, l.cp = p.cp, l.ep = p.ep, l.zero = p.zero;
  l.schedule = p.schedule;
  l.virtual_stages = p.schedule == Schedule::interleaved_1f1b ? p.virtual_stages : 1;
  l.micro_batch = p.micro_batch;
  l.recompute = p.recompute;
  l.comm_sms = p.comm_sms;
  if (l.tp > l.gpus_per_node || l.gpus_per_node % l.tp != 0) {
    fail("tp", fmt::format("tp {} must divide the {} GPUs of a node (tensor parallelism stays inside a node)", l.tp,
                           l.gpus_per_node));
  }
  const int mp = l.tp * l.pp * l.cp;
  if (l.gpus % mp != 0) {
    fail("pp", fmt::format("tp x pp x cp = {} x {} x {} = {} does not divide the {} GPUs", l.tp, l.pp, l.cp, mp, l.gpus));
    l.dp = 1;
  } else {
    l.dp = l.gpus / mp;
  }
  if (p.dp > 0 && p.dp * mp != l.gpus) {
    fail("dp", fmt::format("dp x tp x pp x cp = {} x {} x {} x {} = {} GPUs, but the cluster has {}", p.dp, l.tp, l.pp,
                           l.cp, p.dp * mp, l.gpus));
  }
  if (m.attention.heads % l.tp != 0) {
    fail("tp", fmt::format("{} attention heads do not divide over tp {}", m.attention.heads, l.tp));
  }
  if (m.attention.kind == model::AttentionKind::gqa && m.attention.kv_heads % l.tp != 0 &&
      l.tp % m.attention.kv_heads != 0) {
    fail("tp", fmt::format("{} KV heads and tp {}: neither divides the other", m.attention.kv_heads, l.tp));
  }
  if (m.ffn_intermediate > 0 && m.ffn_intermediate % l.tp != 0) {
    fail("tp", fmt::format("FFN width {} does not divide over tp {}", m.ffn_intermediate, l.tp));
  }
  if (l.ep > 1 && !m.is_moe()) fail("ep", fmt::format("ep {} on a dense model ({} has no experts)", l.ep, m.id));
  if (m.is_moe()) {
    const int experts = m.moe->routed_experts;
    if (l.ep > experts) fail("ep", fmt::format("ep {} exceeds the {} routed experts", l.ep, experts));
    else if (experts % l.ep != 0) fail("ep", fmt::format("{} routed experts do not divide over ep {}", experts, l.ep));
  }
  const int dcp = l.dp * l.cp * l.tp;
  if (dcp % l.ep != 0) {
    fail("ep", fmt::format("ep {} must divide the DP x CP x TP group of {} x {} x {} = {} GPUs it is carved from", l.ep,
                           l.dp, l.cp, l.tp, dcp));
  }
  if (l.ep > l.gpus_per_node && l.ep % l.gpus_per_node != 0) {
    fail("ep", fmt::format("an EP group of {} GPUs spans nodes of {}: it must be whole nodes", l.ep, l.gpus_per_node));
  }
  l.edp = std::max(1, dcp / std::max(1, l.ep));
  if (l.comm_sms >= op_cost_.machine().sm_count()) {
    fail("comm_sms", fmt::format("comm_sms {} leaves no SM of the {} for compute", l.comm_sms,
                                 op_cost_.machine().sm_count()));
  }
  const int chunks = model_chunks(l);
  if (chunks > m.layers) {
    fail(l.schedule == Schedule::interleaved_1f1b ? "virtual_stages" : "pp",
         fmt::format("{} model chunks ({} schedule) for {} layers: at least one layer per chunk", chunks,
                     scenario::schedule_name(l.schedule), m.layers));
    l.chunk_layers.assign(static_cast<size_t>(std::max(1, chunks)), 1);
  } else {
    l.chunk_layers = split_layers(m.layers, chunks);
  }
  l.split = describe_split(m.layers, l.chunk_layers,
                           l.schedule == Schedule::dualpipev || l.schedule == Schedule::interleaved_1f1b ? "chunks"
                                                                                                         : "stages");
  return l;
}

}  // namespace fleetsim::train
