#include "modules/client.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace firn {
namespace {

// Appends s as Redis's sdscatrepr does: quoted, with escapes for non-printables.
void AppendRepr(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\a': out->append("\\a"); break;
      case '\b': out->append("\\b"); break;
      default:
        if (std::isprint(c)) {
          out->push_back(static_cast<char>(c));
        } else {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out->append(buf);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

ClientInfo& ClientRegistry::Add() {
  auto client = std::make_unique<ClientInfo>();
  client->id = next_id_++;
  ClientInfo& ref = *client;
  clients_.emplace(ref.id, std::move(client));
  return ref;
}

void ClientRegistry::Remove(ClientInfo& client) {
  SetMonitor(client, false);
  if (current_ == &client) current_ = nullptr;
  if (on_remove_) on_remove_(client);
  clients_.erase(client.id);
}

ClientInfo* ClientRegistry::Find(uint64_t id) {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.get();
}

void ClientRegistry::Wrote(ClientInfo& client, size_t bytes) {
  client.output_buffer_bytes += bytes;
  if (owner_ != nullptr) owner_->OutputReady(client);
}

void ClientRegistry::Send(ClientInfo& client, std::string_view resp) {
  if (client.sink.buffer == nullptr) return;
  client.sink.buffer->append(resp);
  Wrote(client, resp.size());
}

void ClientRegistry::SetMonitor(ClientInfo& client, bool on) {
  client.monitor = on;
  auto it = std::find(monitors_.begin(), monitors_.end(), &client);
  if (on && it == monitors_.end()) {
    monitors_.push_back(&client);
    ++after_command_users_;
  }
  if (!on && it != monitors_.end()) {
    monitors_.erase(it);
    --after_command_users_;
  }
}

void ClientRegistry::FeedMonitors(const ClientInfo& from,
                                  const std::vector<std::string_view>& argv, int64_t now_us) {
  const int64_t us = realtime_us_ != nullptr ? realtime_us_() : now_us;
  char head[64];
  std::snprintf(head, sizeof(head), "+%lld.%06lld [%d ", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000), from.db);
  line_.assign(head);
  // Redis names unix-socket clients "unix:<path>" here; the server names them "<path>:0".
  if (from.fd < 0 && from.addr.size() > 2 &&
      from.addr.compare(from.addr.size() - 2, 2, ":0") == 0) {
    line_.append("unix:").append(from.addr, 0, from.addr.size() - 2);
  } else {
    line_.append(from.addr);
  }
  line_.append("] ");
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) line_.push_back(' ');
    AppendRepr(&line_, argv[i]);
  }
  line_.append("\r\n");
  for (ClientInfo* m : monitors_) {
    if (m != &from) Send(*m, line_);
  }
}

}  // namespace firn
