#pragma once
// The bytes of a record being put: handed over (a string moved in) or
// borrowed (a view, copied in). A borrowed record is copied into the buffer
// of the finished record it reuses, so that a steady stream of put_copy()
// calls allocates nothing per record.
#include <string>
#include <string_view>
#include <utility>

namespace firehose::producer {

class RecordBytes {
 public:
  explicit RecordBytes(std::string&& owned) : owned_(std::move(owned)), borrowed_(false) {}
  explicit RecordBytes(std::string_view borrowed) : view_(borrowed), borrowed_(true) {}

  std::string_view view() const { return borrowed_ ? view_ : std::string_view(owned_); }
  std::size_t size() const { return view().size(); }
  bool empty() const { return size() == 0; }
  // The most the bytes will hold of the heap as a record's data (the memory
  // budget charges it): a string's capacity, or for a copy the largest
  // reused buffer it is put in.
  std::size_t capacity() const { return borrowed_ ? largest_reused(view_.size()) : owned_.capacity(); }

  // Makes them `target`'s contents: moved in, or copied into its buffer
  // unless that is much larger than they need.
  void move_into(std::string& target) {
    if (!borrowed_) {
      target = std::move(owned_);
    } else if (target.capacity() > largest_reused(view_.size())) {
      std::string(view_).swap(target);
    } else {
      target.assign(view_.data(), view_.size());
    }
  }

 private:
  static std::size_t largest_reused(std::size_t size) { return size + size / 8 + 64; }

  std::string owned_;
  std::string_view view_;  // the borrowed bytes
  bool borrowed_;
};

}  // namespace firehose::producer
