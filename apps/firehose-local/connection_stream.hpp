#pragma once
// One client connection, and the cpp-httplib Stream a worker reads a request
// from and writes its answer to. The connection keeps the bytes received but
// not yet consumed: the connection gate reads a request's header into it
// before a worker is spent on the connection, and bytes of a next
// (pipelined) request stay there when the worker hands it back.
#include <chrono>
#include <cstddef>
#include <limits>
#include <string>

#include <httplib.h>

namespace firehose::local {

struct Connection {
  explicit Connection(int descriptor) : fd(descriptor) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd = -1;
  std::string pending;  // received, not yet consumed
  // While the connection waits in the gate: when it is dropped (keep-alive
  // idleness, or the header time limit once a request has begun).
  std::chrono::steady_clock::time_point deadline;
  bool request_begun = false;  // bytes of the next request have arrived
};

// The end of the request header ("\r\n\r\n") is in `pending`.
bool has_whole_header(const std::string& pending);

class ConnectionStream final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;
  // Every read and write waits at most `io_timeout`, and none goes on past
  // `request_deadline` (a client sending its body a byte a minute cannot
  // hold a worker for ever).
  ConnectionStream(Connection& connection, std::chrono::milliseconds io_timeout, Clock::time_point request_deadline);
  ~ConnectionStream() override;

  // From now on at most `bytes` more are read (the body's limit: a chunked
  // body has no Content-Length to refuse up front); reads beyond fail.
  void limit_further_reads(std::size_t bytes);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return connection_.fd; }

 private:
  bool wait_for(short events) const;

  Connection& connection_;
  std::size_t consumed_ = 0;  // of connection_.pending
  std::chrono::milliseconds io_timeout_;
  Clock::time_point request_deadline_;
  std::size_t read_allowance_ = std::numeric_limits<std::size_t>::max();
};

// Sends what it can of `answer` without blocking (answers written by the gate
// itself, to clients it drops).
void send_without_waiting(int fd, std::string_view answer);

// A close that lets the client read our answer: shut our side, then read and
// discard what the client still sends for a moment, so that closing with
// unread data does not reset the connection before the answer is read.
void close_after_answer(int fd);

}  // namespace firehose::local
