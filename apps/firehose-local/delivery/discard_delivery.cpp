#include "delivery/delivery.hpp"

namespace firehose::local {
namespace {

// --sink discard: for measuring the API path alone; records go nowhere.
class DiscardDelivery final : public Delivery {
 public:
  void configure(const StreamDestination&) override {}
  void remove(const std::string&) override {}
  Status accept(const std::string&, const std::vector<std::string_view>&) override { return {}; }
  std::vector<std::string> flush_all() override { return {}; }
  void stop() override {}
};

}  // namespace

std::unique_ptr<Delivery> make_discard_delivery() { return std::make_unique<DiscardDelivery>(); }

}  // namespace firehose::local
