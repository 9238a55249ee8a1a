#include "connection_stream.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

namespace firehose::local {
namespace {

constexpr std::size_t kReceiveChunk = 16 * 1024;
// A worker reads a request body in reads of up to this much, straight into
// its buffer: a PutRecordBatch body is ~700 KB, and 16 KiB reads each behind
// a poll() were a tenth of firehose-local's CPU in system calls. Under
// malloc's mmap threshold (128 KiB), so that a buffer per request is cheap.
constexpr std::size_t kBodyReceiveChunk = 64 * 1024;

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

namespace {

// What an OpenSSL call that returned `result` (not success) means for the caller.
Transfer tls_outcome(SSL* ssl, int result, bool& broken) {
  Transfer out;
  switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
      out.status = Transfer::Status::WouldBlock;
      out.wait_for = POLLIN;
      return out;
    case SSL_ERROR_WANT_WRITE:
      out.status = Transfer::Status::WouldBlock;
      out.wait_for = POLLOUT;
      return out;
    case SSL_ERROR_ZERO_RETURN: out.status = Transfer::Status::Closed; return out;
    case SSL_ERROR_SSL: {
      broken = true;
      const unsigned long code = ERR_peek_error();
      out.status = ERR_GET_REASON(code) == SSL_R_HTTP_REQUEST ? Transfer::Status::NotTls : Transfer::Status::Failed;
      if (spdlog::should_log(spdlog::level::debug)) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof(reason));
        spdlog::debug("TLS connection dropped: {}", reason);  // e.g. the client does not trust the certificate
      }
      ERR_clear_error();
      return out;
    }
    case SSL_ERROR_SYSCALL:
      broken = true;
      out.status = errno == 0 ? Transfer::Status::Closed : Transfer::Status::Failed;  // 0: end of input
      ERR_clear_error();
      return out;
    default:
      broken = true;
      ERR_clear_error();
      return out;
  }
}

}  // namespace

Connection::~Connection() {
  if (ssl != nullptr) {
    ERR_clear_error();
    if (!tls_broken && SSL_is_init_finished(ssl)) SSL_shutdown(ssl);  // one try: the socket does not wait
    SSL_free(ssl);
    ERR_clear_error();  // the queue is the thread's: leave nothing for its next connection
  }
  if (fd >= 0) ::close(fd);
}

bool Connection::start_tls(ssl_ctx_st* context) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return false;
  ssl = SSL_new(context);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    ERR_clear_error();
    return false;
  }
  SSL_set_accept_state(ssl);
  return true;
}

bool Connection::tls_established() const { return ssl != nullptr && SSL_is_init_finished(ssl); }

bool Connection::has_buffered_input() const { return ssl != nullptr && SSL_pending(ssl) > 0; }

Transfer Connection::receive(char* buffer, std::size_t size) {
  Transfer out;
  if (ssl == nullptr) {
    ssize_t n = 0;
    do {
      n = ::recv(fd, buffer, size, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      out.status = Transfer::Status::Moved;
      out.bytes = static_cast<std::size_t>(n);
    } else if (n == 0) {
      out.status = Transfer::Status::Closed;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      out.status = Transfer::Status::WouldBlock;
      out.wait_for = POLLIN;
    }
    return out;
  }
  ERR_clear_error();
  errno = 0;
  std::size_t got = 0;
  const int result = SSL_read_ex(ssl, buffer, size, &got);  // handshakes first while it is not done
  if (result == 1) {
    out.status = Transfer::Status::Moved;
    out.bytes = got;
    return out;
  }
  return tls_outcome(ssl, result, tls_broken);
}

Transfer Connection::send(const char* data, std::size_t size) {
  Transfer out;
  if (ssl == nullptr) {
    ssize_t n = 0;
    do {
      n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
      out.status = Transfer::Status::Moved;
      out.bytes = static_cast<std::size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      out.status = Transfer::Status::WouldBlock;
      out.wait_for = POLLOUT;
    }
    return out;
  }
  ERR_clear_error();
  errno = 0;
  std::size_t sent = 0;
  const int result = SSL_write_ex(ssl, data, size, &sent);
  if (result == 1) {
    out.status = Transfer::Status::Moved;
    out.bytes = sent;
    return out;
  }
  return tls_outcome(ssl, result, tls_broken);
}

bool has_whole_header(const std::string& pending) { return pending.find("\r\n\r\n") != std::string::npos; }

ConnectionStream::ConnectionStream(Connection& connection, std::chrono::milliseconds io_timeout,
                                   Clock::time_point request_deadline)
    : connection_(connection), io_timeout_(io_timeout), request_deadline_(request_deadline) {}

ConnectionStream::~ConnectionStream() {
  // What is left belongs to the next request.
  connection_.pending.erase(0, consumed_);
  if (buffer_begin_ < buffer_end_) {
    connection_.pending.append(receive_buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
  }
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

Transfer ConnectionStream::receive_in_time(char* into, std::size_t size) {
  // Read first and poll only when nothing is there: while a body streams
  // in, a read finds bytes waiting, and a poll() before each was a system
  // call for nothing. The deadline holds as it did with a poll each time.
  while (true) {
    if (Clock::now() >= request_deadline_) return Transfer{};
    const Transfer received = connection_.receive(into, size);
    if (received.status != Transfer::Status::WouldBlock) return received;
    if (!wait_for(received.wait_for)) return Transfer{};
  }
}

bool ConnectionStream::is_readable() const {
  return consumed_ < connection_.pending.size() || buffer_begin_ < buffer_end_ || connection_.has_buffered_input() ||
         wait_for(POLLIN);
}

bool ConnectionStream::is_writable() const { return wait_for(POLLOUT); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  size = std::min(size, read_allowance_);
  if (size == 0) return -1;
  const char* from = nullptr;
  std::size_t available = 0;
  std::string& pending = connection_.pending;
  const bool from_pending = consumed_ < pending.size();
  if (from_pending) {
    from = pending.data() + consumed_;
    available = pending.size() - consumed_;
  } else {
    if (!pending.empty()) {
      pending.clear();
      consumed_ = 0;
    }
    if (buffer_begin_ == buffer_end_) {
      if (!receive_buffer_) receive_buffer_ = std::make_unique_for_overwrite<char[]>(kBodyReceiveChunk);
      const Transfer received = receive_in_time(receive_buffer_.get(), kBodyReceiveChunk);
      if (received.status == Transfer::Status::Closed) return 0;
      if (received.status != Transfer::Status::Moved) return -1;
      buffer_begin_ = 0;
      buffer_end_ = received.bytes;
    }
    from = receive_buffer_.get() + buffer_begin_;
    available = buffer_end_ - buffer_begin_;
  }
  const std::size_t n = std::min(size, available);
  std::memcpy(ptr, from, n);
  (from_pending ? consumed_ : buffer_begin_) += n;
  if (read_allowance_ != std::numeric_limits<std::size_t>::max()) read_allowance_ -= n;
  return static_cast<ssize_t>(n);
}

bool ConnectionStream::read_exactly(char* into, std::size_t length) {
  if (length > read_allowance_) return false;
  std::size_t got = 0;
  const auto take = [&](const char* from, std::size_t available) {
    const std::size_t n = std::min(length - got, available);
    std::memcpy(into + got, from, n);
    got += n;
    return n;
  };
  const std::string& pending = connection_.pending;
  if (consumed_ < pending.size()) consumed_ += take(pending.data() + consumed_, pending.size() - consumed_);
  if (buffer_begin_ < buffer_end_) buffer_begin_ += take(receive_buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_);
  while (got < length) {
    // Never more than the body: what follows it is the next request's.
    const Transfer received = receive_in_time(into + got, length - got);
    if (received.status != Transfer::Status::Moved) return false;
    got += received.bytes;
  }
  if (read_allowance_ != std::numeric_limits<std::size_t>::max()) read_allowance_ -= length;
  return true;
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    const Transfer done = connection_.send(ptr + sent, size - sent);
    if (done.status == Transfer::Status::Moved && done.bytes > 0) {
      sent += done.bytes;
    } else if (done.status == Transfer::Status::WouldBlock) {
      if (!wait_for(done.wait_for)) return -1;
    } else {
      return -1;
    }
  }
  return static_cast<ssize_t>(sent);
}

namespace {

// The socket's address from getpeername or getsockname (`name_of`), looked
// up once per connection: cpp-httplib asks for both on every request.
void cached_address(std::optional<std::pair<std::string, int>>& cache, int fd,
                    int (*name_of)(int, sockaddr*, socklen_t*), std::string& ip, int& port) {
  if (!cache) {
    std::pair<std::string, int> address{std::string(), port};
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (name_of(fd, reinterpret_cast<sockaddr*>(&storage), &length) == 0) {
      describe(storage, length, address.first, address.second);
    }
    if (address.first.empty()) return;  // not known: asked again next time, as before
    cache = std::move(address);
  }
  ip = cache->first;
  port = cache->second;
}

}  // namespace

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  cached_address(connection_.remote_address, connection_.fd, ::getpeername, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  cached_address(connection_.local_address, connection_.fd, ::getsockname, ip, port);
}

void send_without_waiting(Connection& connection, std::string_view answer) {
  if (!connection.tls()) {
    send_without_waiting(connection.fd, answer);
    return;
  }
  if (!connection.tls_established() || connection.tls_broken) return;  // the client could not read it
  while (!answer.empty()) {
    const Transfer done = connection.send(answer.data(), answer.size());
    if (done.status != Transfer::Status::Moved || done.bytes == 0) return;
    answer.remove_prefix(done.bytes);
  }
}

void send_without_waiting(int fd, std::string_view answer) {
  ssize_t n = 0;
  do {
    n = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
}

void close_after_answer(Connection& connection) {
  constexpr auto kLinger = std::chrono::milliseconds(500);
  constexpr std::size_t kMostDiscarded = 4 * 1024 * 1024;
  const int fd = connection.fd;
  if (connection.tls_established() && !connection.tls_broken) {
    ERR_clear_error();
    SSL_shutdown(connection.ssl);  // close_notify: the answer ended where it should
    ERR_clear_error();
    connection.tls_broken = true;  // sent: not again when the connection closes
  }
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
