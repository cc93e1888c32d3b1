// Deterministic random numbers: xoshiro256** seeded by SplitMix64, with distributions written
// out here (std:: distributions differ between standard libraries, which would break
// byte-identical output across machines). A run is a function of its seed; independent streams
// (one per sweep point, per request generator ...) come from split(), never from shared state.
#pragma once

#include <cmath>
#include <cstdint>

namespace fleetsim::core {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& s : s_) s = splitmix64(x);
  }

  // An independent stream derived from this one's seed material and `stream`; does not advance *this.
  Rng split(uint64_t stream) const {
    uint64_t x = s_[0] ^ (s_[3] * 0x9E3779B97F4A7C15ULL) ^ splitmix64_value(stream + 0x632BE59BD9B4E019ULL);
    return Rng(splitmix64(x));
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift with rejection: unbiased.
  uint64_t below(uint64_t n);
  bool bernoulli(double p) { return uniform() < p; }
  // Mean 1/rate.
  double exponential(double rate) { return -std::log1p(-uniform()) / rate; }
  // Box-Muller; the second value of each pair is kept for the next call.
  double normal(double mean = 0.0, double stddev = 1.0);
  // exp(N(mu, sigma)).
  double lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }
  // Poisson counts: inversion for small means, PTRS (Hoermann 1993) for large ones.
  uint64_t poisson(double mean);

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  static uint64_t splitmix64_value(uint64_t x) { return splitmix64(x); }

  uint64_t s_[4];
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace fleetsim::core
