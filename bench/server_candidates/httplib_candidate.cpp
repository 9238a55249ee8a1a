// Candidate HTTP server for firehose-local: cpp-httplib (thread per connection from a pool).
#include <cstdio>
#include <cstdlib>

#include <httplib.h>

#include "put_record_batch_handler.hpp"

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 64;
  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  server.set_keep_alive_max_count(1'000'000);
  server.Post("/", [](const httplib::Request& req, httplib::Response& res) {
    auto [status, body] = bench::handle_put_record_batch(req.body);
    res.status = status;
    res.set_content(std::move(body), "application/x-amz-json-1.1");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::printf("http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
}
