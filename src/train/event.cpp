#include "train/train.h"

namespace fleetsim::train {

StepResult Trainer::step_event(const scenario::TrainingSpec& spec, const Layout& layout, int64_t seq_len,
                               double batch_sequences, bool with_timeline) const {
  return step(spec, layout, seq_len, batch_sequences, nullptr, with_timeline);
}

}  // namespace fleetsim::train
