#include "daemon_locator.hpp"

#include <random>

#include "dns/caching_locator.hpp"
#include "transport/cares_resolver.hpp"
#include "ua/literal_locator.hpp"

namespace sipline::app {

namespace {

// Owns the resolver under the locator; lookups are the inner locator's.
class ResolvingLocator final : public dns::Locator {
 public:
  ResolvingLocator(std::unique_ptr<transport::CaresResolver> resolver, runtime::EventLoop& loop)
      : resolver_(std::move(resolver)), locator_(*resolver_, loop, dns::LocatorOptions{}, [] {
          std::random_device device;
          return (std::uint64_t{device()} << 32) ^ std::uint64_t{device()};
        }) {}

  [[nodiscard]] dns::Lookup locate(const dns::ServerSpec& spec, Callback callback) override {
    return locator_.locate(spec, std::move(callback));
  }

 private:
  // Lookups handed out belong to locator_, never to this object.
  void cancel_operation(std::uint64_t) noexcept override {}
  bool operation_pending(std::uint64_t) const noexcept override { return false; }

  std::unique_ptr<transport::CaresResolver> resolver_;
  dns::CachingLocator locator_;
};

}  // namespace

std::unique_ptr<dns::Locator> make_daemon_locator(
    runtime::EventLoop& loop, const std::vector<std::string>& servers,
    const std::function<void(std::string_view)>& warn) {
  transport::CaresOptions options;
  options.servers = servers;
  auto resolver = transport::CaresResolver::create(loop, options);
  if (!resolver) {
    if (warn)
      warn("DNS resolver unavailable (" + resolver.error().message +
           "): only IP addresses can be used as servers");
    return std::make_unique<ua::LiteralLocator>(loop);
  }
  return std::make_unique<ResolvingLocator>(std::move(*resolver), loop);
}

}  // namespace sipline::app
