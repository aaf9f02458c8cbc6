#pragma once
// What `parse_full/sipline` asks of a parsed message: every typed accessor
// that applies to the headers present (shared by sip_bench and
// sip_parse_count, so the benchmark and the instruction count measure the
// same work).

#include <benchmark/benchmark.h>

#include "auth/auth_params.hpp"
#include "auth/challenge.hpp"
#include "sip/message.hpp"

namespace sipline::bench {

namespace sip = sipline::sip;
using sip::HeaderId;

// Calls every typed accessor that applies to the headers present; false if
// any of them rejects its header.
inline bool sipline_decode_all(const sip::Message& m) {
  bool ok = true;
  auto check = [&ok](const auto& result) {
    benchmark::DoNotOptimize(&result);
    ok = ok && result.has_value();
  };
  if (m.count(HeaderId::via) > 0) check(m.vias());
  if (m.count(HeaderId::contact) > 0) {
    auto contacts = m.contacts();
    check(contacts);
    if (contacts) {
      for (const sip::ContactValue& c : *contacts) {
        benchmark::DoNotOptimize(c.expires());
        benchmark::DoNotOptimize(c.q());
      }
    }
  }
  for (HeaderId id :
       {HeaderId::route, HeaderId::record_route, HeaderId::path, HeaderId::service_route}) {
    if (m.count(id) > 0) check(m.name_addrs(id));
  }
  if (m.count(HeaderId::expires) > 0) check(m.expires());
  if (m.count(HeaderId::min_expires) > 0) check(m.min_expires());
  if (m.count(HeaderId::retry_after) > 0) check(m.retry_after());
  for (HeaderId id : {HeaderId::allow, HeaderId::supported, HeaderId::require,
                      HeaderId::unsupported, HeaderId::proxy_require, HeaderId::allow_events}) {
    if (m.count(id) > 0) check(m.tokens(id));
  }
  // Headers without a Message accessor: single name-addrs, and the
  // authentication headers, which the auth layer parses. The field walk is
  // for these alone, so a message without any of them skips it.
  std::size_t others = 0;
  for (HeaderId id :
       {HeaderId::reply_to, HeaderId::refer_to, HeaderId::referred_by, HeaderId::www_authenticate,
        HeaderId::proxy_authenticate, HeaderId::authorization, HeaderId::proxy_authorization}) {
    others += m.count(id);
  }
  if (others == 0) return ok;
  for (const sip::HeaderField& field : m.headers()) {
    switch (field.id) {
      case HeaderId::reply_to:
      case HeaderId::refer_to:
      case HeaderId::referred_by:
        check(sip::parse_name_addr(field.value));
        break;
      case HeaderId::www_authenticate:
      case HeaderId::proxy_authenticate:
        check(sipline::auth::parse_challenge(field.value));
        break;
      case HeaderId::authorization:
      case HeaderId::proxy_authorization:
        check(sipline::auth::split_auth_fields(field.value));
        break;
      default:
        break;
    }
  }
  return ok;
}

}  // namespace sipline::bench
