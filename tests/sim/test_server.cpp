// FIFO servers (GPU streams) and the statistics they keep.
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

#include "core/error.h"
#include "sim/process.h"
#include "sim/server.h"
#include "sim/stats.h"

using namespace fleetsim;
using Catch::Approx;

TEST_CASE("a stream runs jobs one at a time in submission order") {
  sim::Engine e;
  sim::Server stream(e, "gpu0.compute");
  std::string log;
  // Three kernels of 10, 5 and 20 ns submitted at 0: they end at 10, 15 and 35.
  stream.submit(10, [&] { log += "a@" + std::to_string(e.now()) + " "; });
  stream.submit(5, [&] { log += "b@" + std::to_string(e.now()) + " "; });
  stream.submit(20, [&] { log += "c@" + std::to_string(e.now()); });
  CHECK(stream.busy() == 1);
  CHECK(stream.waiting() == 2);
  e.run();
  CHECK(log == "a@10 b@15 c@35");
  CHECK(stream.completed() == 3);
  // Busy the whole 35 ns; the jobs waited 0, 10 and 15 ns (mean 25/3 ns).
  CHECK(stream.busy_time().busy_time(e.now()) == 35);
  CHECK(stream.busy_time().utilization(e.now()) == Approx(1.0));
  CHECK(stream.wait_s().mean() == Approx(25e-9 / 3));
}

TEST_CASE("an asynchronous job holds the stream until it is released") {
  sim::Engine e;
  sim::Server comm(e, "gpu0.comm");
  sim::Time second_started = -1;
  // A collective whose end the network decides at t = 40; the next job waits for it.
  comm.submit_async([&](sim::Release done) { e.at(40, [done] { done(); }); });
  comm.submit_async([&](sim::Release done) {
    second_started = e.now();
    done();
  });
  e.run();
  CHECK(second_started == 40);
  CHECK(comm.completed() == 2);
}

TEST_CASE("releasing a job twice is an internal error") {
  sim::Engine e;
  sim::Server comm(e, "gpu0.comm");
  comm.submit_async([&](sim::Release done) {
    done();
    CHECK_THROWS_AS(done(), core::InternalError);
  });
  e.run();
}

TEST_CASE("k servers run k jobs at once") {
  sim::Engine e;
  sim::Server copy(e, "copy engines", 2);
  for (int i = 0; i < 4; ++i) copy.submit(10);
  e.run();
  // Two at a time: done at 20; busy 40 server-ns of 2 x 20.
  CHECK(e.now() == 20);
  CHECK(copy.busy_time().busy_time(e.now()) == 40);
  CHECK(copy.busy_time().utilization(e.now()) == Approx(1.0));
}

TEST_CASE("histograms keep exact moments and quantiles within a bucket") {
  sim::Histogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i);
  CHECK(h.count() == 1000);
  CHECK(h.mean() == Approx(500.5));
  CHECK(h.min() == 1);
  CHECK(h.max() == 1000);
  // Buckets are 2^(1/8) wide (9%): the median 500 within that.
  CHECK(h.quantile(0.5) == Approx(500).epsilon(0.09));
  CHECK(h.quantile(0.99) == Approx(990).epsilon(0.09));
  CHECK(h.quantile(1.0) == 1000);
  sim::Registry r;
  r.counter("net.flows").add();
  r.counter("net.flows").add(2);
  CHECK(r.counter("net.flows").sum() == 3);
  CHECK(r.counter("net.flows").count() == 2);
}

namespace {
sim::Process pipeline_stage(sim::Engine& e, sim::Server& gpu, sim::Trigger& input, sim::Trigger& output,
                            std::vector<sim::Time>& log) {
  co_await input;                     // wait for the previous stage's activation
  log.push_back(e.now());
  co_await sim::run_on(gpu, 50);      // forward pass on the GPU's stream
  co_await sim::sleep(e, 10);         // a transfer of known length
  log.push_back(e.now());
  output.fire();
}
}  // namespace

TEST_CASE("processes wait on triggers, servers and time, in the engine's order") {
  sim::Engine e;
  sim::Server gpu0(e, "gpu0"), gpu1(e, "gpu1");
  sim::Trigger start(e), middle(e), done(e);
  std::vector<sim::Time> log0, log1;
  pipeline_stage(e, gpu0, start, middle, log0);
  pipeline_stage(e, gpu1, middle, done, log1);
  gpu1.submit(30);  // earlier work on gpu1, done at 30: before stage 1 needs the GPU
  e.at(5, [&] { start.fire(); });
  e.run();
  // Stage 0: starts at 5, compute 5-55, transfer to 65. Stage 1: starts at 65, compute to 115,
  // transfer to 125.
  CHECK(log0 == std::vector<sim::Time>{5, 65});
  CHECK(log1 == std::vector<sim::Time>{65, 125});
  CHECK(done.fired());
}
