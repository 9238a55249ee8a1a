#include "connection_stream.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace firehose::local {
namespace {

constexpr std::size_t kReceiveChunk = 16 * 1024;

void describe(const sockaddr_storage& address, socklen_t length, std::string& ip, int& port) {
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof(host), nullptr, 0,
                    NI_NUMERICHOST) != 0) {
    return;
  }
  ip = host;
  if (address.ss_family == AF_INET) port = ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) port = ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
}

}  // namespace

Connection::~Connection() {
  if (fd >= 0) ::close(fd);
}

bool has_whole_header(const std::string& pending) { return pending.find("\r\n\r\n") != std::string::npos; }

ConnectionStream::ConnectionStream(Connection& connection, std::chrono::milliseconds io_timeout,
                                   Clock::time_point request_deadline)
    : connection_(connection), io_timeout_(io_timeout), request_deadline_(request_deadline) {}

ConnectionStream::~ConnectionStream() {
  // What is left belongs to the next request.
  connection_.pending.erase(0, consumed_);
}

void ConnectionStream::limit_further_reads(std::size_t bytes) { read_allowance_ = bytes; }

bool ConnectionStream::wait_for(short events) const {
  const auto now = Clock::now();
  if (now >= request_deadline_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(request_deadline_ - now);
  pollfd watched{connection_.fd, events, 0};
  int ready = 0;
  do {
    ready = ::poll(&watched, 1, static_cast<int>(std::min(left, io_timeout_).count()) + 1);
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

bool ConnectionStream::is_readable() const {
  return consumed_ < connection_.pending.size() || wait_for(POLLIN);
}

bool ConnectionStream::is_writable() const { return wait_for(POLLOUT); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  size = std::min(size, read_allowance_);
  if (size == 0) return -1;
  std::string& pending = connection_.pending;
  if (consumed_ == pending.size()) {
    pending.clear();
    consumed_ = 0;
    if (!wait_for(POLLIN)) return -1;
    char chunk[kReceiveChunk];
    ssize_t received = 0;
    do {
      received = ::recv(connection_.fd, chunk, sizeof(chunk), MSG_DONTWAIT);
    } while (received < 0 && errno == EINTR);
    if (received <= 0) return received;
    pending.append(chunk, static_cast<std::size_t>(received));
  }
  const std::size_t n = std::min(size, pending.size() - consumed_);
  std::memcpy(ptr, pending.data() + consumed_, n);
  consumed_ += n;
  if (read_allowance_ != std::numeric_limits<std::size_t>::max()) read_allowance_ -= n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(connection_.fd, ptr + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(POLLOUT)) return -1;
    } else {
      return -1;
    }
  }
  return static_cast<ssize_t>(sent);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(connection_.fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    describe(address, length, ip, port);
  }
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getsockname(connection_.fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    describe(address, length, ip, port);
  }
}

void send_without_waiting(int fd, std::string_view answer) {
  ssize_t n = 0;
  do {
    n = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
}

void close_after_answer(int fd) {
  constexpr auto kLinger = std::chrono::milliseconds(500);
  constexpr std::size_t kMostDiscarded = 4 * 1024 * 1024;
  ::shutdown(fd, SHUT_WR);
  const auto until = std::chrono::steady_clock::now() + kLinger;
  std::size_t discarded = 0;
  char sink[kReceiveChunk];
  while (discarded < kMostDiscarded) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd watched{fd, POLLIN, 0};
    if (::poll(&watched, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
    if (n <= 0) break;
    discarded += static_cast<std::size_t>(n);
  }
}

}  // namespace firehose::local
