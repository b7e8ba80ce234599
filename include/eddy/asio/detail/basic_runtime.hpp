// SPDX-License-Identifier: BSL-1.0
/// \file
/// The one implementation behind `asio_runtime` (standalone Asio) and `boost_asio_runtime`
/// (Boost.Asio): a class template over a flavour `Net` that names the library's types
/// (`Net::io_context`, `Net::any_io_executor`). This header includes no Asio header; each public
/// runtime header supplies its flavour, and the compiled part (src/asio_runtime_impl.hpp) is
/// instantiated once per flavour. See eddy/runtime/asio_runtime.hpp for the behaviour.
#pragma once
#include <atomic>
#include <cstddef>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy::detail {

/// The runtime over an executor of the Asio flavour `Net` (see asio_runtime.hpp for the full
/// contract). Thread-safe: `post`, `post_at`, `cancel`, `now`, `get_executor`; must be destroyed
/// before its `io_context`.
template <class Net>
class basic_asio_runtime : public runtime, public block_on_base<basic_asio_runtime<Net>> {
 public:
  /// The flavour's `io_context`.
  using io_context_type = typename Net::io_context;
  /// The flavour's type-erased I/O executor.
  using asio_executor_type = typename Net::any_io_executor;

  /// Over an `io_context`. `concurrency`: at most that many threads run eddy work at once
  /// (0 = `std::thread::hardware_concurrency()`); set it to the number of threads calling
  /// `io.run()`.
  explicit basic_asio_runtime(io_context_type& io, std::size_t concurrency = 0);
  /// Over any executor of the flavour (a strand, a thread pool's executor...). `block_on` then
  /// waits for other threads to run the loop.
  explicit basic_asio_runtime(asio_executor_type ex, std::size_t concurrency = 0);
  /// Shuts down (see `shutdown`).
  ~basic_asio_runtime();

  /// A copyable handle to this runtime, for `spawn(ex, t)`; valid while the runtime lives.
  executor get_executor() noexcept { return executor{*this}; }
  /// The Asio executor the runtime posts to.
  asio_executor_type get_asio_executor() const noexcept;

  /// Aborts every live task and destroys its frames now, on the calling thread (no other thread
  /// may run the runtime's work). Idempotent; the destructor calls it. Afterwards the runtime
  /// accepts posts but never runs them.
  void shutdown() noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

  /// The state shared with the handlers queued in the loop (src/asio_runtime_impl.hpp).
  struct impl;

 private:
  void add_backend_metrics(runtime_metrics& m) const override;  // pending timers
  struct block_waiter : detail::task_header::observer {
    explicit block_waiter(basic_asio_runtime* r) noexcept : observer{&complete}, rt(r) {}
    static void complete(observer* o, detail::task_header*, const error*) noexcept;
    basic_asio_runtime* rt;
    std::atomic<bool> done{false};
  };
  // `block_on` waits for its root here (detail::block_on_base):
  friend block_on_base<basic_asio_runtime>;
  block_waiter root_waiter() noexcept { return block_waiter{this}; }
  void wait(block_waiter& w);  // runs the io_context, or waits for other threads to

  impl* p_;
};

}  // namespace eddy::detail
