#include "sim/server.h"

#include <algorithm>

namespace fleetsim::sim {

void Release::operator()() const { server_->finish(job_); }

Server::Server(Engine& engine, std::string name, int servers)
    : engine_(engine), name_(std::move(name)), servers_(servers), busy_(servers) {
  FLEETSIM_CHECK(servers >= 1, "a server needs at least one server");
}

void Server::submit(Time duration, Action on_done) {
  FLEETSIM_CHECK(duration >= 0, "a job duration must be >= 0");
  queue_.push_back({duration, std::move(on_done), nullptr, engine_.now()});
  dispatch();
}

void Server::submit_async(Function<void(Release)> start) {
  FLEETSIM_CHECK(static_cast<bool>(start), "an asynchronous job needs a start function");
  queue_.push_back({0, nullptr, std::move(start), engine_.now()});
  dispatch();
}

void Server::dispatch() {
  while (busy_.busy() < servers_ && !queue_.empty()) {
    Job job = std::move(queue_.front());
    queue_.pop_front();
    begin(std::move(job));
  }
}

void Server::begin(Job job) {
  busy_.change(engine_.now(), +1);
  wait_s_.record(to_seconds(engine_.now() - job.submitted));
  const uint64_t id = next_job_++;
  if (job.start) {
    running_.push_back(id);
    job.start(Release(this, id));
    return;
  }
  engine_.after(job.duration, [this, id, done = std::move(job.on_done)]() mutable {
    running_.push_back(id);  // finish() expects every job it ends to be running
    finish(id);
    if (done) done();
  });
}

void Server::finish(uint64_t job) {
  auto it = std::find(running_.begin(), running_.end(), job);
  FLEETSIM_CHECK(it != running_.end(), "a server job was released twice (or never started)");
  running_.erase(it);
  busy_.change(engine_.now(), -1);
  ++completed_;
  dispatch();
}

}  // namespace fleetsim::sim
