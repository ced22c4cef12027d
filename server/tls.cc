// TLS sessions in memory, on OpenSSL.
//
// Why memory and not SSL_set_fd: libuv owns every client socket (uv_tcp_t), reads it into
// the connection's buffer and writes it with uv_try_write / uv_write. Handing the fd to
// OpenSSL as well would need a second watcher on it (uv_poll) and a read and write path of its
// own for TLS connections. Instead each session has one BIO of its own kind (TlsBio below):
// OpenSSL reads the ciphertext libuv just read straight from libuv's buffer (Feed, no copy),
// and what OpenSSL writes (records, handshake messages, alerts) is appended to the session's
// pending string, which the server writes to the socket as it writes replies. The cost is one
// copy of outgoing ciphertext into that string, against the kernel copy SSL_write to an fd
// does; nothing is added to the plain path.
//
// Memory: SSL_MODE_RELEASE_BUFFERS gives OpenSSL's record buffers (about 34 KiB a session)
// back when they are empty, so an idle TLS connection costs its SSL object (a few KiB), not
// its buffers.
//
// Security settings, as Redis's: SSLv2/SSLv3, compression and renegotiation off (a client
// asking to renegotiate a TLSv1.2 session gets a no_renegotiation alert and, if it insists,
// a failed session); tls-protocols picks the versions; the session cache is the server's own,
// and off with tickets when tls-session-caching is no.
#include "server/tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <sstream>

namespace firn {

namespace {

// OpenSSL's reasons queued for this thread, "; "-joined (the last error usually says most).
std::string OpenSslErrors() {
  std::string out;
  for (unsigned long e; (e = ERR_get_error()) != 0;) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown error" : out;
}

// The passphrase for an encrypted key file (OpenSSL's pem_password_cb).
int PassphraseCb(char* buf, int size, int /*rwflag*/, void* user) {
  const auto* pass = static_cast<const std::string*>(user);
  if (pass == nullptr || size <= 0) return 0;
  const int n = static_cast<int>(std::min<size_t>(pass->size(), static_cast<size_t>(size)));
  std::memcpy(buf, pass->data(), static_cast<size_t>(n));
  return n;
}

// tls-protocols: the SSL_OP_NO_* options that leave only the listed versions; "" is TLSv1.2
// and TLSv1.3. Words are matched case-insensitively; false for an unknown word or none listed.
bool ProtocolOptions(std::string_view text, uint64_t* disable) {
  constexpr struct {
    std::string_view name;
    uint64_t no_flag;
  } kVersions[] = {
      {"tlsv1", SSL_OP_NO_TLSv1},
      {"tlsv1.1", SSL_OP_NO_TLSv1_1},
      {"tlsv1.2", SSL_OP_NO_TLSv1_2},
      {"tlsv1.3", SSL_OP_NO_TLSv1_3},
  };
  uint64_t allowed = 0;
  std::istringstream in{std::string(text)};
  bool any = false;
  for (std::string word; in >> word;) {
    any = true;
    for (char& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto* v = std::find_if(std::begin(kVersions), std::end(kVersions),
                                 [&](const auto& k) { return k.name == word; });
    if (v == std::end(kVersions)) return false;
    allowed |= v->no_flag;
  }
  if (!any) allowed = SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3;
  *disable = 0;
  for (const auto& v : kVersions) {
    if ((allowed & v.no_flag) == 0) *disable |= v.no_flag;
  }
  return true;
}

// Loads a certificate chain and its key into ctx; "" on success, else the reason.
std::string LoadKeyPair(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file,
                        const std::string& pass) {
  SSL_CTX_set_default_passwd_cb(ctx, PassphraseCb);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&pass));
  std::string error;
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) <= 0) {
    error = "Failed to load certificate: " + cert_file + ": " + OpenSslErrors();
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) <= 0) {
    error = "Failed to load private key: " + key_file + ": " + OpenSslErrors();
  } else if (SSL_CTX_check_private_key(ctx) <= 0) {
    error = "The private key " + key_file + " does not match the certificate " + cert_file +
            ": " + OpenSslErrors();
  }
  // The passphrase is not kept: cfg may go away.
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  return error;
}

std::string SerialOf(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "";
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
  if (bn == nullptr) return "";
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

// Everything but the key pair; "" on success.
std::string Configure(SSL_CTX* ctx, const Config& cfg) {
  uint64_t no_versions = 0;
  if (!ProtocolOptions(cfg.tls_protocols, &no_versions)) {
    return "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', "
           "'TLSv1.2' and 'TLSv1.3'.";
  }
  uint64_t options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION |
                     SSL_OP_NO_RENEGOTIATION | no_versions;
  if (cfg.tls_prefer_server_ciphers) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  if (!cfg.tls_session_caching) options |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx, options);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

  if (cfg.tls_session_caching) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    if (cfg.tls_session_cache_size > 0) SSL_CTX_sess_set_cache_size(ctx, cfg.tls_session_cache_size);
    if (cfg.tls_session_cache_timeout > 0) SSL_CTX_set_timeout(ctx, cfg.tls_session_cache_timeout);
    static const unsigned char kSessionContext[] = "firn";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }

  if (cfg.tls_cert_file.empty()) return "No tls-cert-file configured!";
  if (cfg.tls_key_file.empty()) return "No tls-key-file configured!";
  if (std::string e = LoadKeyPair(ctx, cfg.tls_cert_file, cfg.tls_key_file, cfg.tls_key_file_pass);
      !e.empty()) {
    return e;
  }

  const bool have_ca = !cfg.tls_ca_cert_file.empty() || !cfg.tls_ca_cert_dir.empty();
  if (cfg.tls_auth_clients != TlsAuthClients::kNo && !have_ca) {
    return "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients "
           "is enabled!";
  }
  if (have_ca &&
      SSL_CTX_load_verify_locations(
          ctx, cfg.tls_ca_cert_file.empty() ? nullptr : cfg.tls_ca_cert_file.c_str(),
          cfg.tls_ca_cert_dir.empty() ? nullptr : cfg.tls_ca_cert_dir.c_str()) <= 0) {
    return "Failed to configure CA certificate(s) file/directory: " + OpenSslErrors();
  }
  int verify = SSL_VERIFY_NONE;
  if (cfg.tls_auth_clients == TlsAuthClients::kYes) {
    verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  } else if (cfg.tls_auth_clients == TlsAuthClients::kOptional) {
    verify = SSL_VERIFY_PEER;
  }
  SSL_CTX_set_verify(ctx, verify, nullptr);

  if (!cfg.tls_ciphers.empty() && SSL_CTX_set_cipher_list(ctx, cfg.tls_ciphers.c_str()) <= 0) {
    return "Failed to configure ciphers: " + OpenSslErrors();
  }
  if (!cfg.tls_ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx, cfg.tls_ciphersuites.c_str()) <= 0) {
    return "Failed to configure ciphersuites: " + OpenSslErrors();
  }

  if (!cfg.tls_dh_params_file.empty()) {
    BIO* file = BIO_new_file(cfg.tls_dh_params_file.c_str(), "r");
    EVP_PKEY* dh = file != nullptr ? PEM_read_bio_Parameters(file, nullptr) : nullptr;
    BIO_free(file);
    if (dh == nullptr || SSL_CTX_set0_tmp_dh_pkey(ctx, dh) <= 0) {
      EVP_PKEY_free(dh);
      return "Failed to load DH parameters: " + cfg.tls_dh_params_file + ": " + OpenSslErrors();
    }
  } else {
    SSL_CTX_set_dh_auto(ctx, 1);
  }

  // Redis's certificate for its outgoing connections: Firn opens none, but a file that would
  // not load is refused as Redis refuses it.
  if (!cfg.tls_client_cert_file.empty() || !cfg.tls_client_key_file.empty()) {
    SSL_CTX* client = SSL_CTX_new(TLS_client_method());
    std::string e = client == nullptr ? OpenSslErrors()
                                      : LoadKeyPair(client, cfg.tls_client_cert_file,
                                                    cfg.tls_client_key_file,
                                                    cfg.tls_client_key_file_pass);
    SSL_CTX_free(client);
    if (!e.empty()) return "tls-client-cert-file/tls-client-key-file: " + e;
  }
  return "";
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::Create(const Config& cfg, std::string* error) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    *error = "Failed to create the TLS context: " + OpenSslErrors();
    return nullptr;
  }
  if (std::string e = Configure(ctx, cfg); !e.empty()) {
    SSL_CTX_free(ctx);
    ERR_clear_error();
    *error = std::move(e);
    return nullptr;
  }
  std::unique_ptr<TlsContext> context(new TlsContext(ctx));
  context->serial_ = SerialOf(ctx);
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

// The session's BIO: reads come from the bytes being fed, writes go to pending_.
struct TlsBio {
  static TlsSession* Of(BIO* b) { return static_cast<TlsSession*>(BIO_get_data(b)); }

  static int Write(BIO* b, const char* data, int len) {
    BIO_clear_retry_flags(b);
    if (len <= 0) return 0;
    Of(b)->pending_.append(data, static_cast<size_t>(len));
    return len;
  }

  static int Read(BIO* b, char* out, int len) {
    BIO_clear_retry_flags(b);
    TlsSession* s = Of(b);
    if (s->in_len_ == 0) {
      BIO_set_retry_read(b);  // not the end of the stream: more may come
      return -1;
    }
    const size_t n = std::min(static_cast<size_t>(std::max(len, 0)), s->in_len_);
    std::memcpy(out, s->in_, n);
    s->in_ += n;
    s->in_len_ -= n;
    return static_cast<int>(n);
  }

  static long Ctrl(BIO* b, int cmd, long /*num*/, void* /*ptr*/) {
    switch (cmd) {
      case BIO_CTRL_FLUSH:
        return 1;
      case BIO_CTRL_PENDING:
        return static_cast<long>(Of(b)->in_len_);
      default:
        return 0;
    }
  }

  static int Create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }

  static BIO_METHOD* Method() {
    static BIO_METHOD* method = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "firn-memory");
      BIO_meth_set_write(m, Write);
      BIO_meth_set_read(m, Read);
      BIO_meth_set_ctrl(m, Ctrl);
      BIO_meth_set_create(m, Create);
      return m;
    }();
    return method;
  }
};

TlsSession::TlsSession(const TlsContext& context, int64_t created_ms)
    : ssl_(SSL_new(context.ssl_ctx())), created_ms_(created_ms) {
  BIO* bio = BIO_new(TlsBio::Method());
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one reference, owned by ssl_
  SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

void TlsSession::Feed(const char* data, size_t len) {
  in_ = data;
  in_len_ = len;
}

long TlsSession::Read(char* buf, size_t len) {
  ERR_clear_error();
  const int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(len, INT_MAX)));
  if (n > 0) {
    handshake_done_ = true;
    return n;
  }
  const int e = SSL_get_error(ssl_, n);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    if (!handshake_done_ && SSL_is_init_finished(ssl_)) handshake_done_ = true;
    in_ = nullptr;  // everything fed was taken (the BIO said "retry" only once it ran out)
    in_len_ = 0;
    return 0;
  }
  in_ = nullptr;
  in_len_ = 0;
  if (e == SSL_ERROR_ZERO_RETURN) {
    error_.clear();
  } else if (e == SSL_ERROR_SSL) {
    error_ = OpenSslErrors();
  } else {
    error_ = "TLS error " + std::to_string(e);
  }
  return -1;
}

bool TlsSession::Write(std::string_view plain) {
  while (!plain.empty()) {
    ERR_clear_error();
    const int chunk = static_cast<int>(std::min<size_t>(plain.size(), 1u << 30));
    const int n = SSL_write(ssl_, plain.data(), chunk);
    if (n <= 0) {
      error_ = SSL_get_error(ssl_, n) == SSL_ERROR_SSL ? OpenSslErrors()
                                                       : "the TLS session cannot send";
      return false;
    }
    plain.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TlsSession::peer_verified() const {
  return SSL_get0_peer_certificate(ssl_) != nullptr && SSL_get_verify_result(ssl_) == X509_V_OK;
}

std::string TlsSession::Describe() const {
  return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

}  // namespace firn
