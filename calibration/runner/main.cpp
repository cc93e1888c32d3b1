// fleetsim_calibrate: measures this machine's first GPU and writes its calibration table.
//
//   fleetsim_calibrate [--gpu ID] [--out FILE] [--force] [--quick] [--samples N]
//
// Exit codes: 0 written; 77 no CUDA device (CTest reads it as "skipped"); 1 a CUDA failure or a
// reference kernel that disagrees with its check; 2 bad arguments or an unknown GPU.
// The table's held-out points and the fit: `fleetsim calib fit FILE` (docs/calibration.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "calib/fit.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/text.h"
#include "measure.h"
#include "model/op.h"
#include "report.h"
#include "scenario/data.h"

namespace fc = fleetsim::calibration;
using namespace fleetsim;

namespace {

struct Args {
  std::string gpu;
  std::string out;
  bool force = false;
  bool quick = false;
  int samples = 50;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "fleetsim_calibrate: %s\nusage: fleetsim_calibrate [--gpu ID] [--out FILE] [--force] [--quick] [--samples N]\n",
               why.c_str());
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(s + " needs a value");
      return argv[++i];
    };
    if (s == "--gpu") a.gpu = value();
    else if (s == "--out") a.out = value();
    else if (s == "--force") a.force = true;
    else if (s == "--quick") a.quick = true;
    else if (s == "--samples") {
      const std::string v = value();
      a.samples = std::atoi(v.c_str());
      if (a.samples < 5) usage("--samples must be at least 5, got '" + v + "'");
    } else if (s == "--help" || s == "-h") usage("measures GEMMs, attention, HBM, launches and copies of GPU 0");
    else usage("unknown argument '" + s + "'");
  }
  return a;
}

// The catalog GPU whose id the device name contains (the longest: "h200" over "h20").
std::string guess_gpu(const hw::HardwareCatalog& hw, const std::string& device) {
  const std::string name = core::to_lower(device);
  std::string best;
  for (const auto& [id, g] : hw.gpus.entries()) {
    if (name.find(id) != std::string::npos && id.size() > best.size()) best = id;
  }
  return best;
}

std::string today() {
  const std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

void progress(const std::string& what) {
  std::fprintf(stderr, "  %s\n", what.c_str());
  std::fflush(stderr);
}

struct GemmShape {
  int64_t groups, m, n, k;
};

// DeepGEMM's published shapes, DeepSeek-V3's MoE experts (hidden 7168, expert width 2048: up
// projections N = 2 x 2048 over K = 7168, down N = 7168 over K = 2048, and N = 2048 over K = 7168)
// from decode-sized to training-sized M, grouped experts, and square sizes.
std::vector<GemmShape> gemm_shapes(bool quick) {
  std::vector<GemmShape> s = {{1, 64, 2112, 7168},    {1, 64, 24576, 1536},  {1, 64, 7168, 16384},
                              {1, 128, 7168, 16384},  {1, 128, 4096, 7168},  {1, 4096, 2112, 7168},
                              {1, 4096, 24576, 1536}, {1, 4096, 32768, 512}, {1, 4096, 7168, 16384},
                              {1, 4096, 4096, 7168},  {1, 4096, 7168, 2048}};
  if (quick) return s;
  for (int64_t m : {1, 8, 32, 128, 512, 2048, 8192}) {
    s.push_back({1, m, 4096, 7168});
    s.push_back({1, m, 7168, 2048});
    s.push_back({1, m, 2048, 7168});
  }
  for (int64_t g : {4, 8, 32}) {
    s.push_back({g, 32768 / g, 4096, 7168});
    s.push_back({g, 32768 / g, 7168, 2048});
    s.push_back({g, 256, 4096, 7168});
  }
  for (int64_t n : {1024, 2048, 4096, 8192}) s.push_back({1, n, n, n});
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  try {
    const auto device = fc::query_device();
    if (!device) {
      std::fprintf(stderr, "fleetsim_calibrate: no CUDA device: nothing to measure (skipped)\n");
      return 77;
    }
    const auto catalogs = scenario::load_catalogs(scenario::data_paths());
    const std::string gpu_id = args.gpu.empty() ? guess_gpu(catalogs.hardware, device->name) : args.gpu;
    const auto* gpu = catalogs.hardware.gpus.find(gpu_id);
    if (!gpu) usage(fmt::format("'{}' is not a catalog GPU; name it with --gpu (device: {})", gpu_id, device->name));
    const std::string out = args.out.empty() ? fmt::format("calibration-{}.yaml", gpu->id) : args.out;
    if (std::filesystem::exists(out) && !args.force) usage(out + " exists; pass --force to replace it");
    std::fprintf(stderr, "fleetsim_calibrate: %s (%d SMs, sm_%d%d) as '%s'\n", device->name.c_str(), device->sm_count,
                 device->cc_major, device->cc_minor, gpu->id.c_str());

    std::string why;
    if (!fc::verify_attention(why)) {
      std::fprintf(stderr, "fleetsim_calibrate: a reference kernel is wrong: %s\n", why.c_str());
      return 1;
    }
    fc::TimingOptions o;
    o.samples = args.quick ? 10 : args.samples;
    o.warmup = args.quick ? 3 : 10;
    const auto t0 = std::chrono::steady_clock::now();

    fc::Results r;
    r.info.gpu = gpu->id;
    r.info.device = device->name;
    r.info.date = today();
    r.info.tool = "fleetsim_calibrate " FLEETSIM_VERSION ", " + device->versions;
    r.info.sm_count = device->sm_count;
    r.info.nvlink_bw_per_direction = gpu->nvlink_bw_per_direction();
    r.info.pcie_bw_per_direction = gpu->pcie_bw_bytes_per_s / 2;

    progress("launch gap");
    r.info.launch = fc::summarize(fc::time_launch(o));

    progress("HBM read and copy");
    const std::vector<double> sizes = args.quick ? std::vector<double>{4 << 20, 256 << 20}
                                                 : std::vector<double>{1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30};
    for (double b : sizes) {
      r.hbm.push_back({calib::StreamPattern::read, b, fc::summarize(fc::time_hbm_read(b, 0, o))});
      r.hbm.push_back({calib::StreamPattern::copy, b, fc::summarize(fc::time_hbm_copy(b, o))});
    }
    // Saturation: the smallest share of SMs whose reads reach 95% of the full-GPU bandwidth.
    const double big = 1 << 30;
    const double full = fc::summarize(fc::time_hbm_read(big, 0, o)).median_s;
    for (int div : {16, 8, 4, 2}) {
      const int sms = std::max(1, device->sm_count / div);
      if (fc::summarize(fc::time_hbm_read(big, sms, o)).median_s <= full / 0.95) {
        r.info.hbm_saturation = static_cast<double>(sms) / device->sm_count;
        break;
      }
    }
    if (!r.info.hbm_saturation) r.info.hbm_saturation = 1.0;

    const bool fp8 = device->cc_major * 10 + device->cc_minor >= 89;
    const auto shapes = gemm_shapes(args.quick);
    size_t index = 0;
    for (bool use_fp8 : {true, false}) {
      if (use_fp8 && !fp8) continue;
      for (const auto& s : shapes) {
        progress(fmt::format("gemm {} {}x{}x{}x{}", use_fp8 ? "fp8" : "bf16", s.groups, s.m, s.n, s.k));
        const auto samples = fc::time_gemm(s.m, s.n, s.k, s.groups, use_fp8, o);
        if (samples.empty()) continue;  // no cuBLASLt algorithm for it
        r.gemm.push_back({s.m, s.n, s.k, s.groups, use_fp8 ? core::DType::fp8 : core::DType::bf16,
                          fc::summarize(samples), fc::held_out(index++)});
      }
    }

    progress("MLA decode");
    const std::string decode_note = "fleetsim's reference decode kernel (CUDA cores, split-KV)";
    index = 0;
    for (int64_t batch : args.quick ? std::vector<int64_t>{64} : std::vector<int64_t>{16, 64, 128}) {
      for (int64_t heads : {1, 4}) {
        for (int64_t kv : args.quick ? std::vector<int64_t>{4096} : std::vector<int64_t>{1024, 4096, 16384}) {
          fc::AttentionResult a{calib::AttentionKind::decode, batch, heads, 1, kv, 576, 512, false,
                                fc::summarize(fc::time_mla_decode(batch, heads, kv, o)), fc::held_out(index++),
                                decode_note};
          r.attention.push_back(a);
        }
      }
    }
    progress("prefill attention");
    // Held out: fleetsim's simple WMMA kernel is well below FlashAttention-3, so it checks the
    // model's prefill prediction rather than setting it.
    for (const auto& [batch, heads, seq, causal] :
         {std::tuple<int64_t, int64_t, int64_t, bool>{1, 16, 4096, true}, {2, 16, 2048, false}, {1, 32, 8192, true}}) {
      if (args.quick && seq > 4096) continue;
      r.attention.push_back({calib::AttentionKind::prefill, batch, heads, seq, seq, 128, 128, causal,
                             fc::summarize(fc::time_prefill(batch, heads, seq, causal, o)), true,
                             "fleetsim's reference flash-attention kernel (WMMA, head dim 128): held out"});
    }

    const std::vector<double> transfers = {8, 4 << 10, 64 << 10, 1 << 20, 16 << 20, 256 << 20};
    if (fc::peer_access_possible() && gpu->nvlink_bw_bytes_per_s > 0) {
      progress("GPU 0 -> 1 copies");
      for (double b : transfers) r.nvlink.push_back({b, fc::summarize(fc::time_peer_copy(b, o))});
    }
    progress("host -> GPU copies");
    for (double b : transfers) r.pcie.push_back({b, fc::summarize(fc::time_host_copy(b, o))});

    // Check the table reads back and fits before writing it.
    const std::string yaml = fc::to_yaml(r);
    const auto table = calib::calibration_table_schema().parse(core::ConfigDoc::load_string(yaml, out).root());
    const auto fit = calib::fit_table(*gpu, table.compute);
    core::write_file_atomically(out, yaml);
    const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 60;
    std::fprintf(stderr, "fleetsim_calibrate: wrote %s (%zu points, %.1f min); fit rms log error %.3f\n", out.c_str(),
                 fit.points.size(), minutes, fit.rms_log_error);
    for (const auto& p : fit.points) {
      if (p.hold_out) {
        std::fprintf(stderr, "  held out: %-40s predicted %+6.1f%%\n", p.label.c_str(), 100 * p.deviation());
      }
    }
    return 0;
  } catch (const fc::CudaError& e) {
    std::fprintf(stderr, "fleetsim_calibrate: %s\n", e.what());
    return 1;
  } catch (const core::InputError& e) {
    std::fprintf(stderr, "fleetsim_calibrate: %s\n", e.what());
    return 2;
  }
}
