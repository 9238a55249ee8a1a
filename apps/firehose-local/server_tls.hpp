#pragma once
// HTTPS for firehose-local: the server's certificate and key, loaded once at
// start-up. Connections speak TLS through the same ConnectionGate and workers
// as plain HTTP (connection_stream.hpp does the per-connection part), so the
// header timeout, the connection cap and every other limit hold over HTTPS.
#include <filesystem>
#include <memory>

#include "firehose/result.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace firehose::local {

class TlsContext {
 public:
  // The PEM certificate (chain) and its private key. Errors: Config,
  // "InvalidSetting", one line naming both files and OpenSSL's reason.
  static Result<std::shared_ptr<const TlsContext>> load(const std::filesystem::path& cert,
                                                        const std::filesystem::path& key);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return context_; }

 private:
  explicit TlsContext(ssl_ctx_st* context) : context_(context) {}
  ssl_ctx_st* context_;
};

}  // namespace firehose::local
