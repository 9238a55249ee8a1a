#include "server_sockets.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>

namespace firehose::local {
namespace {

struct Endpoint {
  std::string address;
  int port = -1;
};

std::optional<Endpoint> endpoint_of(const sockaddr_storage& storage, socklen_t length) {
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&storage), length, host, sizeof(host), nullptr, 0,
                    NI_NUMERICHOST) != 0) {
    return std::nullopt;
  }
  Endpoint out;
  out.address = host;
  if (storage.ss_family == AF_INET) {
    out.port = ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  } else if (storage.ss_family == AF_INET6) {
    out.port = ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  } else {
    return std::nullopt;
  }
  return out;
}

bool matches(int fd, const std::string& local_addr, int local_port, const std::string& remote_addr, int remote_port) {
  sockaddr_storage local{};
  socklen_t local_length = sizeof(local);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) return false;  // not a socket
  const auto here = endpoint_of(local, local_length);
  if (!here || here->port != local_port || (!local_addr.empty() && here->address != local_addr)) return false;
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof(peer);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return false;  // listening socket
  const auto there = endpoint_of(peer, peer_length);
  return there && there->port == remote_port && there->address == remote_addr;
}

void reset(int fd) {
  // connect(AF_UNSPEC) disconnects a TCP socket: Linux sends an RST right
  // away and the descriptor stays valid (no double close with its owner).
  sockaddr unspecified{};
  unspecified.sa_family = AF_UNSPEC;
  if (::connect(fd, &unspecified, sizeof(unspecified)) == 0) return;
  // Elsewhere: an abortive close on the owner's close(), and no answer meanwhile.
  linger abortive{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
  ::shutdown(fd, SHUT_RDWR);
}

template <class Fn>
void for_each_descriptor(Fn fn) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    const auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (err != std::errc() || end != name.data() + name.size()) continue;
    if (!fn(fd)) return;
  }
}

}  // namespace

bool reset_connection(const std::string& local_addr, int local_port, const std::string& remote_addr, int remote_port) {
  bool found = false;
  for_each_descriptor([&](int fd) {
    if (!matches(fd, local_addr, local_port, remote_addr, remote_port)) return true;
    reset(fd);
    found = true;
    return false;
  });
  return found;
}

void end_connections_after_current_request(int local_port) {
  for_each_descriptor([&](int fd) {
    sockaddr_storage local{};
    socklen_t local_length = sizeof(local);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) return true;
    const auto here = endpoint_of(local, local_length);
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof(peer);
    if (here && here->port == local_port && ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) == 0) {
      ::shutdown(fd, SHUT_RD);
    }
    return true;
  });
}

}  // namespace firehose::local
