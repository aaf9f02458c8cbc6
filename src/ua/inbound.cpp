#include "ua/inbound.hpp"

#include "sip/header_id.hpp"

namespace sipline::ua {

namespace {
constexpr std::string_view allowed_methods = "OPTIONS";
}

int inbound_status(const sip::Message& request, bool trusted) noexcept {
  if (request.method() == sip::Method::options) return 200;
  if (!trusted) return 403;
  return 501;
}

sip::MessageBuilder inbound_response(const sip::Message& request, bool trusted,
                                     std::string_view to_tag) {
  const int status = inbound_status(request, trusted);
  auto response = sip::response_to(request, status, {}, to_tag);
  // RFC 3261 §11.2: a 200 to OPTIONS lists what we accept; §21.5.2 lets a
  // 501 say the same.
  if (status != 403) response.add(sip::HeaderId::allow, allowed_methods);
  return response;
}

}  // namespace sipline::ua
