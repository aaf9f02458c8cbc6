#include "reg/register_request.hpp"

#include <string>

#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace sipline::reg {
namespace {

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// A display name as a quoted-string (RFC 3261 §25.1): '"' and '\' become
// quoted-pairs.
Result<std::string> quoted(std::string_view text) {
  if (has_line_break(text)) return fail(Errc::malformed, "display name holds a line break");
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// The instance URN without decoration: configurations write it bare or in <>.
Result<std::string_view> instance_urn(std::string_view instance) {
  if (instance.size() >= 2 && instance.front() == '<' && instance.back() == '>') {
    instance = instance.substr(1, instance.size() - 2);
  }
  // It goes inside "<...>" in a quoted parameter value (RFC 5626 §4.1).
  if (instance.empty() || instance.find_first_of("\"<>\\ \t\r\n") != std::string_view::npos) {
    return fail(Errc::malformed, "instance id cannot be written as +sip.instance");
  }
  return instance;
}

}  // namespace

std::string contact_uri(std::string_view user, const LocalAddress& address) {
  std::string out = "sip:";
  if (!user.empty()) {
    out += user;
    out += '@';
  }
  const bool ipv6 = address.host.find(':') != std::string::npos;
  if (ipv6) out += '[';
  out += address.host;
  if (ipv6) out += ']';
  out += ':';
  out += std::to_string(address.port);
  switch (address.transport) {
    case sip::TransportKind::udp:
      break;
    case sip::TransportKind::tcp:
      out += ";transport=tcp";
      break;
    case sip::TransportKind::tls:
      out += ";transport=tls";
      break;
  }
  return out;
}

Result<sip::MessageBuilder> build_register(const RegisterRequest& r) {
  if (r.binding == nullptr || r.route == nullptr) {
    return fail(Errc::invalid_state, "REGISTER without a binding or a route");
  }
  const BindingConfig& b = *r.binding;

  auto aor = sip::parse_uri(b.aor);
  if (!aor) return fail(Errc::malformed, "AOR: " + aor.error().message);
  if (aor->scheme != sip::UriScheme::sip && aor->scheme != sip::UriScheme::sips) {
    return fail(Errc::malformed, "AOR is not a SIP or SIPS URI");
  }
  // RFC 3261 §19.1.1 advises against passwords in userinfo; in From and To
  // it would go out in clear text with every request.
  if (aor->password) return fail(Errc::malformed, "AOR holds a password");
  if (b.call_id.empty()) return fail(Errc::malformed, "empty Call-ID");
  if (r.contact.empty()) return fail(Errc::malformed, "empty Contact");

  std::string from;
  if (!b.display_name.empty()) {
    auto name = quoted(b.display_name);
    if (!name) return name.error();
    from = *name + " ";
  }
  from += "<" + b.aor + ">;tag=" + std::string(r.from_tag);

  std::string contact = "<" + std::string(r.contact) + ">";
  if (!b.instance_id.empty()) {
    auto urn = instance_urn(b.instance_id);
    if (!urn) return urn.error();
    contact += ";+sip.instance=\"<" + std::string(*urn) + ">\"";
  }
  if (b.reg_id) contact += ";reg-id=" + std::to_string(*b.reg_id);
  contact += ";expires=" + std::to_string(r.expires);

  auto builder = sip::MessageBuilder::request(sip::Method::register_, r.route->request_uri);
  builder.add(sip::HeaderId::max_forwards, "70");
  for (const std::string& route : r.route->routes) builder.add(sip::HeaderId::route, route);
  builder.add(sip::HeaderId::from, from);
  builder.add(sip::HeaderId::to, "<" + b.aor + ">");
  builder.add(sip::HeaderId::call_id, b.call_id);
  builder.add(sip::HeaderId::cseq, std::to_string(r.cseq) + " REGISTER");
  builder.add(sip::HeaderId::contact, contact);
  if (!r.retired_contact.empty()) {
    builder.add(sip::HeaderId::contact, "<" + std::string(r.retired_contact) + ">;expires=0");
  }
  builder.add(sip::HeaderId::expires, std::to_string(r.expires));
  builder.add(sip::HeaderId::supported, b.reg_id ? "path, outbound" : "path");
  builder.add(sip::HeaderId::allow, kAllowedMethods);
  if (!b.user_agent.empty()) builder.add(sip::HeaderId::user_agent, b.user_agent);
  for (const auth::AuthorizationHeader& h : r.authorization) {
    builder.add(h.origin == auth::ChallengeOrigin::www_authenticate
                    ? sip::HeaderId::authorization
                    : sip::HeaderId::proxy_authorization,
                h.value);
  }

  // Render and parse once with a stand-in Via, so that a configured value
  // the grammar rejects fails here, with its reason, rather than in the
  // sender.
  auto check = builder;
  check.prepend(sip::HeaderId::via, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKcheck");
  auto parsed = check.build();
  if (!parsed) return fail(Errc::malformed, "REGISTER does not parse: " + parsed.error().message);
  // Contact and Route are decoded on demand, so check them explicitly.
  if (auto contacts = parsed->contacts(); !contacts) {
    return fail(Errc::malformed, "REGISTER Contact: " + contacts.error().message);
  }
  if (auto routes = parsed->name_addrs(sip::HeaderId::route); !routes) {
    return fail(Errc::malformed, "REGISTER Route: " + routes.error().message);
  }
  return builder;
}

}  // namespace sipline::reg
