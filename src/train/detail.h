// Internal to train/: the per-micro-batch work of model chunks and devices that the analytic
// step computes and the event engine replays.
#pragma once

#include <vector>

namespace fleetsim::train::detail {

// The work of one piece of the model for one micro-batch on one GPU.
struct Work {
  double f = 0;         // forward compute
  double b = 0;         // backward, input gradients (and recomputation)
  double w = 0;         // backward, weight gradients
  double act = 0;       // activation bytes saved for the backward pass
  double ep_f = 0, ep_b = 0;  // EP all-to-all (dispatch + combine) of the forward and backward
  double tp_f = 0, tp_b = 0;  // TP collectives
  double cp_f = 0, cp_b = 0;  // CP: keys and values gathered forward, their gradients reduced backward
  Work& operator+=(const Work& o) {
    f += o.f, b += o.b, w += o.w, act += o.act, ep_f += o.ep_f, ep_b += o.ep_b, tp_f += o.tp_f, tp_b += o.tp_b;
    cp_f += o.cp_f, cp_b += o.cp_b;
    return *this;
  }
  Work scaled(double k) const {
    Work r = *this;
    r.f *= k, r.b *= k, r.w *= k, r.act *= k, r.ep_f *= k, r.ep_b *= k, r.tp_f *= k, r.tp_b *= k;
    r.cp_f *= k, r.cp_b *= k;
    return r;
  }
};

struct StepDetail {
  std::vector<Work> chunk;   // per model chunk, one micro-batch
  std::vector<Work> device;  // per pipeline device, one micro-batch (DualPipe: the mean of its two stages)
  double p2p_bytes = 0;      // one activation or gradient across a stage boundary
  double dp_exposed = 0, optimizer = 0;
};

}  // namespace fleetsim::train::detail
