// The keyspace's one observer slot, shared: the engine's listeners to the mutation signal
// (storage/observer.h) each take a fixed slot here, and the fan-out installs on the keyspace
// only what is needed. With no listener the keyspace holds nullptr, so a write costs the one
// branch MutationSignal already pays; with one listener, that listener itself (no extra
// call); with more, the fan-out, which calls them in slot order.
//
// A listener may leave or join from inside its own OnKeyEvent (WATCH drops its last key while
// handling a write): the slots are a fixed array and the signal reads its observer once per
// event, so no iteration is invalidated.
//
// Thread-safety: loop thread only, as the rest of the engine.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "storage/keyspace.h"
#include "storage/observer.h"

namespace firn {

class KeyspaceFanout : public KeyspaceObserver {
 public:
  // The listeners, in the order they hear an event.
  enum Slot : size_t { kJournal = 0, kWatch, kNotify, kBlocking, kTracking, kSlots };

  explicit KeyspaceFanout(Keyspace& keyspace) : keyspace_(keyspace) {}
  KeyspaceFanout(const KeyspaceFanout&) = delete;
  KeyspaceFanout& operator=(const KeyspaceFanout&) = delete;
  // The listeners go before the keyspace: the keyspace must not call them afterwards.
  ~KeyspaceFanout() override { keyspace_.set_observer(nullptr); }

  // Puts observer in slot (nullptr empties it). REQUIRES: observer outlives its slot.
  void Set(Slot slot, KeyspaceObserver* observer) {
    if (slots_[slot] == observer) return;
    slots_[slot] = observer;
    KeyspaceObserver* only = nullptr;
    size_t count = 0;
    for (KeyspaceObserver* o : slots_) {
      if (o != nullptr) {
        only = o;
        ++count;
      }
    }
    keyspace_.set_observer(count == 0 ? nullptr : count == 1 ? only : this);
  }
  KeyspaceObserver* Get(Slot slot) const { return slots_[slot]; }

  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override {
    for (size_t i = 0; i < kSlots; ++i) {
      if (slots_[i] != nullptr) slots_[i]->OnKeyEvent(db, key, event);
    }
  }

 private:
  Keyspace& keyspace_;
  std::array<KeyspaceObserver*, kSlots> slots_{};
};

}  // namespace firn
