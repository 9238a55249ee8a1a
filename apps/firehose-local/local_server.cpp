#include "local_server.hpp"

#include <stdlib.h>

#include <optional>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "console_objects.hpp"
#include "control_api.hpp"
#include "data_dir_lock.hpp"
#include "delivery/delivery.hpp"
#include "faults.hpp"
#include "firehose_api.hpp"
#include "firehose_metrics.hpp"
#include "metrics/cloudwatch_api.hpp"
#include "metrics/metrics_store.hpp"
#include "quota.hpp"
#include "request_auth.hpp"
#include "server.hpp"
#include "stream_registry.hpp"

namespace firehose::local {

// Declared in dependency order: members are destroyed bottom-up, the HTTP
// server (which uses everything else) first.
struct LocalServer::Parts {
  std::optional<DataDirLock> data_dir_lock;  // released last
  Settings startup;
  std::uint64_t seed = 0;
  std::unique_ptr<MetricsStore> metrics_store;
  std::unique_ptr<FirehoseMetrics> metrics;
  std::unique_ptr<RecentObjects> recent_objects;  // for the web console
  std::unique_ptr<Delivery> delivery;
  std::unique_ptr<StreamRegistry> registry;
  std::unique_ptr<LiveSettings> live;
  StreamQuotas quotas;
  std::unique_ptr<FaultInjector> faults;
  Counters counters;
  std::unique_ptr<FirehoseApi> firehose;
  std::unique_ptr<CloudWatchApi> cloudwatch;
  std::unique_ptr<ControlApi> control;
  std::unique_ptr<RequestAuthenticator> authenticator;
  std::unique_ptr<HttpServer> http;
  int port = 0;
};

namespace {

Result<std::filesystem::path> prepare_data_dir(const Settings& settings) {
  std::error_code ec;
  if (!settings.data_dir.empty()) {
    std::filesystem::create_directories(settings.data_dir, ec);
    if (ec) {
      return make_error(ErrorKind::Config, "InvalidSetting",
                        fmt::format("--data-dir: cannot create {}: {}", settings.data_dir.string(), ec.message()));
    }
    return settings.data_dir;
  }
  if (settings.sink == Sink::Discard) return std::filesystem::path();
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "firehose-local-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return make_error(ErrorKind::Config, "InvalidSetting",
                      fmt::format("cannot create a temporary data directory: {}", std::strerror(errno)));
  }
  return std::filesystem::path(pattern);
}

}  // namespace

Result<std::unique_ptr<LocalServer>> LocalServer::start(Settings settings) {
  std::shared_ptr<const TlsContext> tls;  // loaded first: a bad file touches no data directory
  if (!settings.tls_cert.empty()) {
    auto loaded = TlsContext::load(settings.tls_cert, settings.tls_key);
    if (!loaded.ok()) return loaded.error();
    tls = std::move(loaded.value());
  }
  auto parts = std::make_unique<Parts>();
  auto data_dir = prepare_data_dir(settings);
  if (!data_dir.ok()) return data_dir.error();
  settings.data_dir = *data_dir;
  if (!settings.data_dir.empty()) {
    auto lock = DataDirLock::acquire(settings.data_dir);
    if (!lock.ok()) return lock.error();
    parts->data_dir_lock.emplace(std::move(lock.value()));
  }
  parts->seed = settings.seed ? *settings.seed : std::random_device{}() * 0x100000001ULL + std::random_device{}();
  settings.seed = parts->seed;
  parts->startup = settings;

  parts->metrics_store = std::make_unique<MetricsStore>(settings.runtime.metrics_delay);
  parts->metrics = std::make_unique<FirehoseMetrics>(*parts->metrics_store);
  FirehoseMetrics* metrics = parts->metrics.get();
  parts->recent_objects = std::make_unique<RecentObjects>(settings.data_dir);
  RecentObjects* recent = parts->recent_objects.get();
  if (settings.sink == Sink::Discard) {
    parts->delivery = make_discard_delivery();
  } else {
    parts->delivery = make_directory_delivery(settings.data_dir, [metrics, recent](const DeliveredObject& object) {
      const auto now = std::chrono::system_clock::now();
      metrics->delivered(object, now);
      recent->add(object, now);
    });
  }

  parts->registry = std::make_unique<StreamRegistry>(settings.data_dir, settings.account_id, nullptr);
  std::vector<std::string> problems;
  for (const StreamSnapshot& stream : parts->registry->load(problems)) {
    // Spooled records of a stream are delivered once it is configured again.
    parts->delivery->configure(delivery_destination(*stream.definition));
    if (stream.status == StreamStatus::Deleting) parts->delivery->remove(stream.definition->name);
    spdlog::info("stream {} restored ({})", stream.definition->name, to_string(stream.status));
  }
  for (const std::string& problem : problems) spdlog::warn("stream file skipped: {}", problem);

  parts->live = std::make_unique<LiveSettings>(settings);
  MetricsStore* store = parts->metrics_store.get();
  parts->live->on_change([store](const Settings& s) { store->set_visibility_delay(s.runtime.metrics_delay); });
  parts->faults = std::make_unique<FaultInjector>(parts->seed);

  parts->firehose = std::make_unique<FirehoseApi>(
      FirehoseApi::Parts{settings.region, settings.account_id, *parts->live, *parts->registry, *parts->delivery,
                         parts->quotas, *parts->faults, parts->counters, *parts->metrics, nullptr});
  parts->control = std::make_unique<ControlApi>(
      *parts->live, parts->counters, *parts->delivery,
      ConsoleSources{parts->registry.get(), parts->recent_objects.get(), parts->metrics_store.get()});
  parts->authenticator = std::make_unique<RequestAuthenticator>(settings.credentials, settings.region);

  HttpServer::Routes routes;
  FirehoseApi* firehose = parts->firehose.get();
  routes.firehose = [firehose](std::string_view operation, std::string_view body) {
    return firehose->handle(operation, body);
  };
  parts->cloudwatch = std::make_unique<CloudWatchApi>(*parts->metrics_store);
  CloudWatchApi* cloudwatch = parts->cloudwatch.get();
  routes.cloudwatch = [cloudwatch](std::string_view operation, std::string_view body,
                                   std::chrono::system_clock::time_point now) {
    return cloudwatch->handle(operation, body, now);
  };
  routes.control = parts->control.get();
  HttpServer::Options options;
  options.threads = settings.threads;
  options.max_connections = settings.max_connections;
  options.header_timeout = settings.header_timeout;
  options.console_write = settings.console_write;
  options.seed = parts->seed;
  options.tls = std::move(tls);
  parts->http = std::make_unique<HttpServer>(std::move(routes), *parts->authenticator, parts->counters, options);
  auto port = parts->http->bind(settings.host, settings.port);
  if (!port.ok()) return port.error();
  parts->port = *port;
  return std::unique_ptr<LocalServer>(new LocalServer(std::move(parts)));
}

LocalServer::LocalServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

LocalServer::~LocalServer() {
  if (parts_ && parts_->delivery) parts_->delivery->stop();
}

int LocalServer::port() const { return parts_->port; }

std::string LocalServer::url() const {
  const std::string& host = parts_->startup.host;
  const char* scheme = parts_->startup.tls_cert.empty() ? "http" : "https";
  return host.find(':') != std::string::npos ? fmt::format("{}://[{}]:{}", scheme, host, parts_->port)
                                             : fmt::format("{}://{}:{}", scheme, host, parts_->port);
}

const std::filesystem::path& LocalServer::data_dir() const { return parts_->startup.data_dir; }
std::uint64_t LocalServer::seed() const { return parts_->seed; }

void LocalServer::run() {
  parts_->http->run();
  parts_->delivery->flush_all();
}

void LocalServer::shutdown() {
  parts_->faults->interrupt();
  parts_->http->stop();
}

LiveSettings& LocalServer::settings() { return *parts_->live; }
Counters& LocalServer::counters() { return parts_->counters; }

}  // namespace firehose::local
