// Statistics that simulations fill and report writers render, kept apart from any output
// format (as SST does): counters, time-weighted busy time, and histograms. Names are dotted
// paths ("gpu.3.compute.busy"); a Registry lists them in name order, so output is stable.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/time.h"

namespace fleetsim::sim {

// A running sum and the number of additions.
class Counter {
 public:
  void add(double value = 1.0) {
    sum_ += value;
    ++count_;
  }
  double sum() const { return sum_; }
  uint64_t count() const { return count_; }

 private:
  double sum_ = 0;
  uint64_t count_ = 0;
};

// The integral of a level over time: how many of k servers were busy, and for how long.
// busy_time() is in server-nanoseconds; utilization() divides by k x elapsed.
class BusyTime {
 public:
  explicit BusyTime(int servers = 1) : servers_(servers) {}
  void change(Time now, int delta);  // the number of busy servers changes by delta at `now`
  int busy() const { return level_; }
  Time busy_time(Time now) const { return accumulated_ + static_cast<Time>(level_) * (now - since_); }
  double utilization(Time now) const;  // over [0, now]

 private:
  int servers_;
  int level_ = 0;
  Time since_ = 0;
  Time accumulated_ = 0;
};

// Values >= 0 in logarithmic buckets (8 per power of two: +-4.4% resolution), with exact count,
// sum, min and max. quantile() interpolates within a bucket.
class Histogram {
 public:
  void record(double value);
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  double min() const { return count_ ? min_ : 0.0; }
  double max() const { return count_ ? max_ : 0.0; }
  double quantile(double q) const;  // q in [0, 1]

 private:
  static constexpr int kPerOctave = 8;
  static constexpr int kOffset = 64 * kPerOctave;  // buckets for 2^-64 ..
  static int bucket_of(double value);
  static double bucket_low(int bucket);

  std::vector<uint64_t> buckets_;  // index bucket_of(v) - first_
  int first_ = 0;
  uint64_t zeros_ = 0;
  uint64_t count_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
};

// Named statistics. References stay valid for the registry's lifetime.
class Registry {
 public:
  Counter& counter(const std::string& name) { return counters_[name]; }
  Histogram& histogram(const std::string& name) { return histograms_[name]; }
  BusyTime& busy(const std::string& name, int servers = 1);

  const std::map<std::string, Counter>& counters() const { return counters_; }
  const std::map<std::string, Histogram>& histograms() const { return histograms_; }
  const std::map<std::string, BusyTime>& busy_times() const { return busy_; }

 private:
  std::map<std::string, Counter> counters_;
  std::map<std::string, Histogram> histograms_;
  std::map<std::string, BusyTime> busy_;
};

}  // namespace fleetsim::sim
