// Processes: C++20 coroutines that wait in simulated time, for models that read better as a
// sequence than as a web of callbacks (a pipeline stage: receive, compute, send, repeat).
//
//   sim::Process stage(sim::Engine& e, sim::Server& gpu, sim::Trigger& input) {
//     co_await input;                       // until someone calls input.fire()
//     co_await sim::run_on(gpu, 5 * sim::kMicrosecond);  // a kernel on the GPU's stream
//     co_await sim::sleep(e, 2 * sim::kMicrosecond);
//   }
//   stage(engine, gpu, input);              // starts now, runs until its first wait
//
// A process owns its frame and frees it when it returns; it keeps references to what it was
// given, which must outlive it. Every resumption is an engine event (at the time the wait
// ends), so processes interleave with callbacks in the engine's deterministic order. An
// exception thrown in a process propagates out of Engine::run().
#pragma once

#include <coroutine>
#include <exception>
#include <vector>

#include "sim/engine.h"
#include "sim/server.h"

namespace fleetsim::sim {

class Process {
 public:
  struct promise_type {
    Process get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { throw; }
  };
};

// Waits `delay` >= 0 of simulated time.
struct Sleep {
  Engine& engine;
  Time delay;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { engine.after(delay, [h] { h.resume(); }); }
  void await_resume() const noexcept {}
};
inline Sleep sleep(Engine& engine, Time delay) { return {engine, delay}; }

// Runs a job of `duration` on a server (after the jobs queued before it) and waits for its end.
struct RunOn {
  Server& server;
  Time duration;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { server.submit(duration, [h] { h.resume(); }); }
  void await_resume() const noexcept {}
};
inline RunOn run_on(Server& server, Time duration) { return {server, duration}; }

// A one-shot event: processes that await it resume (as engine events at the current time) when
// fire() is called; awaiting one already fired does not wait. Give fire() to a callback, e.g. a
// network transfer's on_done.
class Trigger {
 public:
  explicit Trigger(Engine& engine) : engine_(engine) {}
  void fire() {
    fired_ = true;
    for (auto h : waiters_) engine_.after(0, [h] { h.resume(); });
    waiters_.clear();
  }
  bool fired() const { return fired_; }

  struct Awaiter {
    Trigger& trigger;
    bool await_ready() const noexcept { return trigger.fired_; }
    void await_suspend(std::coroutine_handle<> h) { trigger.waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  Awaiter operator co_await() { return {*this}; }

 private:
  Engine& engine_;
  bool fired_ = false;
  std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace fleetsim::sim
