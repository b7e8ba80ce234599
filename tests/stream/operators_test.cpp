// SPDX-License-Identifier: BSL-1.0
// Every single-input operator: a value test, an error test, a composition test and an
// empty-stream test, each over several kinds of source (see check_all), on local and sim
// runtimes (check_all and both() run every case on each; plain TESTs keep the pipeline types,
// and so the compile time, shared between the runtimes).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::operators_test {

using namespace eddy;

namespace {
const error invalid{errc::invalid_argument};
const error exception_error{errc::exception};
using vi = std::vector<int>;
}  // namespace

// ---------------------------------------------------------------- map
TEST(ops, map_values) {
  check_all(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | map([](int x) { return x * 10; }); },
      items<int>{10, 20, 30});
  check_all(
      items<int>{1, 2},
      [](auto s) { return std::move(s) | map([](int x) { return std::to_string(x); }); },
      items<std::string>{"1", "2"});
}
TEST(ops, map_errors) {
  check_all(
      items<int>{1, E(1), 2},
      [](auto s) { return std::move(s) | map([](int x) { return x * 10; }); },
      items<int>{10, E(1), 20});
#if EDDY_HAS_EXCEPTIONS
  check_all(
      items<int>{1, 2, 3},
      [](auto s) {
        return std::move(s) | map([](int x) {
                 if (x == 2) throw std::runtime_error("two");
                 return x;
               });
      },
      items<int>{1, exception_error, 3});
#endif
}
TEST(ops, map_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6},
      [](auto s) {
        return std::move(s) | filter([](int x) { return x % 2 == 0; }) |
               map([](int x) { return x * x; }) | take(2);
      },
      items<int>{4, 16});
}
TEST(ops, map_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | map([](int x) { return x + 1; }); },
      items<int>{});
}

// ---------------------------------------------------------------- filter
TEST(ops, filter_values) {
  check_all(
      items<int>{1, 2, 3, 4},
      [](auto s) { return std::move(s) | filter([](int x) { return x % 2 == 0; }); },
      items<int>{2, 4});
  check_all(
      items<int>{1, 3},
      [](auto s) { return std::move(s) | filter([](int x) { return x % 2 == 0; }); }, items<int>{});
}
TEST(ops, filter_errors) {
  check_all(
      items<int>{E(1), 1, E(2), 2},
      [](auto s) { return std::move(s) | filter([](int x) { return x % 2 == 0; }); },
      items<int>{E(1), E(2), 2});
#if EDDY_HAS_EXCEPTIONS
  check_all(
      items<int>{1, 2, 3},
      [](auto s) {
        return std::move(s) | filter([](int x) -> bool {
                 if (x == 1) throw std::runtime_error("one");
                 return x == 3;
               });
      },
      items<int>{exception_error, 3});
#endif
}
TEST(ops, filter_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
      [](auto s) {
        return std::move(s) | map([](int x) { return x + 1; }) |
               filter([](int x) { return x % 3 == 0; }) |
               scan(0, [](int a, int x) { return a + x; });
      },
      items<int>{3, 9, 18});
}
TEST(ops, filter_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | filter([](int) { return true; }); },
      items<int>{});
}

// ---------------------------------------------------------------- scan
TEST(ops, scan_values) {
  check_all(
      items<int>{1, 2, 3},
      [](auto s) { return std::move(s) | scan(0, [](int a, int x) { return a + x; }); },
      items<int>{1, 3, 6});
  // the mutating form: g(Acc&, T) returning void
  check_all(
      items<int>{1, 2, 3},
      [](auto s) {
        return std::move(s) |
               scan(std::string(), [](std::string& a, int x) { a += char('0' + x); });
      },
      items<std::string>{"1", "12", "123"});
}
TEST(ops, scan_errors) {
  check_all(
      items<int>{1, E(1), 2},
      [](auto s) { return std::move(s) | scan(0, [](int a, int x) { return a + x; }); },
      items<int>{1, E(1), 3});
#if EDDY_HAS_EXCEPTIONS
  check_all(
      items<int>{1, 2, 3},
      [](auto s) {
        return std::move(s) | scan(0, [](int a, int x) {
                 if (x == 2) throw std::runtime_error("two");
                 return a + x;
               });
      },
      items<int>{1, exception_error, 4});
#endif
}
TEST(ops, scan_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5},
      [](auto s) {
        return std::move(s) | scan(0, [](int a, int x) { return a + x; }) |
               filter([](int x) { return x % 2 == 1; }) | map([](int x) { return x * 2; });
      },
      items<int>{2, 6, 30});
}
TEST(ops, scan_empty) {
  check_all(
      items<int>{},
      [](auto s) { return std::move(s) | scan(5, [](int a, int x) { return a + x; }); },
      items<int>{});
}

// ---------------------------------------------------------------- tap
TEST(ops, tap_values) {
  std::vector<int> seen;
  auto out = both([&] {
    seen.clear();
    return collect(from_items<int>({1, 2, 3}) | tap([&seen](const int& x) { seen.push_back(x); }));
  });
  EXPECT_EQ(out, (items<int>{1, 2, 3}));
  EXPECT_EQ(seen, (vi{1, 2, 3}));
  check_all(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | tap([](int) {}); },
      items<int>{1, 2, 3});
}
TEST(ops, tap_errors) {
  std::vector<int> seen;
  auto out = both([&] {
    seen.clear();
    return collect(async_items<int>({1, E(1), 2}) |
                   tap([&seen](const int& x) { seen.push_back(x); }));
  });
  EXPECT_EQ(out, (items<int>{1, E(1), 2}));
  EXPECT_EQ(seen, (vi{1, 2}));  // not called for errors
#if EDDY_HAS_EXCEPTIONS
  check_all(
      items<int>{1, 2},
      [](auto s) {
        return std::move(s) | tap([](int x) {
                 if (x == 1) throw std::runtime_error("one");
               });
      },
      items<int>{exception_error, 2});
#endif
}
TEST(ops, tap_composed) {
  int sum = 0;
  auto out = both([&] {
    sum = 0;
    return collect(from_items<int>({1, 2, 3, 4}) | tap([&sum](int x) { sum += x; }) |
                   filter([](int x) { return x > 2; }) | tap([&sum](int x) { sum += 100 * x; }));
  });
  EXPECT_EQ(out, (items<int>{3, 4}));
  EXPECT_EQ(sum, 10 + 700);
}
TEST(ops, tap_empty) {
  int calls = 0;
  auto out = both([&] { return collect(async_items<int>({}) | tap([&calls](int) { ++calls; })); });
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(calls, 0);
}

// ---------------------------------------------------------------- take
TEST(ops, take_values) {
  check_all(
      items<int>{1, 2, 3, 4}, [](auto s) { return std::move(s) | take(2); }, items<int>{1, 2});
  check_all(
      items<int>{1, 2, 3, 4}, [](auto s) { return std::move(s) | take(0); }, items<int>{});
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | take(10u); }, items<int>{1, 2});
}
TEST(ops, take_errors) {
  // errors count as items
  check_all(
      items<int>{E(1), 1, E(2), 2}, [](auto s) { return std::move(s) | take(3); },
      items<int>{E(1), 1, E(2)});
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | take(-1); }, items<int>{invalid});
}
TEST(ops, take_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
      [](auto s) {
        return std::move(s) | filter([](int x) { return x % 2 == 0; }) | take(3) |
               map([](int x) { return x * 10; });
      },
      items<int>{20, 40, 60});
  check_all(
      items<int>{1, 2, 3, 4, 5}, [](auto s) { return std::move(s) | take(4) | take(2); },
      items<int>{1, 2});
}
TEST(ops, take_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | take(3); }, items<int>{});
}
TEST(ops, take_never_pulls_past_n) {
  // an endless generator: take must end without asking for item n+1
  int produced = 0;
  auto endless = [](int* produced) -> generator<int> {
    for (int i = 0;; ++i) {
      ++*produced;
      co_yield i;
    }
  };
  auto out = both([&] {
    produced = 0;
    return collect(endless(&produced) | take(3));
  });
  EXPECT_EQ(out, (items<int>{0, 1, 2}));
  EXPECT_EQ(produced, 3);
}

// ---------------------------------------------------------------- skip
TEST(ops, skip_values) {
  check_all(
      items<int>{1, 2, 3, 4}, [](auto s) { return std::move(s) | skip(2); }, items<int>{3, 4});
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | skip(0); }, items<int>{1, 2});
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | skip(5); }, items<int>{});
}
TEST(ops, skip_errors) {
  check_all(
      items<int>{E(1), 1, E(2), 2}, [](auto s) { return std::move(s) | skip(2); },
      items<int>{E(2), 2});
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | skip(-3); }, items<int>{invalid});
}
TEST(ops, skip_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6},
      [](auto s) { return std::move(s) | skip(1) | take(3) | map([](int x) { return -x; }); },
      items<int>{-2, -3, -4});
}
TEST(ops, skip_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | skip(1); }, items<int>{});
}

// ---------------------------------------------------------------- take_while
TEST(ops, take_while_values) {
  check_all(
      items<int>{1, 2, 5, 3},
      [](auto s) { return std::move(s) | take_while([](int x) { return x < 4; }); },
      items<int>{1, 2});
}
TEST(ops, take_while_errors) {
  check_all(
      items<int>{1, E(1), 2, 5, E(2)},
      [](auto s) { return std::move(s) | take_while([](int x) { return x < 4; }); },
      items<int>{1, E(1), 2});
#if EDDY_HAS_EXCEPTIONS
  check_all(
      items<int>{1, 2, 9},
      [](auto s) {
        return std::move(s) | take_while([](int x) -> bool {
                 if (x == 2) throw std::runtime_error("two");
                 return x < 4;
               });
      },
      items<int>{1, exception_error});
#endif
}
TEST(ops, take_while_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5},
      [](auto s) {
        return std::move(s) | map([](int x) { return x * 2; }) |
               take_while([](int x) { return x < 7; }) |
               scan(0, [](int a, int x) { return a + x; });
      },
      items<int>{2, 6, 12});
}
TEST(ops, take_while_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | take_while([](int) { return true; }); },
      items<int>{});
}

// ---------------------------------------------------------------- skip_while
TEST(ops, skip_while_values) {
  check_all(
      items<int>{1, 2, 5, 3},
      [](auto s) { return std::move(s) | skip_while([](int x) { return x < 4; }); },
      items<int>{5, 3});
}
TEST(ops, skip_while_errors) {
  check_all(
      items<int>{1, E(1), 2, 5, E(2), 3},
      [](auto s) { return std::move(s) | skip_while([](int x) { return x < 4; }); },
      items<int>{E(1), 5, E(2), 3});
}
TEST(ops, skip_while_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6},
      [](auto s) {
        return std::move(s) | skip_while([](int x) { return x < 3; }) |
               filter([](int x) { return x != 5; }) | take(3);
      },
      items<int>{3, 4, 6});
}
TEST(ops, skip_while_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | skip_while([](int) { return true; }); },
      items<int>{});
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | skip_while([](int) { return true; }); },
      items<int>{});
}

// ---------------------------------------------------------------- distinct_until_changed(_by)
TEST(ops, distinct_until_changed_values) {
  check_all(
      items<int>{1, 1, 2, 2, 1}, [](auto s) { return std::move(s) | distinct_until_changed(); },
      items<int>{1, 2, 1});
}
TEST(ops, distinct_until_changed_errors) {
  // an error passes and does not reset the previous value
  check_all(
      items<int>{1, E(1), 1, 2}, [](auto s) { return std::move(s) | distinct_until_changed(); },
      items<int>{1, E(1), 2});
}
TEST(ops, distinct_until_changed_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6},
      [](auto s) {
        return std::move(s) | map([](int x) { return x / 2; }) | distinct_until_changed() | skip(1);
      },
      items<int>{1, 2, 3});
}
TEST(ops, distinct_until_changed_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | distinct_until_changed(); }, items<int>{});
}
TEST(ops, distinct_until_changed_compares_wrapped_values) {
  // a timestamped wrapper: the values are compared, not the timestamps; the first of a run of
  // equal values is emitted with its timestamp
  using SI = stamped<int>;
  check_all(
      items<SI>{SI{1, at_ms(1)}, SI{1, at_ms(2)}, SI{2, at_ms(3)}, SI{2, at_ms(4)}, E(1),
                SI{2, at_ms(5)}, SI{1, at_ms(6)}},
      [](auto s) { return std::move(s) | distinct_until_changed(); },
      items<SI>{SI{1, at_ms(1)}, SI{2, at_ms(3)}, E(1), SI{1, at_ms(6)}});
  using QI = sequenced<int>;
  check_all(
      items<QI>{QI{5, 0}, QI{5, 1}, QI{5, 2}, QI{6, 3}},
      [](auto s) { return std::move(s) | distinct_until_changed(); },
      items<QI>{QI{5, 0}, QI{6, 3}});
  // nested wrappers compare the innermost value
  using SQ = stamped<sequenced<int>>;
  check_all(
      items<SQ>{SQ{QI{1, 0}, at_ms(0)}, SQ{QI{1, 1}, at_ms(1)}},
      [](auto s) { return std::move(s) | distinct_until_changed(); },
      items<SQ>{SQ{QI{1, 0}, at_ms(0)}});
}
TEST(ops, distinct_until_changed_by_gets_whole_wrappers_and_keeps_the_first) {
  // `eq` sees the wrappers whole; comparing `.value` drops repeats and keeps the first stamp
  using SI = stamped<int>;
  check_all(
      items<SI>{SI{1, at_ms(1)}, SI{1, at_ms(2)}, SI{2, at_ms(3)}},
      [](auto s) {
        return std::move(s) | distinct_until_changed_by(
                                  [](const SI& a, const SI& b) { return a.value == b.value; });
      },
      items<SI>{SI{1, at_ms(1)}, SI{2, at_ms(3)}});
}
TEST(ops, distinct_until_changed_by_values) {
  auto same_abs = [](int a, int b) { return std::abs(a) == std::abs(b); };
  check_all(
      items<int>{1, -1, 2, -2, 3},
      [same_abs](auto s) { return std::move(s) | distinct_until_changed_by(same_abs); },
      items<int>{1, 2, 3});
}
TEST(ops, distinct_until_changed_by_errors) {
  auto same_abs = [](int a, int b) { return std::abs(a) == std::abs(b); };
  check_all(
      items<int>{E(3), 1, E(4), -1, 2},
      [same_abs](auto s) { return std::move(s) | distinct_until_changed_by(same_abs); },
      items<int>{E(3), 1, E(4), 2});
#if EDDY_HAS_EXCEPTIONS
  check_all(
      items<int>{1, 2, 3},
      [](auto s) {
        return std::move(s) | distinct_until_changed_by([](int, int b) -> bool {
                 if (b == 2) throw std::runtime_error("two");
                 return false;
               });
      },
      items<int>{1, exception_error, 3});
#endif
}
TEST(ops, distinct_until_changed_by_composed) {
  check_all(
      items<int>{10, 11, 20, 25, 31},
      [](auto s) {
        return std::move(s) |
               distinct_until_changed_by([](int a, int b) { return a / 10 == b / 10; }) |
               map([](int x) { return x / 10; });
      },
      items<int>{1, 2, 3});
}
TEST(ops, distinct_until_changed_by_empty) {
  check_all(
      items<int>{},
      [](auto s) {
        return std::move(s) | distinct_until_changed_by([](int, int) { return true; });
      },
      items<int>{});
}

// ---------------------------------------------------------------- start_with
TEST(ops, start_with_values) {
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | start_with(7, 8); },
      items<int>{7, 8, 1, 2});
}
TEST(ops, start_with_errors) {
  check_all(
      items<int>{E(1), 1},
      [](auto s) { return std::move(s) | start_with(item<int>(E(2)), item<int>(0)); },
      items<int>{E(2), 0, E(1), 1});
}
TEST(ops, start_with_composed) {
  check_all(
      items<int>{1, 2, 3},
      [](auto s) {
        return std::move(s) | start_with(0) | scan(0, [](int a, int x) { return a + x; }) | take(3);
      },
      items<int>{0, 1, 3});
}
TEST(ops, start_with_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | start_with(5); }, L(5));
}

// ---------------------------------------------------------------- combine_with_previous
TEST(ops, combine_with_previous_values) {
  using wp = with_previous<int>;
  check_all(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | combine_with_previous(); },
      items<wp>{wp{std::nullopt, 1}, wp{1, 2}, wp{2, 3}});
}
TEST(ops, combine_with_previous_errors) {
  using wp = with_previous<int>;
  check_all(
      items<int>{1, E(1), 2}, [](auto s) { return std::move(s) | combine_with_previous(); },
      items<wp>{wp{std::nullopt, 1}, E(1), wp{1, 2}});
}
TEST(ops, combine_with_previous_composed) {
  check_all(
      items<int>{1, 4, 9, 16},
      [](auto s) {
        return std::move(s) | combine_with_previous() |
               map([](with_previous<int> w) { return w.current - w.previous.value_or(0); });
      },
      items<int>{1, 3, 5, 7});
}
TEST(ops, combine_with_previous_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | combine_with_previous(); },
      items<with_previous<int>>{});
}

// ---------------------------------------------------------------- window_by_count
TEST(ops, window_by_count_values) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6, 7}, [](auto s) { return std::move(s) | window_by_count(3); },
      items<vi>{vi{1, 2, 3}, vi{4, 5, 6}, vi{7}});  // the partial window is flushed at the end
  check_all(
      items<int>{1, 2, 3, 4}, [](auto s) { return std::move(s) | window_by_count(2); },
      items<vi>{vi{1, 2}, vi{3, 4}});
}
TEST(ops, window_by_count_errors) {
  // an error passes at once and clears the partial window
  check_all(
      items<int>{1, 2, 3, 4, E(1), 5, 6, 7},
      [](auto s) { return std::move(s) | window_by_count(3); },
      items<vi>{vi{1, 2, 3}, E(1), vi{5, 6, 7}});
  check_all(
      L(1), [](auto s) { return std::move(s) | window_by_count(0); }, items<vi>{invalid});
  check_all(
      L(1), [](auto s) { return std::move(s) | window_by_count(-2); }, items<vi>{invalid});
}
TEST(ops, window_by_count_composed) {
  check_all(
      items<int>{1, 2, 3, 4, 5, 6, 7, 8},
      [](auto s) {
        return std::move(s) | filter([](int x) { return x != 4; }) | window_by_count(2) |
               map([](vi w) { return w.front() + w.back(); });
      },
      items<int>{3, 8, 13, 16});  // [1,2] [3,5] [6,7] [8]
}
// A huge n is valid: the window grows as values arrive instead of reserving n up front.
TEST(ops, window_by_count_huge_n_grows_as_values_arrive) {
  check_all(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | window_by_count(SIZE_MAX); },
      items<vi>{vi{1, 2, 3}});
  check_all(
      items<int>{1, 2, 3, E(4), 5},
      [](auto s) {
        return std::move(s) | window_by_count(std::numeric_limits<std::int64_t>::max());
      },
      items<vi>{E(4), vi{5}});
  std::vector<int> many(5000);
  for (int i = 0; i < 5000; ++i) many[i] = i;
  items<int> in(many.begin(), many.end());
  check_all(
      in, [](auto s) { return std::move(s) | window_by_count(std::uint64_t{1} << 40); },
      items<vi>{vi(many)});
}
TEST(ops, window_by_count_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | window_by_count(2); }, items<vi>{});
}

// ---------------------------------------------------------------- sample_ratio
TEST(ops, sample_ratio_values) {
  check_all(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | sample_ratio(1.0, 9); },
      items<int>{1, 2, 3});
  check_all(
      items<int>{1, 2, 3}, [](auto s) { return std::move(s) | sample_ratio(0.0, 9); },
      items<int>{});
  items<int> many;
  for (int i = 0; i < 200; ++i) many.push_back(i);
  auto a = both([&] { return collect(from_range(items<int>(many)) | sample_ratio(0.5, 42)); });
  auto b = both([&] { return collect(async_items<int>(many) | sample_ratio(0.5, 42)); });
  auto c = both([&] { return collect(from_range(items<int>(many)) | sample_ratio(0.5, 43)); });
  EXPECT_EQ(a, b);  // deterministic per seed
  EXPECT_NE(a, c);  // another seed picks other values
  EXPECT_GT(a.size(), 60u);
  EXPECT_LT(a.size(), 140u);
}
TEST(ops, sample_ratio_errors) {
  check_all(
      items<int>{E(1), 1, E(2)}, [](auto s) { return std::move(s) | sample_ratio(0.0, 1); },
      items<int>{E(1), E(2)});
  check_all(
      L(1), [](auto s) { return std::move(s) | sample_ratio(1.5, 1); }, items<int>{invalid});
  check_all(
      L(1), [](auto s) { return std::move(s) | sample_ratio(-0.1, 1); }, items<int>{invalid});
  check_all(
      L(1), [](auto s) { return std::move(s) | sample_ratio(std::nan(""), 1); },
      items<int>{invalid});
}
TEST(ops, sample_ratio_composed) {
  check_all(
      items<int>{1, 2, 3, 4},
      [](auto s) {
        return std::move(s) | map([](int x) { return x * 2; }) | sample_ratio(1.0, 3) | take(2);
      },
      items<int>{2, 4});
}
TEST(ops, sample_ratio_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | sample_ratio(0.5, 3); }, items<int>{});
}

// ---------------------------------------------------------------- on_error
TEST(ops, on_error_values) {
  check_all(
      items<int>{1, 2},
      [](auto s) { return std::move(s) | on_error([](const error&) { return true; }); },
      items<int>{1, 2});
}
TEST(ops, on_error_errors) {
  // handles code 1, passes the others on
  check_all(
      items<int>{1, E(1), 2, E(2), E(1)},
      [](auto s) { return std::move(s) | on_error([](const error& e) { return e.count() == 1; }); },
      items<int>{1, 2, E(2)});
#if EDDY_HAS_EXCEPTIONS
  check_all(
      items<int>{E(1), 2},
      [](auto s) {
        return std::move(s) |
               on_error([](const error&) -> bool { throw std::runtime_error("handler"); });
      },
      items<int>{exception_error, 2});
#endif
}
TEST(ops, on_error_composed) {
  check_all(
      items<int>{1, E(1), 2, E(2), 3},
      [](auto s) {
        return std::move(s) | map([](int x) { return x * 3; }) |
               on_error([](const error&) { return true; }) | window_by_count(2);
      },
      items<vi>{vi{3, 6}, vi{9}});
}
TEST(ops, on_error_empty) {
  check_all(
      items<int>{},
      [](auto s) { return std::move(s) | on_error([](const error&) { return true; }); },
      items<int>{});
}

// ---------------------------------------------------------------- map_error
TEST(ops, map_error_values) {
  check_all(
      items<int>{1, 2}, [](auto s) { return std::move(s) | map_error([](error e) { return e; }); },
      items<int>{1, 2});
}
TEST(ops, map_error_errors) {
  check_all(
      items<int>{E(1), 1, E(2)},
      [](auto s) { return std::move(s) | map_error([](error e) { return E(e.count() + 100); }); },
      items<int>{E(101), 1, E(102)});
}
TEST(ops, map_error_composed) {
  check_all(
      items<int>{1, E(1), 2, E(7)},
      [](auto s) {
        return std::move(s) | map_error([](error e) { return E(e.count() * 2); }) |
               on_error([](const error& e) { return e.count() == 2; }) | take(3);
      },
      items<int>{1, 2, E(14)});
}
TEST(ops, map_error_empty) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | map_error([](error e) { return e; }); },
      items<int>{});
}

// ---------------------------------------------------------------- retry
namespace {
/// A factory whose k-th subscription gives `runs[k]` (the last one repeats).
struct scripted_factory {
  std::vector<items<int>> runs;
  int* calls;
  bool async;
  any_stream<int> operator()() {
    const std::size_t k =
        std::min<std::size_t>(static_cast<std::size_t>((*calls)++), runs.size() - 1);
    if (async) return any_stream<int>(async_items<int>(runs[k]));
    return any_stream<int>(from_range(items<int>(runs[k])));
  }
};
}  // namespace

TEST(ops, retry_values) {
  for (bool async : {false, true}) {
    int calls = 0;
    auto out = both([&] {
      calls = 0;
      return collect(retry(3, scripted_factory{{{1, 2}}, &calls, async}));
    });
    EXPECT_EQ(out, (items<int>{1, 2}));
    EXPECT_EQ(calls, 1);
  }
}
TEST(ops, retry_errors) {
  for (bool async : {false, true}) {
    int calls = 0;
    auto out = both([&] {
      calls = 0;
      return collect(retry(2, scripted_factory{{{1, E(1)}, {1, E(2)}, {1, 2}}, &calls, async}));
    });
    EXPECT_EQ(out, (items<int>{1, 1, 1, 2})) << async;
    EXPECT_EQ(calls, 3);
    calls = 0;
    // retries exhausted: the last error passes and the output ends (3 is never pulled)
    auto out2 = both([&] {
      calls = 0;
      return collect(retry(1, scripted_factory{{{1, E(1)}, {1, E(2), 3}}, &calls, async}));
    });
    EXPECT_EQ(out2, (items<int>{1, 1, E(2)}));
    EXPECT_EQ(calls, 2);
    // retry(0): the first error, then the end
    auto out0 = both([&] {
      calls = 0;
      return collect(retry(0, scripted_factory{{{1, E(1), 2}}, &calls, async}));
    });
    EXPECT_EQ(out0, (items<int>{1, E(1)}));
    EXPECT_EQ(calls, 1);
    calls = 0;
    auto out3 = both([&] {
      calls = 0;
      return collect(retry(-1, scripted_factory{{{1}}, &calls, async}));
    });
    EXPECT_EQ(out3, (items<int>{invalid}));
    EXPECT_EQ(calls, 0);
  }
#if EDDY_HAS_EXCEPTIONS
  auto out = both([&] {
    return collect(retry(1, []() -> any_stream<int> { throw std::runtime_error("factory"); }));
  });
  EXPECT_EQ(out, (items<int>{exception_error}));
#endif
}
TEST(ops, retry_over_an_async_stage_chain) {
  // The factory gives a stage chain over an asynchronous source and stages sit above retry: the
  // source under the whole chain changes with every retry, and each wait must follow it.
  for (bool by_subscribe : {false, true}) {
    int calls = 0;
    auto out = both([&] {
      calls = 0;
      auto s = retry(2,
                     [&calls] {
                       const int k = calls++;
                       return async_items<int>(k == 0 ? items<int>{1, E(1)} : items<int>{2, 3}) |
                              map([](int x) { return x * 10; });
                     }) |
               filter([](int x) { return x != 20; }) | map([](int x) { return x + 1; });
      return by_subscribe ? collect_subscribe(std::move(s)) : collect(std::move(s));
    });
    EXPECT_EQ(out, (items<int>{11, 31})) << by_subscribe;
    EXPECT_EQ(calls, 2);
  }
}
TEST(ops, retry_composed) {
  int calls = 0;
  auto out = both([&] {
    calls = 0;
    return collect_subscribe(
        retry(5, scripted_factory{{{1, E(1)}, {2, E(1)}, {3, 4, 5}}, &calls, true}) |
        map([](int x) { return x * 10; }) | take(4));
  });
  EXPECT_EQ(out, (items<int>{10, 20, 30, 40}));
}
TEST(ops, retry_empty) {
  int calls = 0;
  auto out = both([&] {
    calls = 0;
    return collect(retry(2, scripted_factory{{{}}, &calls, true}));
  });
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(calls, 1);
}

}  // namespace eddy_stream_test::operators_test
