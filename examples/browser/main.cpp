// SPDX-License-Identifier: BSL-1.0
// eddy in a web page: a search box and two sliders, all the logic in C++ compiled to wasm and
// run by emscripten_runtime on the browser's event loop (main returns at once).
//
//   keystrokes --> debounce(250ms) --> distinct_until_changed() --> switch_map(lookup)
//                                                                       |
//                                 (a new query cancels the lookup in flight: never a stale result)
//   hue slider  --\
//                  combine_latest --> the swatch
//   size slider --/
//
// The DOM is touched through a few EM_JS functions below; index.html holds only markup and
// style. Every keystroke, lookup start, cancellation and result is written to the page, and to
// `window.eddyPage` for the end-to-end test (tests/browser/page.test.mjs).
#include <emscripten.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <eddy/eddy.hpp>
#include <eddy/runtime/emscripten_runtime.hpp>
#include <string>
#include <string_view>
#include <vector>

using namespace eddy;
using namespace std::chrono_literals;

// ---- DOM glue --------------------------------------------------------------------------------
// clang-format off
EM_JS(void, dom_listen, (), {
  document.getElementById("q").addEventListener("input", function() { _page_on_query(); });
  document.getElementById("hue").addEventListener("input", function(e) { _page_on_slider(0, +e.target.value); });
  document.getElementById("size").addEventListener("input", function(e) { _page_on_slider(1, +e.target.value); });
});
// Copies the search box's value into buf (UTF-8, at most size bytes with the terminator).
EM_JS(void, dom_query_value, (char* buf, int size), {
  stringToUTF8(document.getElementById("q").value, buf, size);
});
EM_JS(void, dom_slider_value, (int which, int* out), {
  HEAP32[out >> 2] = +document.getElementById(which === 0 ? "hue" : "size").value;
});
EM_JS(void, dom_event, (const char* kind, const char* query, double at_ms, double extra), {
  var k = UTF8ToString(kind), q = UTF8ToString(query);
  var page = window.eddyPage;
  page.events.push({kind: k, query: q, at: at_ms, extra: extra});
  if (k === "key") {
    page.keys++;
    document.getElementById("keys").textContent = page.keys;
    return;
  }
  var li = document.createElement("li");
  li.className = k;
  li.dataset.query = q;
  var t = (at_ms / 1000).toFixed(2) + " s  ";
  if (k === "start") li.textContent = t + "lookup \"" + q + "\" started (takes " + extra + " ms)";
  else if (k === "cancel") li.textContent = t + "lookup \"" + q + "\" cancelled after " + extra + " ms";
  else if (k === "done") li.textContent = t + "lookup \"" + q + "\" done: " + extra + " matches";
  var log = document.getElementById("log");
  log.insertBefore(li, log.firstChild);
  while (log.children.length > 40) log.removeChild(log.lastChild);
  if (k === "start" || k === "cancel") {
    document.getElementById("status").textContent = k === "start" ? "searching \"" + q + "\"…" : "";
  }
});
// Shows the results of `query`: `items` is newline-separated.
EM_JS(void, dom_results, (const char* query, const char* items, int total), {
  var q = UTF8ToString(query), list = UTF8ToString(items);
  var box = document.getElementById("results");
  box.dataset.query = q;
  window.eddyPage.shown.push(q);
  document.getElementById("results-title").textContent =
      q === "" ? "Type to search" : total + " match" + (total === 1 ? "" : "es") + " for \"" + q + "\"";
  var ul = document.getElementById("results-list");
  ul.textContent = "";
  if (list !== "") list.split("\n").forEach(function(s) {
    var li = document.createElement("li");
    var i = s.toLowerCase().indexOf(q.toLowerCase());
    li.appendChild(document.createTextNode(s.slice(0, i)));
    var b = document.createElement("b");
    b.textContent = s.slice(i, i + q.length);
    li.appendChild(b);
    li.appendChild(document.createTextNode(s.slice(i + q.length)));
    ul.appendChild(li);
  });
  document.getElementById("status").textContent = "";
});
EM_JS(void, dom_swatch, (int hue, int size, int trigger, int count), {
  var sw = document.getElementById("swatch");
  sw.style.width = sw.style.height = size + "px";
  sw.style.background = "hsl(" + hue + ", 75%, 55%)";
  sw.style.boxShadow = "0 0 " + (size / 4) + "px hsl(" + hue + ", 75%, 55%)";
  document.getElementById("combo").textContent =
      "combine_latest → (hue " + hue + ", size " + size + ")  #" + count + ", triggered by " + (trigger === 0 ? "hue" : "size");
  window.eddyPage.combined.push([hue, size]);
});
EM_JS(void, dom_ready, (), {
  window.eddyPage.ready = true;
  document.body.dataset.ready = "1";
});
EM_JS(void, dom_init, (), {
  window.eddyPage = {ready: false, keys: 0, events: [], shown: [], combined: []};
});
// clang-format on

// ---- the simulated slow lookup ---------------------------------------------------------------
namespace {

constexpr std::string_view words[] = {
    "Apple",        "Apricot",     "Avocado",     "Banana",      "Bilberry",      "Blackberry",
    "Blackcurrant", "Blueberry",   "Boysenberry", "Cantaloupe",  "Cherry",        "Cherimoya",
    "Clementine",   "Cloudberry",  "Coconut",     "Cranberry",   "Currant",       "Damson",
    "Date",         "Dragonfruit", "Durian",      "Elderberry",  "Feijoa",        "Fig",
    "Gooseberry",   "Grape",       "Grapefruit",  "Guava",       "Honeydew",      "Huckleberry",
    "Jackfruit",    "Jambul",      "Jujube",      "Kiwano",      "Kiwifruit",     "Kumquat",
    "Lemon",        "Lime",        "Loganberry",  "Longan",      "Loquat",        "Lychee",
    "Mandarin",     "Mango",       "Mangosteen",  "Marionberry", "Melon",         "Mulberry",
    "Nectarine",    "Olive",       "Orange",      "Papaya",      "Passionfruit",  "Peach",
    "Pear",         "Persimmon",   "Pineapple",   "Pineberry",   "Plantain",      "Plum",
    "Pomegranate",  "Pomelo",      "Quince",      "Raspberry",   "Redcurrant",    "Rambutan",
    "Salak",        "Satsuma",     "Soursop",     "Star apple",  "Strawberry",    "Tamarillo",
    "Tamarind",     "Tangerine",   "Ugli fruit",  "Watermelon",  "White currant", "Yuzu",
};

bool contains_nocase(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != hay.end();
}

/// How long the "server" takes: short queries are slow (they match more), so without
/// cancellation an early short query would answer after a later, longer one.
duration lookup_time(const std::string& q) {
  const int ms = 1300 - 150 * static_cast<int>(std::min<std::size_t>(q.size(), 6));
  return std::chrono::milliseconds(ms);
}

emscripten_runtime* rt = nullptr;

/// The runtime's clock in ms (also from JS event handlers, outside any task).
double ms_now() {
  return std::chrono::duration<double, std::milli>(rt->now().time_since_epoch()).count();
}

struct hits {
  std::string query;
  std::vector<std::string_view> names;
};

/// One lookup as a stream of one item. If it is dropped before answering (switch_map moved on
/// to a newer query), the guard says so on the page.
generator<hits> lookup(std::string q) {
  if (q.empty()) {  // an empty box needs no server
    co_yield hits{};
    co_return;
  }
  struct guard {
    const std::string& q;
    double started = ms_now();
    bool answered = false;
    ~guard() {
      if (!answered) dom_event("cancel", q.c_str(), ms_now(), std::round(ms_now() - started));
    }
  } g{q};
  const duration d = lookup_time(q);
  dom_event("start", q.c_str(), ms_now(), static_cast<double>(d / 1ms));
  co_await sleep(d);
  hits h{q, {}};
  for (std::string_view w : words)
    if (contains_nocase(w, q)) h.names.push_back(w);
  g.answered = true;
  dom_event("done", q.c_str(), ms_now(), static_cast<double>(h.names.size()));
  co_yield std::move(h);
}

void render(const hits& h) {
  std::string joined;
  for (std::size_t i = 0; i < h.names.size() && i < 12; ++i) {
    if (i) joined += '\n';
    joined += h.names[i];
  }
  dom_results(h.query.c_str(), joined.c_str(), static_cast<int>(h.names.size()));
}

// ---- the pipelines ---------------------------------------------------------------------------
mpsc::sender<std::string>* queries = nullptr;
mpsc::sender<int>* sliders[2] = {nullptr, nullptr};

// The page shows the code between each pair of "card" markers under its card (the build
// copies it into index.html: examples/browser/CMakeLists.txt).
// [card search]
// rx: every value of the search box, sent by the page's input listener.
task<void> search(mpsc::receiver<std::string> rx) {
  auto results = from_receiver(std::move(rx))  //
                 | debounce(250ms)             //
                 | distinct_until_changed()    //
                 | switch_map([](std::string q) { return lookup(std::move(q)); });
  (void)co_await subscribe(std::move(results), [](hits h) { render(h); });
}
// lookup(q): a generator<hits> that sleeps like a slow server, then yields the matches;
// switch_map destroys it (cancelling the sleep) when a newer query arrives.
// [end card]

// [card sliders]
// hue, size: the sliders' values, sent by their input listeners.
task<void> swatch(mpsc::receiver<int> hue, mpsc::receiver<int> size) {
  auto both = from_receiver(std::move(hue)) | combine_latest(from_receiver(std::move(size)));
  int count = 0;
  (void)co_await subscribe(std::move(both), [&count](const auto& c) {
    dom_swatch(c.template get<0>(), c.template get<1>(), static_cast<int>(c.trigger), ++count);
  });
}
// [end card]

}  // namespace

// ---- events from the page (called by the listeners dom_listen installs) ------------------------
extern "C" {
EMSCRIPTEN_KEEPALIVE void page_on_query() {
  char buf[256];
  dom_query_value(buf, sizeof buf);
  std::string q = buf;
  dom_event("key", q.c_str(), ms_now(), 0);
  (void)queries->try_send(std::move(q));  // unbounded: never full; wakes the pipeline
}
EMSCRIPTEN_KEEPALIVE void page_on_slider(int which, int value) {
  (void)sliders[which & 1]->try_send(value);
}
}

int main() {
  rt = new emscripten_runtime;  // lives as long as the page
  dom_init();
  auto [qtx, qrx] = mpsc::unbounded_channel<std::string>();
  auto [htx, hrx] = mpsc::unbounded_channel<int>();
  auto [stx, srx] = mpsc::unbounded_channel<int>();
  queries = new mpsc::sender<std::string>(std::move(qtx));
  sliders[0] = new mpsc::sender<int>(std::move(htx));
  sliders[1] = new mpsc::sender<int>(std::move(stx));
  for (int i = 0; i < 2; ++i) {
    int v = 0;
    dom_slider_value(i, &v);
    (void)sliders[i]->try_send(v);  // combine_latest emits once both have a value
  }
  spawn(rt->get_executor(), search(std::move(qrx))).detach();
  spawn(rt->get_executor(), swatch(std::move(hrx), std::move(srx))).detach();
  dom_listen();
  dom_ready();
  std::printf("eddy page: running on the browser's event loop\n");
  return 0;  // the work goes on on the event loop
}
