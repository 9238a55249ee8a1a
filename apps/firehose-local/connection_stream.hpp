#pragma once
// One client connection, and the cpp-httplib Stream a worker reads a request
// from and writes its answer to. The connection keeps the bytes received but
// not yet consumed: the connection gate reads a request's header into it
// before a worker is spent on the connection, and bytes of a next
// (pipelined) request stay there when the worker hands it back. Over HTTPS
// the connection's bytes pass through OpenSSL, on the same non-blocking
// socket, so the gate and the workers treat both alike.
#include <poll.h>

#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <string>

#include <httplib.h>

struct ssl_st;      // OpenSSL's SSL
struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace firehose::local {

// What one receive or send without waiting did.
struct Transfer {
  enum class Status {
    Moved,       // `bytes` received or sent
    WouldBlock,  // nothing yet: poll for `wait_for`, then call again
    Closed,      // the client ended the connection
    Failed,      // broken (TLS: a failed handshake or a protocol error)
    NotTls,      // HTTPS only: the client spoke plain HTTP
  };
  Status status = Status::Failed;
  std::size_t bytes = 0;
  short wait_for = 0;
};

struct Connection {
  explicit Connection(int descriptor) : fd(descriptor) {}
  ~Connection();  // TLS: a close_notify, if the handshake was done; then close(fd)
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // HTTPS: from now on the connection speaks TLS (server side) and its socket
  // is non-blocking. False when OpenSSL cannot make the session.
  bool start_tls(ssl_ctx_st* context);
  bool tls() const { return ssl != nullptr; }
  bool tls_established() const;
  // Without waiting; over TLS the handshake comes first, invisibly.
  Transfer receive(char* buffer, std::size_t size);
  Transfer send(const char* data, std::size_t size);
  // Received bytes OpenSSL has decrypted and holds, which epoll cannot see.
  bool has_buffered_input() const;

  int fd = -1;
  ssl_st* ssl = nullptr;       // owned; HTTPS only
  bool tls_broken = false;     // after a fatal TLS error no close_notify may be sent
  short wait_events = POLLIN;  // what the gate waits on the socket for (POLLIN/POLLOUT, as epoll)
  std::string pending;         // received, not yet consumed
  // While the connection waits in the gate: when it is dropped (keep-alive
  // idleness, or the header time limit once a request has begun).
  std::chrono::steady_clock::time_point deadline;
  bool request_begun = false;  // bytes of the next request (over TLS: of the handshake) have arrived
  // The addresses, looked up once: cpp-httplib asks for both on every request.
  std::optional<std::pair<std::string, int>> remote_address;
  std::optional<std::pair<std::string, int>> local_address;
  bool over_cap = false;       // HTTPS over --max-connections: answered 503 once its header is here
  // The gate's epoll state: the socket is in its epoll set (armed or not),
  // is armed now (one event, then disarmed), and has had an event not yet read.
  bool in_epoll = false;
  bool armed = false;
  bool ready = false;
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
  // Reads exactly `length` bytes into `into` (a body whose length is known),
  // the socket's part straight into it in reads as large as what has arrived:
  // cpp-httplib reads a body 4 KiB at a time through a buffer of its own and
  // appends it, two copies of every byte and a call per 4 KiB. False when the
  // connection ends, fails or runs out of time, or the length is over the
  // read limit; what was read is then lost and the connection must close.
  bool read_exactly(char* into, std::size_t length);
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return connection_.fd; }

 private:
  bool wait_for(short events) const;
  // One receive into `into`, waiting while nothing has arrived: Moved, or
  // Closed, or Failed (also when the request's time runs out).
  Transfer receive_in_time(char* into, std::size_t size);

  // Bytes for the worker to read come from connection_.pending (what the
  // gate received) and, once that is used up, from receive_buffer_, which
  // the socket is read into directly in large reads; what is left of it when
  // the request is done goes back to pending for the next request.
  Connection& connection_;
  std::size_t consumed_ = 0;  // of connection_.pending
  std::unique_ptr<char[]> receive_buffer_;
  std::size_t buffer_begin_ = 0;  // unread bytes of receive_buffer_: [begin, end)
  std::size_t buffer_end_ = 0;
  std::chrono::milliseconds io_timeout_;
  Clock::time_point request_deadline_;
  std::size_t read_allowance_ = std::numeric_limits<std::size_t>::max();
};

// Sends what it can of `answer` without blocking (answers written by the gate
// itself, to clients it drops): through TLS on an HTTPS connection (nothing
// before its handshake is done), as it is on a plain one or on a raw socket.
void send_without_waiting(Connection& connection, std::string_view answer);
void send_without_waiting(int fd, std::string_view answer);

// A close that lets the client read our answer: shut our side (TLS: after a
// close_notify), then read and discard what the client still sends for a
// moment, so that closing with unread data does not reset the connection
// before the answer is read.
void close_after_answer(Connection& connection);

}  // namespace firehose::local
