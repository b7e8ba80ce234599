// SPDX-License-Identifier: BSL-1.0
// eddy/uv: listen, accept, connect. See include/eddy/uv/tcp.hpp.
#include <netinet/in.h>

#include <cstring>
#include <utility>

#include "eddy/uv/error.hpp"
#include "eddy/uv/tcp.hpp"

namespace eddy::uv {
namespace detail {

namespace {
constexpr int closed_status = 1;  // the listener is closed (or closing): errc::closed
constexpr int busy_status = 2;    // another accept is waiting: errc::invalid_argument

error op_error(int status) noexcept {
  if (status == closed_status || status == UV_ECANCELED) return error{errc::closed};
  if (status == busy_status) return error{errc::invalid_argument};
  return to_error(status);
}

int port_of(const sockaddr_storage& ss) noexcept {
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

// Closes a handle whose owner never took it (the owner's reference and the handle's).
void discard(handle_block* b) noexcept {
  b->begin_close();
  b->drop_owner();
}
}  // namespace

address::address(const sockaddr* a) noexcept {
  if (!a) return;
  const std::size_t n = a->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  std::memcpy(&storage, a, n);
}

struct tcp_callbacks {
  static void on_connection(uv_stream_t* server, int status) noexcept {
    auto* l = static_cast<handle_block*>(server->data);
    if (status < 0)
      l->listen_status = status;
    else
      ++l->ready_connections;
    if (accept_op* a = l->acceptor) a->take_one();
  }
  static void on_connect(uv_connect_t* req, int status) noexcept {
    auto* c = static_cast<connect_op*>(req->data);
    c->called_ = true;
    c->status_ = status;
    if (status < 0) discard(std::exchange(c->made_, nullptr));
    c->finish();
  }
};

// ---- listen ------------------------------------------------------------------------------

void listen_op::start(op* o) noexcept {
  auto* self = static_cast<listen_op*>(o);
  int st = 0;
  handle_block* b = handle_block::new_tcp(self->rt_, &st);
  if (b) {
    st = uv_tcp_bind(&b->tcp, self->addr_.get(), 0);
    if (st == 0) st = uv_listen(&b->stream, self->backlog_, &tcp_callbacks::on_connection);
    if (st == 0) {
      sockaddr_storage ss{};
      int len = sizeof ss;
      if (uv_tcp_getsockname(&b->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
        b->local_port = port_of(ss);
      self->made_ = b;
    } else {
      discard(b);
    }
  }
  self->status_ = st;
  self->finish();
}

listen_op::~listen_op() {
  if (made_) made_->drop_owner();  // listening, but the awaiter was cancelled: close it
}

result<tcp_listener> listen_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (status_ < 0) return to_error(status_);
  return tcp_listener{std::exchange(made_, nullptr)};
}

// ---- accept ------------------------------------------------------------------------------

void accept_op::take_one() noexcept {
  l_->acceptor = nullptr;
  if (l_->ready_connections == 0) {  // a connection error to report
    status_ = std::exchange(l_->listen_status, 0);
    finish();
    return;
  }
  --l_->ready_connections;
  int st = 0;
  handle_block* c = handle_block::new_tcp(rt_, &st);
  if (c) {
    st = uv_accept(&l_->stream, &c->stream);
    if (st == 0)
      made_ = c;
    else
      discard(c);
  }
  status_ = st;
  finish();
}

void accept_op::fail_closed() noexcept {
  status_ = closed_status;
  finish();
}

void accept_op::start(op* o) noexcept {
  auto* self = static_cast<accept_op*>(o);
  handle_block* l = self->l_;
  if (l->closing) {
    self->fail_closed();
  } else if (l->acceptor) {
    self->status_ = busy_status;
    self->finish();
  } else if (l->ready_connections > 0 || l->listen_status < 0) {
    self->take_one();
  } else {
    l->acceptor = self;  // finished by the next connection
  }
}

void accept_op::cancel(op* o) noexcept {
  auto* self = static_cast<accept_op*>(o);
  if (self->l_->acceptor != self) return;  // done already
  self->l_->acceptor = nullptr;            // a later connection waits for the next accept
  self->status_ = UV_ECANCELED;
  self->finish();
}

accept_op::~accept_op() {
  if (made_) made_->drop_owner();  // accepted, but the awaiter was cancelled: close it
}

result<tcp_stream> accept_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (status_ != 0) return op_error(status_);
  return tcp_stream{std::exchange(made_, nullptr)};
}

// ---- connect -----------------------------------------------------------------------------

void connect_op::start(op* o) noexcept {
  auto* self = static_cast<connect_op*>(o);
  int st = 0;
  handle_block* b = handle_block::new_tcp(self->rt_, &st);
  if (b) {
    self->made_ = b;
    self->req_.data = self;
    st = uv_tcp_connect(&self->req_, &b->tcp, self->addr_.get(), &tcp_callbacks::on_connect);
    if (st == 0) return;  // finished by on_connect
    discard(std::exchange(self->made_, nullptr));
  }
  self->status_ = st;
  self->finish();
}

void connect_op::cancel(op* o) noexcept {
  // libuv cannot take a connect back: closing the handle ends it (UV_ECANCELED).
  auto* self = static_cast<connect_op*>(o);
  if (!self->called_ && self->made_) self->made_->begin_close();
}

connect_op::~connect_op() {
  if (made_) made_->drop_owner();  // connected, but the awaiter was cancelled: close it
}

result<tcp_stream> connect_op::await_resume() noexcept {
  resumed();
  if (!rt_) return error{errc::invalid_argument};
  if (status_ < 0) return op_error(status_);
  return tcp_stream{std::exchange(made_, nullptr)};
}

}  // namespace detail
}  // namespace eddy::uv
