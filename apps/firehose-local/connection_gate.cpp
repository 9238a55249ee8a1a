#include "connection_gate.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/thread_name.hpp"

namespace firehose::local {
namespace {

using Clock = std::chrono::steady_clock;

std::string error_answer(int status, std::string_view reason, std::string_view code, std::string_view message) {
  const std::string body = fmt::format(R"({{"__type":"{}","message":"{}"}})", code, message);
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
      status, reason, body.size(), body);
}

std::string over_cap_answer(std::size_t max_connections) {
  return error_answer(
      503, "Service Unavailable", "ServiceUnavailableException",
      fmt::format("firehose-local has {} connections open, its limit (--max-connections)", max_connections));
}

// Requests start with a method (upper-case letters), after any empty lines.
bool looks_like_http(const std::string& pending) {
  for (const char c : pending) {
    if (c == '\r' || c == '\n') continue;
    return c >= 'A' && c <= 'Z';
  }
  return true;  // nothing but line ends yet
}

}  // namespace

ConnectionGate::ConnectionGate(Options options, Dispatch dispatch) : options_(options), dispatch_(std::move(dispatch)) {
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    wake_pipe_[0] = wake_pipe_[1] = -1;
    setup_errno_ = errno;
  }
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) setup_errno_ = errno;
  if (epoll_fd_ >= 0 && wake_pipe_[0] >= 0) {
    epoll_event wake_event{};
    wake_event.events = EPOLLIN;
    wake_event.data.ptr = nullptr;  // the one entry that is not a connection
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_pipe_[0], &wake_event) != 0) setup_errno_ = errno;
  }
}

ConnectionGate::~ConnectionGate() {
  stop();
  for (const int fd : {wake_pipe_[0], wake_pipe_[1], epoll_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void ConnectionGate::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] {
    core::name_this_thread("local-gate");
    run();
  });
}

void ConnectionGate::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  open_ -= incoming_.size() + waiting_.size();
  incoming_.clear();
  waiting_.clear();
}

void ConnectionGate::admit(int fd) {
  auto connection = std::make_shared<Connection>(fd);
  if (options_.tls != nullptr && !connection->start_tls(options_.tls)) {
    spdlog::error("connection gate: cannot start TLS on a new connection");
    return;  // closed with `connection`
  }
  const std::size_t open = ++open_;
  if (open > options_.max_connections) {
    if (!refusing_logged_.exchange(true)) {
      spdlog::warn("{} connections open (--max-connections): refusing new ones with 503 until some close",
                   options_.max_connections);
    }
    if (connection->tls()) {
      // The 503 can only be said over TLS, after a handshake that must not
      // hold this thread: the gate answers it, a few at a time.
      if (open > options_.max_connections + kTlsRefusalsAtOnce) {
        --open_;
        return;  // closed at once
      }
      connection->over_cap = true;
      connection->request_begun = true;
      connection->deadline = Clock::now() + options_.header_timeout;
      wait(std::move(connection));
      return;
    }
    --open_;
    send_without_waiting(fd, over_cap_answer(options_.max_connections));
    // Read what the client sent meanwhile: closing with unread bytes would
    // reset the connection before it reads the answer.
    ::shutdown(fd, SHUT_WR);
    char sink[4096];
    for (int waits = 0; waits < 10; ++waits) {
      pollfd watched{fd, POLLIN, 0};
      if (::poll(&watched, 1, 10) <= 0) continue;
      if (::recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0) break;
    }
    return;  // closed with `connection`
  }
  if (open < options_.max_connections * 9 / 10) refusing_logged_ = false;
  connection->deadline = Clock::now() + options_.keep_alive;
  wait(std::move(connection));
}

void ConnectionGate::keep(std::shared_ptr<Connection> connection) {
  if (has_whole_header(connection->pending)) {
    // Pipelined: the next request is here already.
    std::unique_lock lock(mutex_);
    if (stopping_) {
      --open_;
      return;
    }
    lock.unlock();
    dispatch_(std::move(connection));
    return;
  }
  connection->request_begun = !connection->pending.empty();
  connection->deadline = Clock::now() + (connection->request_begun ? options_.header_timeout : options_.keep_alive);
  wait(std::move(connection));
}

void ConnectionGate::release() { --open_; }

void ConnectionGate::wait(std::shared_ptr<Connection> connection) {
  bool wake_now = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !started_) {
      --open_;
      return;
    }
    // Armed under the lock, after it is listed: its event finds it in
    // incoming_ (or waiting_), and stop() cannot free it meanwhile.
    Connection& waiting = *connection;
    incoming_.push_back(std::move(connection));
    arm(waiting);
    // What epoll cannot see (bytes OpenSSL holds) or a deadline before the
    // gate's next wake needs the gate thread now.
    wake_now = !waiting.armed || waiting.has_buffered_input() || waiting.deadline < wake_at_;
  }
  if (wake_now) wake();
}

void ConnectionGate::arm(Connection& connection) {
  if (epoll_fd_ < 0) return;
  epoll_event event{};
  event.events = static_cast<std::uint32_t>(connection.wait_events) | EPOLLONESHOT;
  event.data.ptr = &connection;
  const int op = connection.in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(epoll_fd_, op, connection.fd, &event) == 0) {
    connection.in_epoll = true;
    connection.armed = true;
  } else {
    spdlog::error("connection gate: epoll_ctl: {}", std::strerror(errno));
  }
}

void ConnectionGate::leave(Connection& connection) {
  // An armed entry goes out of the epoll set before its connection leaves
  // the gate (to a worker, or closed): left there it would report errors and
  // hang-ups (epoll adds those to any mask, an empty one too) for a
  // connection the gate no longer holds, and close() removes an entry only
  // once no other reference to the socket is open (another thread's
  // getsockname() holds one a moment). An entry whose one-shot event has
  // fired reports nothing until armed again: it stays, and the worker's
  // arm() is one EPOLL_CTL_MOD per request.
  if (!connection.in_epoll || !connection.armed) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection.fd, nullptr);
  connection.in_epoll = false;
  connection.armed = false;
}

void ConnectionGate::wake() {
  if (wake_pipe_[1] < 0) return;
  const char byte = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_pipe_[1], &byte, 1);  // a full pipe wakes the thread already
}

bool ConnectionGate::receive(Connection& connection) {
  if (connection.tls() && !connection.tls_established() && !connection.request_begun) {
    // The handshake's first bytes: the header time starts here.
    connection.request_begun = true;
    connection.deadline = Clock::now() + options_.header_timeout;
  }
  char chunk[16 * 1024];
  while (true) {
    const Transfer received = connection.receive(chunk, sizeof(chunk));
    if (received.status == Transfer::Status::WouldBlock) {
      connection.wait_events = received.wait_for;
      return true;
    }
    if (received.status == Transfer::Status::NotTls) {
      send_without_waiting(connection.fd, error_answer(400, "Bad Request", "SerializationException",
                                                       "firehose-local serves HTTPS on this port (--tls-cert): "
                                                       "use an https:// URL"));
      return false;
    }
    if (received.status != Transfer::Status::Moved) return false;  // closed by the client, or broken
    connection.wait_events = POLLIN;
    connection.pending.append(chunk, received.bytes);
    if (!connection.request_begun) {
      connection.request_begun = true;
      connection.deadline = Clock::now() + options_.header_timeout;
    }
    // A plain socket is read once per wake-up; OpenSSL is read until it has
    // nothing (what it decrypted and holds, epoll would not show).
    if (!connection.tls() || has_whole_header(connection.pending) ||
        connection.pending.size() > options_.max_header_bytes) {
      return true;
    }
  }
}

void ConnectionGate::run() {
  std::vector<epoll_event> events(256);
  int found = 0;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      for (auto& connection : incoming_) waiting_.push_back(std::move(connection));
      incoming_.clear();
      wake_at_ = Clock::time_point::min();  // awake: what is given back now is seen before the next sleep
    }
    // After the lock: each connection named here was listed, and armed, by
    // a thread that held it before.
    for (int i = 0; i < found; ++i) {
      auto* connection = static_cast<Connection*>(events[i].data.ptr);
      if (connection == nullptr) {
        char drain[64];
        while (::read(wake_pipe_[0], drain, sizeof(drain)) > 0) {
        }
        continue;
      }
      connection->armed = false;  // one-shot: this event disarmed it
      connection->ready = true;
    }

    const auto now = Clock::now();
    std::vector<std::shared_ptr<Connection>> kept;
    kept.reserve(waiting_.size());
    for (auto& connection : waiting_) {
      const bool received = connection->ready || connection->has_buffered_input();
      connection->ready = false;
      if (received && !receive(*connection)) {
        leave(*connection);
        --open_;  // closed by the client, or broken
        continue;
      }
      if (!still_waiting(connection, now)) continue;
      // Armed again after its event (or for what it waits for now, over TLS).
      if (received || !connection->armed) arm(*connection);
      kept.push_back(std::move(connection));
    }
    waiting_.swap(kept);
    kept.clear();  // the dropped ones are closed now, before the next wait

    auto next_deadline = now + std::chrono::seconds(1);
    for (const auto& connection : waiting_) next_deadline = std::min(next_deadline, connection->deadline);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (!incoming_.empty()) {
        found = 0;
        continue;  // given back meanwhile: looked at before sleeping
      }
      wake_at_ = next_deadline;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - Clock::now()).count() + 1;
    found = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(std::max<long long>(wait, 0)));
    if (found < 0) {
      if (errno != EINTR) {
        // Said once, and not spun on.
        if (!wait_failure_logged_) spdlog::error("connection gate: epoll_wait: {}", std::strerror(errno));
        wait_failure_logged_ = true;
        ::poll(nullptr, 0, 100);
      }
      found = 0;
    }
  }
}

bool ConnectionGate::still_waiting(std::shared_ptr<Connection>& connection, Clock::time_point now) {
  if (has_whole_header(connection->pending)) {
    leave(*connection);  // a worker's now, or closed
    if (connection->over_cap) {
      send_without_waiting(*connection, over_cap_answer(options_.max_connections));
      --open_;
      return false;
    }
    dispatch_(std::move(connection));
    return false;
  }
  if (!looks_like_http(connection->pending)) {
    leave(*connection);
    // A TLS handshake on a plain port, or anything else that will never end
    // in "\r\n\r\n": answered at once, not after --header-timeout (a TLS
    // client called it a connect timeout instead of a TLS failure).
    send_without_waiting(*connection,
                         error_answer(400, "Bad Request", "SerializationException",
                                      connection->tls() ? "This is not an HTTP request"
                                                        : "This is not an HTTP request (firehose-local speaks "
                                                          "plain HTTP)"));
    --open_;
    return false;
  }
  if (connection->pending.size() > options_.max_header_bytes) {
    leave(*connection);
    send_without_waiting(*connection,
                         error_answer(431, "Request Header Fields Too Large", "SerializationException",
                                      fmt::format("The request header exceeds {} bytes", options_.max_header_bytes)));
    --open_;
    return false;
  }
  if (now >= connection->deadline) {
    leave(*connection);
    if (connection->request_begun) {
      spdlog::debug("dropping a connection whose request header did not arrive in time");
      send_without_waiting(*connection, error_answer(408, "Request Timeout", "RequestTimeoutException",
                                                     "The request header did not arrive in time (--header-timeout)"));
    }
    --open_;
    return false;
  }
  return true;
}

}  // namespace firehose::local
