// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::uv::getaddrinfo`: name resolution on libuv's thread pool for eddy tasks (target
/// `eddy::uv`).
///
/// ```cpp
/// auto r = co_await eddy::uv::getaddrinfo(rt, "localhost", "8080");
/// if (r) co_await eddy::uv::connect(rt, r->front()->ai_addr);
/// ```
///
/// - Gives `result<addrinfo_list>`: the resolved addresses (freed with the list), or
///   `errc::io` with the `UV_EAI_*` status (eddy/uv/error.hpp).
/// - Works from a task on any runtime (the request starts on `rt`'s loop thread).
/// - Cancellation (abort, `scope::cancel`, `timeout`, `with_cancellation`) is a request: the
///   awaiter calls `uv_cancel`, which stops a resolution that has not started on libuv's
///   thread pool; one already running is waited for. The frame lives until the callback ran.
#pragma once
#include <netdb.h>

#include <string>

#include "eddy/core/result.hpp"
#include "eddy/uv/detail/op.hpp"

namespace eddy::uv {

/// The addresses a resolution gave (an `addrinfo` chain owned by the list). Move-only.
class addrinfo_list {
 public:
  /// An empty list.
  addrinfo_list() noexcept = default;
  /// Adopts `head` (freed with `uv_freeaddrinfo`).
  explicit addrinfo_list(addrinfo* head) noexcept : head_(head) {}
  /// Moves leave the source empty.
  ///@{
  addrinfo_list(addrinfo_list&& o) noexcept : head_(o.head_) { o.head_ = nullptr; }
  addrinfo_list& operator=(addrinfo_list&& o) noexcept {
    if (this != &o) {
      reset();
      head_ = o.head_;
      o.head_ = nullptr;
    }
    return *this;
  }
  ///@}
  addrinfo_list(const addrinfo_list&) = delete;
  addrinfo_list& operator=(const addrinfo_list&) = delete;
  /// Frees the chain.
  ~addrinfo_list() { reset(); }

  /// The first entry (follow `ai_next` for the others), or null when empty.
  const addrinfo* front() const noexcept { return head_; }
  /// True when there is no entry.
  bool empty() const noexcept { return head_ == nullptr; }

 private:
  void reset() noexcept;
  addrinfo* head_ = nullptr;
};

namespace detail {

class getaddrinfo_op : public op {
 public:
  getaddrinfo_op(uv_runtime& rt, std::string node, std::string service,
                 const addrinfo* hints) noexcept;
  getaddrinfo_op(getaddrinfo_op&& o) noexcept = default;
  ~getaddrinfo_op();
  result<addrinfo_list> await_resume() noexcept;

 private:
  friend struct dns_callbacks;
  static void start(op* o) noexcept;
  static void cancel(op* o) noexcept;
  std::string node_;
  std::string service_;
  addrinfo hints_{};
  bool has_hints_ = false;
  uv_getaddrinfo_t req_;
  addrinfo* made_ = nullptr;  // until taken
  int status_ = 0;
  bool called_ = false;  // the request is over
};

}  // namespace detail

/// Resolves `node` (a host name or address; empty for none) and `service` (a port number or
/// service name; empty for none) with optional `hints`: `co_await` gives
/// `result<addrinfo_list>`. The strings and hints are copied.
inline detail::getaddrinfo_op getaddrinfo(uv_runtime& rt, std::string node, std::string service,
                                          const addrinfo* hints = nullptr) {
  return detail::getaddrinfo_op{rt, std::move(node), std::move(service), hints};
}

}  // namespace eddy::uv
