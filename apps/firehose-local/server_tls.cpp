#include "server_tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fmt/format.h>

namespace firehose::local {
namespace {

// Why OpenSSL refused (its first queued error), and the queue emptied.
std::string openssl_reason(std::string_view otherwise) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(otherwise);
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

Result<std::shared_ptr<const TlsContext>> TlsContext::load(const std::filesystem::path& cert,
                                                           const std::filesystem::path& key) {
  const auto refused = [&](std::string_view why) {
    return make_error(
        ErrorKind::Config, "InvalidSetting",
        fmt::format("--tls-cert {} / --tls-key {}: cannot load them: {}", cert.string(), key.string(), why));
  };
  ERR_clear_error();
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) return refused(openssl_reason("cannot make a TLS context"));
  std::shared_ptr<const TlsContext> owned(new TlsContext(context));
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  // Sockets are non-blocking (the gate and the workers poll them): a write may
  // be partial and retried from a moved buffer.
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A client that closes without a close_notify (many do) has closed, not
  // failed: HTTP's own framing says whether an answer or request was whole.
  SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (SSL_CTX_use_certificate_chain_file(context, cert.c_str()) != 1) {
    return refused(openssl_reason("not a PEM certificate"));
  }
  if (SSL_CTX_use_PrivateKey_file(context, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return refused(openssl_reason("not a PEM private key"));
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return refused(openssl_reason("the private key does not match the certificate"));
  }
  return owned;
}

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

}  // namespace firehose::local
