// A FIFO queue in front of k identical servers: what other models schedule work onto. A GPU's
// compute stream and its communication stream are Servers with k = 1 (CUDA runs a stream's
// kernels in order, one at a time); a pool of copy engines is k > 1.
//
// Two kinds of job: one of known duration (a kernel priced by calib::OpCost), and one whose end
// another model decides (a collective on the network): it receives a Release to call, once,
// when the work is done. Jobs start in submission order as servers free up.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "sim/engine.h"
#include "sim/stats.h"

namespace fleetsim::sim {

class Server;

// Ends an asynchronous job. Call exactly once (a second call fails a FLEETSIM_CHECK).
class Release {
 public:
  void operator()() const;

 private:
  friend class Server;
  Release(Server* server, uint64_t job) : server_(server), job_(job) {}
  Server* server_;
  uint64_t job_;
};

class Server {
 public:
  Server(Engine& engine, std::string name, int servers = 1);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // A job that occupies a server for `duration` >= 0; `on_done` runs when it ends.
  void submit(Time duration, Action on_done = {});
  // A job that occupies a server from when `start` runs until the Release it receives is called.
  void submit_async(Function<void(Release)> start);

  const std::string& name() const { return name_; }
  int servers() const { return servers_; }
  int busy() const { return busy_.busy(); }
  size_t waiting() const { return queue_.size(); }

  // Statistics: jobs completed, busy server-time, and how long jobs waited for a server.
  uint64_t completed() const { return completed_; }
  const BusyTime& busy_time() const { return busy_; }
  const Histogram& wait_s() const { return wait_s_; }

 private:
  friend class Release;
  struct Job {
    Time duration = 0;
    Action on_done;
    Function<void(Release)> start;
    Time submitted = 0;
  };
  void dispatch();
  void begin(Job job);
  void finish(uint64_t job);

  Engine& engine_;
  std::string name_;
  int servers_;
  std::deque<Job> queue_;
  std::vector<uint64_t> running_;  // ids of asynchronous jobs not yet released
  uint64_t next_job_ = 0;
  uint64_t completed_ = 0;
  BusyTime busy_;
  Histogram wait_s_;
};

}  // namespace fleetsim::sim
