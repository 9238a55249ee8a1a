#pragma once
// firehose-local assembled: settings -> data directory, delivery, the streams
// found there, metrics, quotas, faults, the APIs and the HTTP server. main()
// adds the command line and signals; tests start one in-process on port 0.
#include <filesystem>
#include <memory>
#include <string>

#include "counters.hpp"
#include "firehose/result.hpp"
#include "live_settings.hpp"
#include "settings.hpp"

namespace firehose::local {

class LocalServer {
 public:
  // Everything is ready and the port is bound when this returns; requests are
  // served once run() is called.
  static Result<std::unique_ptr<LocalServer>> start(Settings settings);
  ~LocalServer();

  int port() const;
  std::string url() const;  // http://127.0.0.1:PORT (https:// with --tls-cert)
  const std::filesystem::path& data_dir() const;
  std::uint64_t seed() const;

  // Serves until shutdown(); then delivers everything buffered and returns.
  void run();
  // From any thread: stop accepting, end stalls and injected latency early.
  void shutdown();

  LiveSettings& settings();
  Counters& counters();

 private:
  struct Parts;
  explicit LocalServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace firehose::local
