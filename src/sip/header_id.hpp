#pragma once
// Known header names as an enum, with compact forms (RFC 3261 §7.3.3, §20).

#include <cstdint>
#include <string_view>

namespace sipline::sip {

enum class HeaderId : std::uint8_t {
  unknown,
  accept,
  accept_encoding,
  accept_language,
  alert_info,
  allow,
  allow_events,
  authentication_info,
  authorization,
  call_id,
  call_info,
  contact,
  content_disposition,
  content_encoding,
  content_language,
  content_length,
  content_type,
  cseq,
  date,
  error_info,
  event,
  expires,
  from,
  in_reply_to,
  max_forwards,
  min_expires,
  mime_version,
  organization,
  path,
  priority,
  proxy_authenticate,
  proxy_authorization,
  proxy_require,
  rack,
  reason,
  record_route,
  refer_to,
  referred_by,
  reply_to,
  require,
  retry_after,
  route,
  rseq,
  server,
  service_route,
  session_expires,
  subject,
  subscription_state,
  supported,
  timestamp,
  to,
  unsupported,
  user_agent,
  via,
  warning,
  www_authenticate,
  // Extensions that have a compact form (RFC 3841, RFC 8224).
  accept_contact,
  identity,
  reject_contact,
  request_disposition,
  count_  // not a header
};

// Case-insensitive lookup of a full or compact name; unknown for anything else.
HeaderId lookup_header(std::string_view name) noexcept;

// Canonical spelling ("Call-ID", "CSeq", "WWW-Authenticate").
std::string_view canonical_name(HeaderId id) noexcept;

}  // namespace sipline::sip
