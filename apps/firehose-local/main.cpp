// firehose-local: a local Amazon Kinesis Data Firehose endpoint. Prints one
// line with its URL on stdout once it accepts connections; logs go to stderr.
// SIGTERM or SIGINT: stop accepting, deliver every buffered record, exit 0.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/thread_name.hpp"
#include "local_server.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  using namespace firehose::local;
  std::string help;
  auto settings = parse_command_line(argc, argv, help);
  if (!settings.ok()) {
    if (settings.error().code == "Help") {
      std::fputs(help.c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "firehose-local: %s\n", settings.error().message.c_str());
    return 2;
  }

  auto logger = spdlog::stderr_color_mt("firehose-local");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(settings->log_level));

  // Signals are taken by one thread with sigwait(): blocked here, before any
  // thread starts, so that every thread inherits the mask. SIGPIPE is ignored:
  // a client that goes away must not end the server.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  // A PutRecordBatch request takes ~1.3 MB of heap for ~700 KB of body (the
  // body, the decoded records, the answer). With glibc's defaults those pages
  // went back to the kernel after most requests (a heap is trimmed when more
  // than twice the largest block freed so far lies free at its top) and the
  // next request had them faulted in again, zeroed: a fifth of the server's
  // CPU under PutRecordBatch. Now blocks up to twice the largest body read
  // (HttpServer::Options::max_body_bytes, 16 MiB) come from the heaps, and a
  // heap keeps up to 16 MiB free for the next requests.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);

  // Every open connection is a descriptor (--max-connections, 1000 by
  // default): take the hard limit, not the soft one (1024 on many systems).
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }

  auto server = LocalServer::start(std::move(settings.value()));
  if (!server.ok()) {
    std::fprintf(stderr, "firehose-local: %s\n", server.error().message.c_str());
    return 1;
  }
  LocalServer& local = **server;
  spdlog::info("data directory {}, seed {}", local.data_dir().string(), local.seed());

  // Joined, not detached: shutdown() may still be running on it when run()
  // returns, and the server must outlive it (ThreadSanitizer saw the server
  // freed under a detached watcher). When run() ends first, a SIGTERM sent to
  // the watcher itself ends its sigwait().
  std::atomic<bool> run_ended{false};
  std::thread signals([&local, &run_ended, stop_signals] {
    firehose::core::name_this_thread("local-signals");
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (run_ended.load()) return;
    spdlog::info("signal {}: delivering buffered records and stopping", signal_number);
    local.shutdown();
  });

  // The socket is listening already (bound in start()): connections made
  // after this line queue until run() accepts them.
  std::printf("firehose-local listening on %s\n", local.url().c_str());
  std::fflush(stdout);
  local.run();
  run_ended.store(true);
  pthread_kill(signals.native_handle(), SIGTERM);  // blocked: only its sigwait() takes it
  signals.join();
  spdlog::info("stopped");
  return 0;
}
