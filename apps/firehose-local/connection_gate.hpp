#pragma once
// Where connections wait between requests without holding a worker thread.
// cpp-httplib gives every connection a worker for its whole life: 200 clients
// sending their headers a byte a second (slowloris), or idle keep-alive
// connections, left no worker for anyone else. Here one thread watches every
// waiting connection with epoll; a worker is given a connection only once a
// whole request header has arrived, and gets it back after answering.
//
// A connection given back is put in the epoll set by the thread that gives
// it (one-shot: one event, then it is the gate's again): the gate thread
// wakes when its next request arrives, not also to start watching it. With
// poll() it had to be woken for that too: two wakes of the gate per request,
// a sixth of the server's CPU under PutRecordBatch.
//
// Limits: at most `max_connections` open at once (the next is answered 503
// and closed), a request header must arrive within `header_timeout` of its
// first byte and be at most `max_header_bytes`, an idle connection is closed
// after `keep_alive`. Over HTTPS (`tls` set) the gate also runs each TLS
// handshake, without blocking: the header time counts from the handshake's
// first byte, and connections over the cap are told 503 over TLS once their
// request header has arrived (at most kTlsRefusalsAtOnce at a time, the
// rest closed at once).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "connection_stream.hpp"

namespace firehose::local {

class ConnectionGate {
 public:
  struct Options {
    std::size_t max_connections = 1000;
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds keep_alive{std::chrono::seconds(15)};
    std::size_t max_header_bytes = 64 * 1024;
    ssl_ctx_st* tls = nullptr;  // HTTPS: the server's certificate and key; null: plain HTTP
  };
  static constexpr std::size_t kTlsRefusalsAtOnce = 64;
  // Runs a connection whose request header has arrived (on a worker).
  using Dispatch = std::function<void(std::shared_ptr<Connection>)>;

  ConnectionGate(Options options, Dispatch dispatch);
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Why its pipe or epoll instance could not be made (out of descriptors),
  // 0 when both were: without them the server cannot watch connections.
  int setup_errno() const { return setup_errno_; }
  void start();
  // Closes every waiting connection; later ones are closed at once.
  void stop();

  // A new connection (any thread).
  void admit(int fd);
  // A connection whose request was answered: waits for the next one.
  void keep(std::shared_ptr<Connection> connection);
  // A connection done with (the caller's reference closes it when dropped).
  void release();

  std::size_t open_connections() const { return open_.load(); }

 private:
  void run();
  void wait(std::shared_ptr<Connection> connection);
  // Watches the connection for its wait_events, once (EPOLLONESHOT); leave()
  // takes it out of the epoll set before it leaves the gate.
  void arm(Connection& connection);
  void leave(Connection& connection);
  // False when the connection is to be dropped.
  bool receive(Connection& connection);
  // Drops, refuses or dispatches a connection after a receive; false when it is gone from the gate.
  bool still_waiting(std::shared_ptr<Connection>& connection, std::chrono::steady_clock::time_point now);
  void wake();

  Options options_;
  Dispatch dispatch_;
  std::atomic<std::size_t> open_{0};
  std::atomic<bool> refusing_logged_{false};
  int wake_pipe_[2] = {-1, -1};
  int epoll_fd_ = -1;
  int setup_errno_ = 0;

  std::mutex mutex_;  // guards incoming_, stopping_ and wake_at_
  std::vector<std::shared_ptr<Connection>> incoming_;
  bool stopping_ = false;
  bool started_ = false;
  // When the gate thread wakes next without an event: a connection given
  // back with an earlier deadline wakes it.
  std::chrono::steady_clock::time_point wake_at_ = std::chrono::steady_clock::time_point::max();

  std::vector<std::shared_ptr<Connection>> waiting_;  // the gate thread's own
  bool wait_failure_logged_ = false;                  // the gate thread's own
  std::thread thread_;
};

}  // namespace firehose::local
