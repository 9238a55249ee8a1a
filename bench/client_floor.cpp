// The CPU floor of any Firehose client on this machine: what it costs to do
// only the work no client can skip, for every byte of a file of lines, on one
// thread, with no producer, no HTTP library and no answers to read:
//   read the file -> split lines (with firehose send's line reader) -> base64 each into a PutRecordBatch body
//   (500 records or 4 MiB) -> SHA-256 of the body (SigV4) -> send it over
//   loopback TCP to a sink process that discards it.
// Prints user and sys CPU seconds per GiB of input for each stage added, so
// the producer's figure (bench/producer.sh) can be read against it.
// Usage: bench_client_floor FILE [send_chunk_bytes]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
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

// Accepts one connection and reads it to the end, as a server would.
int start_sink(int* child) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("sink");
    std::exit(1);
  }
  *child = fork();
  if (*child == 0) {
    const int connection = accept(listener, nullptr, nullptr);
    std::vector<char> buffer(1 << 20);
    while (read(connection, buffer.data(), buffer.size()) > 0) {
    }
    _exit(0);
  }
  close(listener);
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  return s;
}

enum class Stage { kRead, kEncode, kHash, kSend };

// One pass over the file doing the stages up to `last`.
void run(const char* path, Stage last, int sink, std::size_t chunk, unsigned char* digest_sink) {
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
        const std::size_t n = std::min(chunk, finished.size() - sent);
        const ssize_t w = send(sink, finished.data() + sent, n, 0);
        if (w <= 0) {
          std::perror("send");
          std::exit(1);
        }
        sent += static_cast<std::size_t>(w);
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
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [send_chunk_bytes]\n", argv[0]);
    return 2;
  }
  const std::size_t chunk = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : (4u << 20);
  struct stat st {};
  stat(argv[1], &st);
  const double gib = static_cast<double>(st.st_size) / (1024.0 * 1024 * 1024);
  int child = 0;
  const int sink = start_sink(&child);
  unsigned char digest_sink[2] = {};
  const char* names[] = {"read + split lines", "+ base64 into bodies", "+ SHA-256 of each body",
                         "+ send over loopback TCP"};
  std::printf("stage\tuser CPU-s/GiB\tsys CPU-s/GiB\ttotal\n");
  for (Stage stage : {Stage::kRead, Stage::kEncode, Stage::kHash, Stage::kSend}) {
    const Cpu before = cpu_now();
    run(argv[1], stage, sink, chunk, digest_sink);
    const Cpu after = cpu_now();
    const double user = (after.user - before.user) / gib, sys = (after.sys - before.sys) / gib;
    std::printf("%s\t%.2f\t%.2f\t%.2f\n", names[static_cast<int>(stage)], user, sys, user + sys);
  }
  close(sink);
  waitpid(child, nullptr, 0);
  return digest_sink[0] == 0x5a && digest_sink[1] == 0x5a ? 3 : 0;  // keeps the work observable
}
