// A move-only callable with inline storage: what the engine keeps per event instead of a
// std::function, so that scheduling a small lambda (a few pointers and integers) allocates
// nothing. Larger callables fall back to the heap.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "core/error.h"

namespace fleetsim::sim {

template <class Signature, size_t Capacity = 48>
class Function;

template <class R, class... Args, size_t Capacity>
class Function<R(Args...), Capacity> {
 public:
  Function() = default;
  Function(std::nullptr_t) {}  // NOLINT: implicit, as std::function

  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, Function> && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
  Function(F&& f) {  // NOLINT: implicit, as std::function
    construct(std::forward<F>(f));
  }

  // Replaces the callable in place (no temporary Function).
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, Function> && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
  void assign(F&& f) {
    reset();
    construct(std::forward<F>(f));
  }
  void assign(Function&& f) { *this = std::move(f); }

  Function(Function&& other) noexcept { take(other); }
  Function& operator=(Function&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;
  ~Function() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }

  R operator()(Args... args) {
    FLEETSIM_CHECK(ops_ != nullptr, "calling an empty sim::Function");
    return ops_->call(storage_, std::forward<Args>(args)...);
  }

  void reset() {
    if (ops_ && ops_->destroy) ops_->destroy(storage_);
    ops_ = nullptr;
  }

 private:
  // move and destroy are null for trivially copyable callables (most lambdas capturing
  // pointers and numbers): those are moved with memcpy and need no destructor.
  struct Ops {
    R (*call)(void*, Args&&...);
    void (*move)(void* to, void* from);  // move-constructs into `to` and destroys `from`
    void (*destroy)(void*);
  };

  template <class F>
  void construct(F&& f) {
    using D = std::decay_t<F>;
    if constexpr (fits<D>()) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      ops_ = &inline_ops<D>;
    } else {
      ::new (static_cast<void*>(storage_)) D*(new D(std::forward<F>(f)));
      ops_ = &heap_ops<D>;
    }
  }

  template <class D>
  static constexpr bool fits() {
    return sizeof(D) <= Capacity && alignof(D) <= alignof(std::max_align_t) &&
           std::is_nothrow_move_constructible_v<D>;
  }

  template <class D>
  static D* as(void* p) {
    return std::launder(static_cast<D*>(p));
  }

  template <class D>
  static constexpr bool trivial = std::is_trivially_copyable_v<D> && std::is_trivially_destructible_v<D>;

  template <class D>
  static constexpr Ops inline_ops = {
      [](void* p, Args&&... a) -> R { return (*as<D>(p))(std::forward<Args>(a)...); },
      trivial<D> ? nullptr
                 : +[](void* to, void* from) {
                     ::new (to) D(std::move(*as<D>(from)));
                     as<D>(from)->~D();
                   },
      trivial<D> ? nullptr : +[](void* p) { as<D>(p)->~D(); }};

  template <class D>
  static constexpr Ops heap_ops = {
      [](void* p, Args&&... a) -> R { return (**as<D*>(p))(std::forward<Args>(a)...); },
      nullptr,  // the pointer is trivially copyable
      [](void* p) { delete *as<D*>(p); }};

  void take(Function& other) {
    if (other.ops_) {
      if (other.ops_->move) {
        other.ops_->move(storage_, other.storage_);
      } else {
        std::memcpy(storage_, other.storage_, Capacity);
      }
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) unsigned char storage_[Capacity];
  const Ops* ops_ = nullptr;
};

// What an event runs.
using Action = Function<void()>;

}  // namespace fleetsim::sim
