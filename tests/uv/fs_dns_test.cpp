// SPDX-License-Identifier: BSL-1.0
// eddy/uv files and name resolution on uv_runtime: results, libuv errors as eddy errors,
// cancellation through uv_cancel (time-outs and aborts wait for the request's callback), and no
// descriptor leaked by a cancelled open.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>
#include <eddy/runtime.hpp>
#include <eddy/runtime/uv_runtime.hpp>
#include <eddy/uv/dns.hpp>
#include <eddy/uv/error.hpp>
#include <eddy/uv/fs.hpp>
#include <eddy/uv/tcp.hpp>
#include <filesystem>
#include <optional>
#include <string>

namespace eddy_test::uv_fs_dns_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

struct uv_env {
  uv_loop_t loop;
  std::optional<uv_runtime> rt;
  uv_env() {
    uv_loop_init(&loop);
    rt.emplace(&loop);
  }
  ~uv_env() {
    rt.reset();
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0);
  }
  template <class T>
  result<T> run(task<T> t) {
    auto h = spawn(rt->get_executor(), std::move(t));
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(rt->live_tasks(), 0u);
    return h.try_take();
  }
};

std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string("eddy_uv_") + name + "_" + std::to_string(::getpid())))
      .string();
}

struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};

}  // namespace

TEST(uv_fs, write_then_read_back_with_offsets) {
  uv_env env;
  const std::string path = temp_path("rw");
  auto r = env.run([](uv_runtime* rt, std::string path) -> task<std::string> {
    auto f = co_await uv::open_file(*rt, path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (!f) co_return "open failed";
    const std::string text = "hello, file";
    auto w = co_await f->write(std::span<const char>(text.data(), text.size()), 0);
    if (!w || *w != text.size()) co_return "write failed";
    std::array<char, 5> part;
    auto n = co_await f->read(part, 7);  // "file" and the end
    if (!n || *n != 4) co_return "read failed";
    std::array<char, 8> end;
    auto eof = co_await f->read(end, 100);
    if (!eof || *eof != 0) co_return "no end of file";
    auto c = co_await f->close();
    if (!c || f->is_open()) co_return "close failed";
    auto after = co_await f->read(end, 0);
    if (after || after.error().code() != errc::invalid_argument) co_return "read after close";
    co_return std::string(part.data(), *n);
  }(&*env.rt, path));
  EXPECT_EQ(r.value(), "file");
  std::filesystem::remove(path);
}

TEST(uv_fs, a_missing_file_is_an_informative_error) {
  uv_env env;
  auto r = env.run([](uv_runtime* rt) -> task<bool> {
    auto f = co_await uv::open_file(*rt, "/nonexistent/eddy/file", O_RDONLY);
    co_return !f && f.error().code() == errc::io && uv::status_of(f.error()) == UV_ENOENT &&
        std::strcmp(f.error().message(), uv_strerror(UV_ENOENT)) == 0;
  }(&*env.rt));
  EXPECT_TRUE(r.value());
}

TEST(uv_fs, cancelled_requests_wait_for_libuv_and_leak_nothing) {
  uv_env env;
  const std::string path = temp_path("cancel");
  const std::size_t fds_before = open_descriptors();
  std::atomic<int> dropped{0};
  auto r = env.run([](uv_runtime* rt, std::string path, std::atomic<int>* d) -> task<bool> {
    bool ok = true;
    for (int i = 0; i < 200; ++i) {
      // Started, then cancelled at once: uv_cancel, or the callback waited for when the
      // request already runs. An opened descriptor is closed, never leaked.
      auto o = co_await timeout(0ms, uv::open_file(*rt, path, O_RDWR | O_CREAT, 0600));
      if (o && *o) ok = ok && (*o)->is_open();
    }
    auto f = co_await uv::open_file(*rt, path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (!f) co_return false;
    const std::string text(1 << 16, 'y');
    (void)co_await f->write(std::span<const char>(text.data(), text.size()), 0);
    int started = 0;
    for (int i = 0; i < 200; ++i) {
      auto h = spawn([](uv::file* f, std::atomic<int>* d, int* started) -> task<std::size_t> {
        ++*started;
        drop_counter g{d};
        std::array<char, 4096> buf;  // frame-local: the thread pool may be writing into it
        auto n = co_await f->read(buf, 0);
        co_return n.value();
      }(&*f, d, &started));
      if (i % 2) co_await yield_now();
      h.abort();
      auto v = co_await h;
      ok = ok && (v.has_value() ? *v == 4096 : v.error().code() == errc::aborted);
    }
    co_return ok&& started > 0 && d->load() == started;
  }(&*env.rt, path, &dropped));
  EXPECT_TRUE(r.value());
  EXPECT_EQ(open_descriptors(), fds_before);
  std::filesystem::remove(path);
}

TEST(uv_dns, numeric_resolution_and_connect_through_it) {
  uv_env env;
  auto r = env.run([](uv_runtime* rt) -> task<bool> {
    sockaddr_in any;
    uv_ip4_addr("127.0.0.1", 0, &any);
    auto l = co_await uv::listen(*rt, any);
    if (!l) co_return false;
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    auto res = co_await uv::getaddrinfo(*rt, "127.0.0.1", std::to_string(l->port()), &hints);
    if (!res || res->empty()) co_return false;
    auto accepted = spawn([](uv::tcp_listener* l) -> task<bool> {
      auto s = co_await l->accept();
      co_return s.has_value();
    }(&*l));
    auto c = co_await uv::connect(*rt, res->front()->ai_addr);
    auto a = co_await accepted;
    co_return c.has_value() && a.value();
  }(&*env.rt));
  EXPECT_TRUE(r.value());
}

TEST(uv_dns, errors_and_cancellation) {
  uv_env env;
  auto r = env.run([](uv_runtime* rt) -> task<bool> {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    auto bad = co_await uv::getaddrinfo(*rt, "not an address", "", &hints);
    const bool informative = !bad && bad.error().code() == errc::io &&
                             std::strlen(bad.error().message()) > 0 &&
                             uv::status_of(bad.error()) == UV_EAI_NONAME;
    int cancelled = 0;
    for (int i = 0; i < 50; ++i) {
      auto v = co_await timeout(0ms, uv::getaddrinfo(*rt, "127.0.0.1", "80", &hints));
      if (!v) ++cancelled;
    }
    co_return informative&& cancelled == 50;
  }(&*env.rt));
  EXPECT_TRUE(r.value());
}

}  // namespace eddy_test::uv_fs_dns_test
