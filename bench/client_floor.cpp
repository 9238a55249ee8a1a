// The CPU floor of any Firehose client on this machine: what it costs to do
// only the work no client can skip, for every byte of a file of lines, on one
// thread, with no producer, no HTTP library and no answers to read:
//   read the file -> split lines (with firehose send's line reader) -> base64 each into a PutRecordBatch body
//   (500 records or 4 MiB) -> SHA-256 of the body (SigV4) -> send it over
//   loopback TCP to a sink process that discards it.
// Prints user and sys CPU seconds per GiB of input for each stage added, so
// the producer's figure (bench/producer.sh) can be read against it.
// With --tls CERT KEY the last stage sends over TLS instead (OpenSSL, one
// session, the sink the TLS server): the floor of a client over HTTPS,
// whose only extra work is the record encryption (the handshake is paid once).
// Usage: bench_client_floor FILE [send_chunk_bytes] [--tls CERT KEY]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "line_reader.hpp"  // firehose send's own input framing
#include "protocol/firehose.hpp"

namespace {

struct Cpu {
  double user = 0, sys = 0;
};

Cpu cpu_now() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return {static_cast<double>(r.ru_utime.tv_sec) + static_cast<double>(r.ru_utime.tv_usec) / 1e6,
          static_cast<double>(r.ru_stime.tv_sec) + static_cast<double>(r.ru_stime.tv_usec) / 1e6};
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "bench_client_floor: %s\n", what);
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

// Where the bodies go: a plain socket, or a TLS session over it.
struct Sink {
  int socket = -1;
  SSL* tls = nullptr;

  std::size_t write(const char* data, std::size_t size) const {
    if (tls != nullptr) {
      std::size_t written = 0;
      if (SSL_write_ex(tls, data, size, &written) != 1) die("SSL_write failed");
      return written;
    }
    const ssize_t w = send(socket, data, size, 0);
    if (w <= 0) die("send failed");
    return static_cast<std::size_t>(w);
  }
};

// Accepts one connection and reads it to the end, as a server would (over
// TLS with `cert`/`key`, else plain TCP).
Sink start_sink(int* child, const char* cert, const char* key) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    die("cannot listen on loopback");
  }
  *child = fork();
  if (*child == 0) {
    const int connection = accept(listener, nullptr, nullptr);
    std::vector<char> buffer(1 << 20);
    if (cert != nullptr) {
      SSL_CTX* context = SSL_CTX_new(TLS_server_method());
      if (context == nullptr || SSL_CTX_use_certificate_chain_file(context, cert) != 1 ||
          SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1) {
        die("cannot load the certificate or key");
      }
      SSL* session = SSL_new(context);
      SSL_set_fd(session, connection);
      if (SSL_accept(session) != 1) die("TLS accept failed");
      std::size_t got = 0;
      while (SSL_read_ex(session, buffer.data(), buffer.size(), &got) == 1) {
      }
    } else {
      while (read(connection, buffer.data(), buffer.size()) > 0) {
      }
    }
    _exit(0);
  }
  close(listener);
  Sink sink;
  sink.socket = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(sink.socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("connect failed");
  if (cert != nullptr) {
    // The default suites (TLS 1.3, AES-256-GCM with AES-NI), as libcurl
    // negotiates with firehose-local; the certificate is not checked (a
    // handshake's cost, paid once).
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    if (context == nullptr) die("no TLS client context");
    sink.tls = SSL_new(context);
    SSL_set_fd(sink.tls, sink.socket);
    if (SSL_connect(sink.tls) != 1) die("TLS handshake failed");
  }
  return sink;
}

enum class Stage { kRead, kEncode, kHash, kSend };

// One pass over the file doing the stages up to `last`.
void run(const char* path, Stage last, const Sink& sink, std::size_t chunk, unsigned char* digest_sink) {
  const int fd = open(path, O_RDONLY);
  if (fd < 0) {
    std::perror(path);
    std::exit(1);
  }
  std::string buffer;
  firehose::protocol::PutRecordBatchBody body("bench", std::move(buffer));
  auto ship = [&] {
    if (body.record_count() == 0) return;
    std::string finished = body.finish();
    if (last >= Stage::kHash) digest_sink[0] ^= firehose::aws::crypto::sha256(finished)[0];
    if (last >= Stage::kSend) {
      for (std::size_t sent = 0; sent < finished.size();) {
        sent += sink.write(finished.data() + sent, std::min(chunk, finished.size() - sent));
      }
    }
    body = firehose::protocol::PutRecordBatchBody("bench", std::move(finished));
  };
  auto on_line = [&](std::string_view line) {
    if (last < Stage::kEncode) {
      digest_sink[1] ^= static_cast<unsigned char>(line.size());
      return;
    }
    if (body.record_count() == 500 || body.size_with(line.size()) > 4 * 1024 * 1024) ship();
    body.add(line);
  };
  std::FILE* file = fdopen(fd, "rb");
  firehose::cli::for_each_line(
      file, [] { return false; }, on_line);
  ship();
  std::fclose(file);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<const char*> args(argv + 1, argv + argc);
  const char* cert = nullptr;
  const char* key = nullptr;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (std::strcmp(args[i], "--tls") == 0 && i + 2 < args.size()) {
      cert = args[i + 1];
      key = args[i + 2];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 3);
      break;
    }
  }
  if (args.empty() || args.size() > 2) {
    std::fprintf(stderr, "usage: %s FILE [send_chunk_bytes] [--tls CERT KEY]\n", argv[0]);
    return 2;
  }
  const std::size_t chunk = args.size() > 1 ? std::strtoul(args[1], nullptr, 10) : (4u << 20);
  struct stat st {};
  if (stat(args[0], &st) != 0) die("cannot stat the input file");
  const double gib = static_cast<double>(st.st_size) / (1024.0 * 1024 * 1024);
  int child = 0;
  const Sink sink = start_sink(&child, cert, key);
  unsigned char digest_sink[2] = {};
  const char* names[] = {"read + split lines", "+ base64 into bodies", "+ SHA-256 of each body",
                         cert != nullptr ? "+ send over TLS on loopback" : "+ send over loopback TCP"};
  std::printf("stage\tuser CPU-s/GiB\tsys CPU-s/GiB\ttotal\n");
  for (Stage stage : {Stage::kRead, Stage::kEncode, Stage::kHash, Stage::kSend}) {
    const Cpu before = cpu_now();
    run(args[0], stage, sink, chunk, digest_sink);
    const Cpu after = cpu_now();
    const double user = (after.user - before.user) / gib, sys = (after.sys - before.sys) / gib;
    std::printf("%s\t%.2f\t%.2f\t%.2f\n", names[static_cast<int>(stage)], user, sys, user + sys);
  }
  if (sink.tls != nullptr) SSL_shutdown(sink.tls);
  close(sink.socket);
  waitpid(child, nullptr, 0);
  return digest_sink[0] == 0x5a && digest_sink[1] == 0x5a ? 3 : 0;  // keeps the work observable
}
