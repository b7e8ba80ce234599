// SPDX-License-Identifier: BSL-1.0
// The Qt adapters: a signal feeds a stream (from_signal), a stream drives a slot (drive).
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QObject>
#include <QString>
#include <QTimer>
#include <eddy/qt/drive.hpp>
#include <eddy/qt/signal.hpp>
#include <eddy/runtime.hpp>
#include <eddy/runtime/qt_runtime.hpp>
#include <eddy/stream.hpp>
#include <thread>
#include <type_traits>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::qt_signal_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

// Counts the connections to objectNameChanged (QObject::receivers is protected).
struct probe : QObject {
  int name_receivers() const { return receivers("2objectNameChanged(QString)"); }
};

// A receiver with a plain member function as the slot.
struct sink : QObject {
  std::vector<int> got;
  std::vector<std::thread::id> threads;
  void take(int v) {
    got.push_back(v);
    threads.push_back(std::this_thread::get_id());
  }
};

template <class S>
task<std::vector<QString>> read_names(S* s, int n) {
  std::vector<QString> out;
  for (int i = 0; i < n; ++i) {
    auto it = co_await s->next();
    if (!it) break;
    out.push_back(it->is_value() ? it->value() : QStringLiteral("error"));
  }
  co_return out;
}

std::vector<int> one_two_three() {
  std::vector<int> v{1, 2, 3};
  return v;
}

}  // namespace

TEST(qt_from_signal, emissions_become_items_in_order_and_the_private_tag_is_dropped) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  QObject src;
  auto s = qt::from_signal(&src, &QObject::objectNameChanged);  // (const QString&, QPrivateSignal)
  static_assert(std::is_same_v<decltype(s)::value_type, QString>);
  src.setObjectName(QStringLiteral("a"));
  src.setObjectName(QStringLiteral("b"));
  src.setObjectName(QStringLiteral("c"));
  auto got = rt.block_on(read_names(&s, 3));
  EXPECT_EQ(got, (std::vector<QString>{"a", "b", "c"}));
}

TEST(qt_from_signal, a_signal_without_arguments_gives_units) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  QTimer tick;  // QTimer::timeout(QPrivateSignal): no value
  auto s = qt::from_signal(&tick, &QTimer::timeout);
  static_assert(std::is_same_v<decltype(s)::value_type, unit>);
  tick.start(1ms);
  auto n = rt.block_on([](decltype(s)* s) -> task<int> {
    int n = 0;
    for (; n < 3; ++n) {
      auto it = co_await s->next();
      if (!it || !it->is_value()) break;
    }
    co_return n;
  }(&s));
  tick.stop();
  EXPECT_EQ(n, 3);
}

TEST(qt_from_signal, emissions_on_another_thread_wake_the_consumer) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  QObject src;
  auto s = qt::from_signal(&src, &QObject::objectNameChanged, buffer_policy::wait(16));
  auto got = rt.block_on([](QObject* src, decltype(s)* s) -> task<std::vector<QString>> {
    std::thread emitter([src] {
      for (int i = 0; i < 5; ++i) src->setObjectName(QString::number(i));
    });
    auto out = co_await read_names(s, 5);
    emitter.join();
    co_return out;
  }(&src, &s));
  EXPECT_EQ(got, (std::vector<QString>{"0", "1", "2", "3", "4"}));
}

TEST(qt_from_signal, the_buffer_policy_bounds_what_is_kept) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  QObject src;
  auto oldest = qt::from_signal(&src, &QObject::objectNameChanged, buffer_policy::drop_oldest(2));
  auto waits = qt::from_signal(&src, &QObject::objectNameChanged, buffer_policy::wait(2));
  for (const char* n : {"a", "b", "c", "d", "e"}) src.setObjectName(QString::fromLatin1(n));
  EXPECT_EQ(rt.block_on(read_names(&oldest, 2)), (std::vector<QString>{"d", "e"}));
  EXPECT_EQ(oldest.dropped(), 3u);
  // An emitter cannot wait: `wait` cuts the stream off with errc::full rather than lose items.
  auto r = rt.block_on([](decltype(waits)* s) -> task<std::vector<int>> {
    std::vector<int> kinds;  // 1 value, 2 full, 0 end
    for (int i = 0; i < 5; ++i) {
      auto it = co_await s->next();
      kinds.push_back(!it ? 0 : it->is_value() ? 1 : it->error().code() == errc::full ? 2 : 3);
      if (!it) break;
    }
    co_return kinds;
  }(&waits));
  EXPECT_EQ(r, (std::vector<int>{1, 1, 2, 0}));
}

TEST(qt_from_signal, the_stream_ends_when_the_sender_is_destroyed_and_disconnects_when_dropped) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  auto* src = new QObject;
  auto s = qt::from_signal(src, &QObject::objectNameChanged);
  src->setObjectName(QStringLiteral("last"));
  delete src;
  auto got = rt.block_on(read_names(&s, 3));  // the buffered item, then the end
  EXPECT_EQ(got, (std::vector<QString>{"last"}));

  probe p;
  {
    auto t = qt::from_signal(&p, &QObject::objectNameChanged);
    EXPECT_EQ(p.name_receivers(), 1);
  }
  EXPECT_EQ(p.name_receivers(), 0);
}

TEST(qt_drive, calls_the_slot_directly_when_the_task_runs_on_the_receivers_thread) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  sink recv;
  auto r = rt.block_on(qt::drive(from_range(one_two_three()), &recv, &sink::take));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(recv.got, (std::vector<int>{1, 2, 3}));
  for (auto id : recv.threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST(qt_drive, from_another_runtime_the_calls_are_queued_to_the_receivers_thread) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  thread_pool pool{1};
  sink recv;
  auto r = rt.block_on([](executor pool_ex, sink* recv) -> task<result<void>> {
    auto h = spawn(pool_ex, qt::drive(from_range(one_two_three()), recv, &sink::take));
    co_return (co_await h).value();
  }(pool.get_executor(), &recv));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(recv.got, (std::vector<int>{1, 2, 3}));
  for (auto id : recv.threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST(qt_drive, an_error_item_ends_it_with_that_error) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  sink recv;
  subject<int> in;
  auto st = in.subscribe();
  ASSERT_TRUE(in.try_send(1).has_value());
  in.error(error{errc::user, 9});
  ASSERT_TRUE(in.try_send(2).error().code() == errc::closed);
  auto r = rt.block_on(qt::drive(std::move(st), &recv, &sink::take));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::user);
  EXPECT_EQ(recv.got, (std::vector<int>{1}));
}

TEST(qt_drive, a_receiver_destroyed_on_its_thread_ends_it_with_closed) {
  (void)eddy_test::qt_app();
  qt_runtime rt;
  std::vector<int> got;
  auto* recv = new QObject;
  auto r = rt.block_on(qt::drive(from_range(one_two_three()), recv, [&got](QObject* o, int v) {
    got.push_back(v);
    delete o;  // the receiver goes after the first value
  }));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::closed);
  EXPECT_EQ(got, (std::vector<int>{1}));
}

}  // namespace eddy_test::qt_signal_test
