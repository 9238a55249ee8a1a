#pragma once
// simdjson DOM parsers shared by the threads of a process, for the put path's
// JSON (the producer's PutRecordBatch answers, firehose-local's requests).
// A parser keeps buffers sized to the largest document it has read (the
// padded copy, the decoded strings: about twice the document resident), so
// one parser per thread would hold that much per sender or server thread
// for ever. A pool holds only as many as parse at the same moment (parsing
// takes microseconds), each reused.
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <simdjson.h>

namespace firehose::core {

class JsonParsers {
 public:
  // max_depth: deeper documents are refused (simdjson's DEPTH_ERROR).
  explicit JsonParsers(std::size_t max_depth) : max_depth_(max_depth) {}
  JsonParsers(const JsonParsers&) = delete;
  JsonParsers& operator=(const JsonParsers&) = delete;

  // A parser for the caller alone until the lease ends; what it parsed
  // (elements, strings) is valid until then.
  class Lease {
   public:
    Lease(JsonParsers& pool, std::unique_ptr<simdjson::dom::parser> parser)
        : pool_(&pool), parser_(std::move(parser)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (parser_) pool_->give_back(std::move(parser_));
    }
    // Null when memory for a new parser ran out.
    simdjson::dom::parser* get() const { return parser_.get(); }

   private:
    JsonParsers* pool_;
    std::unique_ptr<simdjson::dom::parser> parser_;
  };

  Lease take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto parser = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(parser));
      }
    }
    auto parser = std::make_unique<simdjson::dom::parser>();
    // Allocating now sets the depth limit (a parser that allocates itself on
    // first use takes simdjson's default, 1024); it grows with the documents.
    if (parser->allocate(kInitialCapacity, max_depth_) != simdjson::SUCCESS) parser.reset();
    return Lease(*this, std::move(parser));
  }

 private:
  static constexpr std::size_t kInitialCapacity = 64 * 1024;

  void give_back(std::unique_ptr<simdjson::dom::parser> parser) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(parser));
  }

  const std::size_t max_depth_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> idle_;
};

}  // namespace firehose::core
