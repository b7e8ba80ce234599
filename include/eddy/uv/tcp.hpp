// SPDX-License-Identifier: BSL-1.0
/// \file
/// TCP over libuv for eddy tasks (target `eddy::uv`): `listen`, `tcp_listener::accept`,
/// `connect`. The connected side is `tcp_stream` (eddy/uv/stream.hpp).
///
/// ```cpp
/// sockaddr_in addr;
/// uv_ip4_addr("127.0.0.1", 0, &addr);                   // port 0: the system picks one
/// eddy::result<eddy::uv::tcp_listener> l = co_await eddy::uv::listen(rt, addr);
/// eddy::result<eddy::uv::tcp_stream> s = co_await l->accept();
/// ```
///
/// - Results are `result<T>`; libuv failures are `errc::io` (eddy/uv/error.hpp), e.g. a refused
///   connection or an address in use. Awaitables work from a task on any runtime (the libuv
///   calls run on `rt`'s loop thread); `rt` must outlive the objects' use.
/// - `accept` takes the next pending connection or waits for one; one accept at a time per
///   listener (a second concurrent one gives `errc::invalid_argument`). Connections that arrive
///   while nobody accepts wait in the kernel's backlog.
/// - Cancellation (abort, `scope::cancel`, `timeout`, `with_cancellation`) is a request and the
///   frame lives until libuv is done: an accept stops waiting at once (a connection that
///   arrives later stays for the next accept); a connect closes its handle and waits for the
///   request's callback. A connection or listener whose awaiter was cancelled after it succeeded
///   is closed, never leaked.
/// - Destroying a listener closes it; its memory lives until libuv's close callback.
#pragma once
#include <sys/socket.h>

#include "eddy/core/result.hpp"
#include "eddy/uv/stream.hpp"

namespace eddy::uv {

class tcp_listener;

namespace detail {

/// The address of a `sockaddr_in`/`sockaddr_in6` (or any `sockaddr`), kept by value.
struct address {
  address() noexcept = default;
  address(const sockaddr* a) noexcept;
  address(const sockaddr_in& a) noexcept : address(reinterpret_cast<const sockaddr*>(&a)) {}
  address(const sockaddr_in6& a) noexcept : address(reinterpret_cast<const sockaddr*>(&a)) {}
  sockaddr_storage storage{};
  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
};

class listen_op : public op {
 public:
  listen_op(uv_runtime& rt, address a, int backlog) noexcept
      : op(&rt, &start, &cancel, "uv listen"), addr_(a), backlog_(backlog) {}
  listen_op(listen_op&&) noexcept = default;
  ~listen_op();
  result<tcp_listener> await_resume() noexcept;

 private:
  static void start(op* o) noexcept;
  static void cancel(op*) noexcept {}  // completes inside start
  address addr_;
  int backlog_;
  handle_block* made_ = nullptr;  // until taken
  int status_ = 0;
};

class accept_op : public op {
 public:
  explicit accept_op(handle_block* l) noexcept
      : op(l ? l->rt : nullptr, &start, &cancel, "uv accept"), l_(l) {}
  accept_op(accept_op&&) noexcept = default;
  ~accept_op();
  result<tcp_stream> await_resume() noexcept;

 private:
  friend struct tcp_callbacks;
  friend struct handle_block;
  static void start(op* o) noexcept;
  static void cancel(op* o) noexcept;
  void take_one() noexcept;     // loop thread: accepts a ready connection, then finishes
  void fail_closed() noexcept;  // loop thread: the listener is closing
  handle_block* l_;
  handle_block* made_ = nullptr;  // until taken
  int status_ = 0;
};

class connect_op : public op {
 public:
  connect_op(uv_runtime& rt, address a) noexcept
      : op(&rt, &start, &cancel, "uv connect"), addr_(a) {}
  connect_op(connect_op&&) noexcept = default;
  ~connect_op();
  result<tcp_stream> await_resume() noexcept;

 private:
  friend struct tcp_callbacks;
  static void start(op* o) noexcept;
  static void cancel(op* o) noexcept;
  address addr_;
  uv_connect_t req_;
  handle_block* made_ = nullptr;  // until taken
  int status_ = 0;
  bool called_ = false;  // the request's callback ran
};

}  // namespace detail

/// A listening TCP socket on a libuv loop (see the file comment). Move-only; made by `listen`.
class tcp_listener {
 public:
  /// An empty listener (`accept` gives `errc::invalid_argument`).
  tcp_listener() noexcept = default;
  /// Adopts the owner's reference to `b` (used by `listen`).
  explicit tcp_listener(detail::handle_block* b) noexcept : b_(b) {}
  /// Moves leave the source empty; assigning closes the listener held before.
  ///@{
  tcp_listener(tcp_listener&& o) noexcept : b_(o.b_) { o.b_ = nullptr; }
  tcp_listener& operator=(tcp_listener&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = o.b_;
      o.b_ = nullptr;
    }
    return *this;
  }
  ///@}
  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;
  /// Closes the listener; its memory is freed by libuv's close callback.
  ~tcp_listener() { reset(); }

  /// True unless empty.
  bool valid() const noexcept { return b_ != nullptr; }
  /// The local port it listens on (the one the system picked for port 0); 0 when empty.
  int port() const noexcept { return b_ ? b_->local_port : 0; }
  /// The next connection (see the file comment).
  detail::accept_op accept() noexcept { return detail::accept_op{b_}; }
  /// Closes the listener and waits for libuv's close callback; a waiting accept ends with an
  /// error.
  detail::close_op close() noexcept { return detail::close_op{b_}; }

 private:
  void reset() noexcept {
    if (b_) {
      detail::handle_block* b = b_;
      b_ = nullptr;
      b->drop_owner();
    }
  }
  detail::handle_block* b_ = nullptr;
};

/// Binds a TCP socket to `addr` (a `sockaddr_in`, `sockaddr_in6` or `const sockaddr*`) on
/// `rt`'s loop and listens with `backlog`: `co_await` gives `result<tcp_listener>`.
inline detail::listen_op listen(uv_runtime& rt, detail::address addr, int backlog = 128) noexcept {
  return detail::listen_op{rt, addr, backlog};
}

/// Connects to `addr` on `rt`'s loop: `co_await` gives `result<tcp_stream>`.
inline detail::connect_op connect(uv_runtime& rt, detail::address addr) noexcept {
  return detail::connect_op{rt, addr};
}

}  // namespace eddy::uv
