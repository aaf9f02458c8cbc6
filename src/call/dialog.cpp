#include "call/dialog.hpp"

#include <algorithm>

#include "sip/header_id.hpp"

namespace sipline::call {

namespace {

// A Route value for one Record-Route entry: its name-addr as received, or
// the URI in brackets for the addr-spec form.
std::string route_value(const sip::NameAddr& entry) {
  if (entry.bracketed) return std::string(entry.raw);
  return "<" + std::string(entry.uri.raw) + ">";
}

std::string uri_in(std::string_view route) {
  const auto open = route.find('<');
  const auto close = route.find('>');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::string(route);
  }
  return std::string(route.substr(open + 1, close - open - 1));
}

bool loose(std::string_view route) {
  const std::string text = uri_in(route);  // the parsed Uri views into it
  auto uri = sip::parse_uri(text);
  return uri && uri->param("lr").has_value();
}

std::vector<std::string> record_routes(const sip::Message& message) {
  std::vector<std::string> out;
  auto entries = message.name_addrs(sip::HeaderId::record_route);
  if (!entries) return out;
  for (const auto& e : *entries) out.push_back(route_value(e));
  return out;
}

}  // namespace

std::string contact_uri(const sip::Message& message) {
  auto contacts = message.contacts();
  if (!contacts || contacts->empty() || contacts->front().star) return {};
  return std::string(contacts->front().address.uri.raw);
}

Result<Dialog> Dialog::as_uac(const sip::Message& invite, const sip::Message& response) {
  if (response.to_tag().empty()) return fail(Errc::missing, "response without a To tag");
  Dialog d;
  d.call_id = std::string(invite.call_id());
  d.local_tag = std::string(invite.from_tag());
  d.remote_tag = std::string(response.to_tag());
  d.local_uri = std::string(invite.from().uri.raw);
  d.remote_uri = std::string(invite.to().uri.raw);
  d.local_cseq = invite.cseq().number;
  d.remote_target = contact_uri(response);
  if (d.remote_target.empty()) {
    // §12.1.2 requires a Contact; a 1xx without one still makes an early
    // dialog, aimed at the Request-URI until the 2xx tells us better.
    if (response.status_code() >= 200) return fail(Errc::missing, "2xx without a Contact");
    d.remote_target = std::string(invite.request_uri().raw);
  }
  auto routes = record_routes(response);
  std::reverse(routes.begin(), routes.end());
  d.route_set = std::move(routes);
  d.secure = invite.request_uri().scheme == sip::UriScheme::sips;
  d.early = response.status_code() < 200;
  return d;
}

Result<Dialog> Dialog::as_uas(const sip::Message& invite, std::string local_tag) {
  Dialog d;
  d.call_id = std::string(invite.call_id());
  d.local_tag = std::move(local_tag);
  d.remote_tag = std::string(invite.from_tag());
  d.local_uri = std::string(invite.to().uri.raw);
  d.remote_uri = std::string(invite.from().uri.raw);
  d.remote_cseq = invite.cseq().number;
  d.remote_target = contact_uri(invite);
  if (d.remote_target.empty()) return fail(Errc::missing, "INVITE without a Contact");
  d.route_set = record_routes(invite);  // §12.1.1: in order, not reversed
  d.secure = invite.request_uri().scheme == sip::UriScheme::sips;
  d.early = true;
  return d;
}

bool Dialog::matches_request(const sip::Message& request) const {
  return request.call_id() == call_id && request.to_tag() == local_tag &&
         request.from_tag() == remote_tag;
}

sip::MessageBuilder Dialog::request(sip::Method method) {
  return request_with_cseq(method, ++local_cseq);
}

std::string Dialog::request_uri() const {
  if (!route_set.empty() && !loose(route_set.front())) return uri_in(route_set.front());
  return remote_target;
}

sip::MessageBuilder Dialog::request_with_cseq(sip::Method method, std::uint32_t cseq) const {
  std::string target_uri = remote_target;
  std::vector<std::string> routes = route_set;
  if (!routes.empty() && !loose(routes.front())) {
    // §12.2.1.1 strict router: it becomes the Request-URI, the remote
    // target goes last in Route.
    target_uri = uri_in(routes.front());
    routes.erase(routes.begin());
    routes.push_back("<" + remote_target + ">");
  }
  auto b = sip::MessageBuilder::request(method, target_uri);
  for (const auto& r : routes) b.add(sip::HeaderId::route, r);
  b.add(sip::HeaderId::from, "<" + local_uri + ">;tag=" + local_tag);
  std::string to = "<" + remote_uri + ">";
  if (!remote_tag.empty()) to += ";tag=" + remote_tag;
  b.add(sip::HeaderId::to, to);
  b.add(sip::HeaderId::call_id, call_id);
  b.add(sip::HeaderId::cseq, std::to_string(cseq) + " " + std::string(sip::to_string(method)));
  return b;
}

bool Dialog::accept_remote_cseq(std::uint32_t cseq) {
  if (remote_cseq && cseq < *remote_cseq) return false;
  remote_cseq = cseq;
  return true;
}

void Dialog::refresh_target(const sip::Message& message) {
  std::string contact = contact_uri(message);
  if (!contact.empty()) remote_target = std::move(contact);
}

std::string Dialog::next_hop_uri() const {
  if (!route_set.empty()) return uri_in(route_set.front());
  return remote_target;
}

}  // namespace sipline::call
