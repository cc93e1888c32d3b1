#include "sim/stats.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace fleetsim::sim {

void BusyTime::change(Time now, int delta) {
  FLEETSIM_CHECK(now >= since_, "busy time updated at a time before its last update");
  accumulated_ += static_cast<Time>(level_) * (now - since_);
  since_ = now;
  level_ += delta;
  FLEETSIM_CHECK(level_ >= 0 && level_ <= servers_, "busy servers out of [0, servers]");
}

double BusyTime::utilization(Time now) const {
  if (now <= 0) return 0.0;
  return static_cast<double>(busy_time(now)) / (static_cast<double>(servers_) * static_cast<double>(now));
}

int Histogram::bucket_of(double value) {
  return static_cast<int>(std::floor(std::log2(value) * kPerOctave)) + kOffset;
}

double Histogram::bucket_low(int bucket) {
  return std::exp2(static_cast<double>(bucket - kOffset) / kPerOctave);
}

void Histogram::record(double value) {
  FLEETSIM_CHECK(value >= 0 && std::isfinite(value), "histograms take finite values >= 0");
  if (count_ == 0) min_ = max_ = value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
  ++count_;
  if (value == 0 || value < 0x1p-64) {
    ++zeros_;
    return;
  }
  const int b = bucket_of(value);
  if (buckets_.empty()) {
    first_ = b;
    buckets_.assign(1, 0);
  } else if (b < first_) {
    buckets_.insert(buckets_.begin(), static_cast<size_t>(first_ - b), 0);
    first_ = b;
  } else if (b >= first_ + static_cast<int>(buckets_.size())) {
    buckets_.resize(static_cast<size_t>(b - first_ + 1), 0);
  }
  ++buckets_[static_cast<size_t>(b - first_)];
}

double Histogram::quantile(double q) const {
  FLEETSIM_CHECK(q >= 0 && q <= 1, "a quantile is in [0, 1]");
  if (count_ == 0) return 0.0;
  const double rank = q * static_cast<double>(count_);
  double seen = static_cast<double>(zeros_);
  if (rank <= seen) return min_;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    const double n = static_cast<double>(buckets_[i]);
    if (n > 0 && rank <= seen + n) {
      const int b = first_ + static_cast<int>(i);
      const double lo = std::max(bucket_low(b), min_), hi = std::min(bucket_low(b + 1), max_);
      return lo + (hi - lo) * (rank - seen) / n;
    }
    seen += n;
  }
  return max_;
}

BusyTime& Registry::busy(const std::string& name, int servers) {
  auto it = busy_.find(name);
  if (it == busy_.end()) it = busy_.emplace(name, BusyTime(servers)).first;
  return it->second;
}

}  // namespace fleetsim::sim
