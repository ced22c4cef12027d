// TLS for client connections (OpenSSL): the server's context, built from the tls-* settings,
// and one session per connection that encrypts and decrypts in memory.
//
// A session never touches the socket: the server hands it the ciphertext libuv read (Feed),
// takes the plaintext out (Read) into the connection's ordinary read buffer, and gives it the
// replies to encrypt (Write), whose ciphertext (and the handshake's messages) it then writes
// itself (pending). So a TLS connection shares the parser, dispatch, reply and output-limit
// path of a plain one, and the plain path has nothing TLS in it.
//
// Thread-safety: the event loop's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "conf/config.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct bio_st BIO;

namespace firn {

// The server side of TLS as the tls-* settings describe it: certificate and key, the CAs that
// vouch for clients and whether clients must present a certificate (tls-auth-clients), the
// protocol versions and ciphers, and the session cache.
class TlsContext {
 public:
  // Builds a context from cfg, reading its files now. On failure returns nullptr and sets
  // *error to one line naming the setting or file and OpenSSL's reason.
  static std::unique_ptr<TlsContext> Create(const Config& cfg, std::string* error);
  // Sessions made from this context keep it alive (OpenSSL counts references), so a context
  // replaced on reload goes away with its last connection.
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* ssl_ctx() const { return ctx_; }
  // The served certificate's serial number, in hex (for the reload log line).
  const std::string& serial() const { return serial_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
  std::string serial_;
};

// One connection's TLS session, the server side of the handshake.
class TlsSession {
 public:
  // created_ms: when the connection was accepted (for the handshake deadline).
  TlsSession(const TlsContext& context, int64_t created_ms);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Hands the session ciphertext read from the socket. REQUIRES: Read is then called until it
  // returns 0 or less (the bytes are not copied until then).
  void Feed(const char* data, size_t len);
  // Decrypts into buf[0, len): the number of plaintext bytes (> 0); 0 when it needs more
  // ciphertext; -1 when the session is over: the peer closed it (error() is "") or it failed
  // (error() says why: a failed handshake, a refused certificate, a record that is not TLS).
  // A failed handshake may leave an alert in pending() for the peer.
  long Read(char* buf, size_t len);
  // Encrypts plain into pending(). False (error() says why) if the session cannot send.
  bool Write(std::string_view plain);
  // Ciphertext for the socket: handshake messages, records, alerts. The caller writes it and
  // clears what was written.
  std::string& pending() { return pending_; }

  bool handshake_done() const { return handshake_done_; }
  int64_t created_ms() const { return created_ms_; }
  const std::string& error() const { return error_; }
  // Whether the peer presented a certificate the CAs vouched for.
  bool peer_verified() const;
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", once the handshake is done.
  std::string Describe() const;

 private:
  friend struct TlsBio;
  SSL* ssl_;
  // The ciphertext being fed, served by the session's BIO to OpenSSL without a copy; Read
  // returns 0 only once OpenSSL has taken all of it.
  const char* in_ = nullptr;
  size_t in_len_ = 0;
  std::string pending_;
  std::string error_;
  int64_t created_ms_;
  bool handshake_done_ = false;
};

// A connection still in its handshake this long after accept is closed (a client that stalls
// or trickles the handshake holds no connection slot for long).
inline constexpr int64_t kTlsHandshakeTimeoutMs = 10000;

}  // namespace firn
