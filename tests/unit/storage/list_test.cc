#include "storage/list.h"

#include <catch2/catch.hpp>
#include <deque>
#include <random>
#include <string>

using firn::List;

namespace {

std::deque<std::string> Contents(const List& l) {
  std::deque<std::string> out;
  for (List::Cursor c = l.CursorAt(0); c.Valid(); c.Next()) out.emplace_back(c.Get());
  return out;
}

std::deque<std::string> ContentsBackwards(const List& l) {
  std::deque<std::string> out;
  if (l.empty()) return out;
  for (List::Cursor c = l.CursorAt(l.size() - 1); c.Valid(); c.Prev()) out.emplace_front(c.Get());
  return out;
}

// Values of varied sizes: small, around the 1-byte length boundary, and bigger than a node.
std::string RandomValue(std::mt19937& rng) {
  static const size_t kSizes[] = {0, 1, 5, 127, 128, 300, 5000, 20000};
  const size_t size = kSizes[rng() % 8 < 6 ? rng() % 4 : rng() % 8];
  std::string v(size, 'a');
  for (char& c : v) c = static_cast<char>('a' + rng() % 3);
  if (size < 4) v = std::to_string(rng() % 5);  // frequent repeats for RemoveEqual
  return v;
}

void RunRandomOps(int fill, uint32_t seed) {
  std::mt19937 rng(seed);
  List l(fill);
  std::deque<std::string> model;
  for (int step = 0; step < 4000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op == 0 || op == 1) {
      std::string v = RandomValue(rng);
      l.PushFront(v);
      model.push_front(v);
    } else if (op == 2 || op == 3) {
      std::string v = RandomValue(rng);
      l.PushBack(v);
      model.push_back(v);
    } else if (op == 4 && !model.empty()) {
      REQUIRE(l.Front() == model.front());
      l.PopFront();
      model.pop_front();
    } else if (op == 5 && !model.empty()) {
      REQUIRE(l.Back() == model.back());
      l.PopBack();
      model.pop_back();
    } else if (op == 6) {
      const size_t i = rng() % (model.size() + 1);
      std::string v = RandomValue(rng);
      l.Insert(i, v);
      model.insert(model.begin() + static_cast<long>(i), v);
    } else if (op == 7 && !model.empty()) {
      const size_t i = rng() % model.size();
      REQUIRE(l.At(i) == model[i]);
      std::string v = RandomValue(rng);
      l.Set(i, v);
      model[i] = v;
    } else if (op == 8 && !model.empty()) {
      const size_t first = rng() % model.size();
      const size_t count = rng() % (std::min<size_t>(model.size() - first, 20) + 1);
      l.Erase(first, count);
      model.erase(model.begin() + static_cast<long>(first),
                  model.begin() + static_cast<long>(first + count));
    } else if (op == 9) {
      const std::string v = std::to_string(rng() % 5);
      const size_t limit = rng() % 4;
      const bool from_tail = rng() % 2 == 0;
      size_t expected = 0;
      if (from_tail) {
        for (size_t k = model.size(); k-- > 0;) {
          if (model[k] == v && (limit == 0 || expected < limit)) {
            model.erase(model.begin() + static_cast<long>(k));
            ++expected;
          }
        }
      } else {
        for (size_t k = 0; k < model.size();) {
          if (model[k] == v && (limit == 0 || expected < limit)) {
            model.erase(model.begin() + static_cast<long>(k));
            ++expected;
          } else {
            ++k;
          }
        }
      }
      REQUIRE(l.RemoveEqual(v, limit, from_tail) == expected);
    }
    REQUIRE(l.size() == model.size());
    if (step % 97 == 0) {
      REQUIRE(Contents(l) == model);
      REQUIRE(ContentsBackwards(l) == model);
    }
  }
  REQUIRE(Contents(l) == model);
  List copy(l);
  REQUIRE(Contents(copy) == model);
  REQUIRE(copy.MemoryBytes() == l.MemoryBytes());
}

}  // namespace

TEST_CASE("list matches a deque over random operations, for every kind of fill", "[list]") {
  for (int fill : {-1, -2, -5, 1, 2, 16, 128}) {
    INFO("fill " << fill);
    RunRandomOps(fill, static_cast<uint32_t>(1000 + fill));
  }
}

TEST_CASE("list nodes respect a positive fill", "[list]") {
  List l(4);
  for (int i = 0; i < 40; ++i) l.PushBack(std::to_string(i));
  REQUIRE(l.node_count() == 10);
  for (int i = 0; i < 40; ++i) l.PushFront(std::to_string(i));
  REQUIRE(l.node_count() == 20);
}

TEST_CASE("list nodes respect a byte fill; an element bigger than a node gets its own", "[list]") {
  List l(-1);  // 4 KiB nodes
  const std::string v(1000, 'x');
  for (int i = 0; i < 8; ++i) l.PushBack(v);
  REQUIRE(l.node_count() == 2);  // 4 elements of ~1 KiB a node
  l.PushBack(std::string(10000, 'y'));
  REQUIRE(l.node_count() == 3);
  l.PushBack("z");
  REQUIRE(l.node_count() == 4);
  REQUIRE(l.At(8).size() == 10000);
  REQUIRE(l.Back() == "z");
}

TEST_CASE("small elements cost two bytes of framing", "[list]") {
  List l;
  for (int i = 0; i < 1000; ++i) l.PushBack("abcdefgh");
  // 10 bytes an element plus a 24-byte header per 8 KiB node.
  REQUIRE(l.MemoryBytes() <= sizeof(List) + 1000 * 10 + 2 * 24);
}

TEST_CASE("cursor walks both ways across nodes", "[list]") {
  List l(2);
  for (int i = 0; i < 7; ++i) l.PushBack(std::to_string(i));
  List::Cursor c = l.CursorAt(3);
  REQUIRE(c.Get() == "3");
  c.Next();
  REQUIRE(c.Get() == "4");
  c.Prev();
  c.Prev();
  REQUIRE(c.Get() == "2");
  REQUIRE(c.index() == 2);
  c.Prev();
  c.Prev();
  c.Prev();
  REQUIRE_FALSE(c.Valid());
  REQUIRE_FALSE(l.CursorAt(7).Valid());
}

TEST_CASE("RemoveEqual from the tail removes the last matches first", "[list]") {
  List l(2);
  for (const char* v : {"a", "b", "a", "c", "a"}) l.PushBack(v);
  REQUIRE(l.RemoveEqual("a", 2, true) == 2);
  REQUIRE(Contents(l) == std::deque<std::string>{"a", "b", "c"});
  REQUIRE(l.RemoveEqual("a", 0, false) == 1);
  REQUIRE(l.RemoveEqual("zz", 0, false) == 0);
  REQUIRE(Contents(l) == std::deque<std::string>{"b", "c"});
}
