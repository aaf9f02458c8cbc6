// Whole-message parsing. The input is one datagram for Message::parse; when it
// parses, every typed accessor runs and the message must serialize back to
// exactly its bytes, parse again to the same thing, and copy faithfully. The
// input is also fed to each header-value grammar directly.
// Invariants: every view lies inside the message's bytes, errors carry a
// reason, limits hold, and nothing depends on the buffer a message lives in.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "sip/builder.hpp"
#include "sip/message.hpp"

namespace {

namespace sip = sipline::sip;
using sip::HeaderId;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

template <class T>
void check_error(const sipline::Result<T>& result) {
  if (!result) check(!result.error().message.empty());
}

void check_name_addr(const sip::NameAddr& na, std::string_view whole) {
  check(inside(na.raw, whole));
  check(inside(na.display_name, whole));
  check(inside(na.uri.raw, whole));
  check(inside(na.uri.user, whole));
  check(inside(na.uri.host(), whole));
  check(inside(na.params.raw(), whole));
  for (const sip::Param& p : na.params) {
    check(inside(p.name, whole));
    check(inside(p.value, whole));
  }
}

void check_via(const sip::Via& via, std::string_view whole) {
  check(inside(via.raw, whole));
  check(inside(via.transport, whole));
  check(inside(via.sent_by.host, whole));
  check(inside(via.branch, whole));
  check(!via.sent_by.port || *via.sent_by.port != 0);
  check(!via.rport_value || via.rport);
  check(!via.keep_value || via.keep);
  check(inside(via.received.value_or(std::string_view{}), whole));
  check(inside(via.maddr.value_or(std::string_view{}), whole));
}

void run_accessors(const sip::Message& m, const sip::Limits& limits) {
  const std::string_view whole = m.bytes();
  check(inside(m.start_line(), whole));
  check(inside(m.body(), whole));
  check(m.body().size() == m.content_length().value_or(m.body().size()));
  check(m.is_request() != m.is_response());
  check(m.is_request() || (m.status_code() >= 100 && m.status_code() <= 699));
  check(m.cseq().number <= 0x7fffffffu);
  check(m.max_forwards().value_or(0) <= 255);
  check(m.headers().size() <= limits.max_headers);
  check_via(m.top_via(), whole);
  check_name_addr(m.from(), whole);
  check_name_addr(m.to(), whole);
  check(inside(m.call_id(), whole));
  check(!m.call_id().empty());
  check(inside(m.from_tag(), whole));
  check(inside(m.to_tag(), whole));
  if (m.is_request()) check(m.cseq().method_text == m.method_text());

  for (const sip::HeaderField& field : m.headers()) {
    check(inside(field.raw, whole));
    check(inside(field.name, whole));
    check(inside(field.value, whole));
    check(field.raw.ends_with("\r\n"));
    check(field.id == sip::lookup_header(field.name));
    check(m.header(field.name).has_value());
    check(m.count(field.id) > 0);
  }
  for (int i = 0; i < static_cast<int>(HeaderId::count_); ++i) {
    const auto id = static_cast<HeaderId>(i);
    check(m.header(id).has_value() == (m.count(id) > 0));
  }

  auto vias = m.vias();
  check_error(vias);
  if (vias) {
    check(!vias->empty() && vias->size() <= limits.max_list_values);
    for (const sip::Via& via : *vias) check_via(via, whole);
    check(vias->front().raw == m.top_via().raw);
  }
  auto contacts = m.contacts();
  check_error(contacts);
  if (contacts) {
    check(contacts->size() <= limits.max_list_values);
    for (const sip::ContactValue& c : *contacts) {
      check_name_addr(c.address, whole);
      const auto q = c.q();
      check(!q || (*q >= 0.0 && *q <= 1.0));
      check(!c.reg_id() || (*c.reg_id() >= 1 && *c.reg_id() <= 0x7fffffffu));
      (void)c.expires();
      (void)c.instance();
    }
  }
  for (HeaderId id :
       {HeaderId::route, HeaderId::record_route, HeaderId::path, HeaderId::service_route,
        HeaderId::reply_to, HeaderId::refer_to, HeaderId::referred_by}) {
    auto list = m.name_addrs(id);
    check_error(list);
    if (list) {
      for (const sip::NameAddr& na : *list) check_name_addr(na, whole);
    }
  }
  for (HeaderId id : {HeaderId::allow, HeaderId::supported, HeaderId::require,
                      HeaderId::unsupported, HeaderId::proxy_require, HeaderId::allow_events}) {
    auto tokens = m.tokens(id);
    check_error(tokens);
    if (tokens) {
      for (std::string_view t : *tokens) check(!t.empty() && inside(t, whole));
    }
  }
  check_error(m.expires());
  check_error(m.min_expires());
  auto retry = m.retry_after();
  check_error(retry);
  if (retry) check(inside(retry->comment, whole));
}

// The value grammars on arbitrary text.
void run_value_grammars(std::string_view text) {
  auto via = sip::parse_via(text);
  check_error(via);
  if (via) check_via(*via, text);
  auto na = sip::parse_name_addr(text);
  check_error(na);
  if (na) check_name_addr(*na, text);
  auto cseq = sip::parse_cseq(text);
  check_error(cseq);
  if (cseq) check(cseq->number <= 0x7fffffffu && inside(cseq->method_text, text));
  auto retry = sip::parse_retry_after(text);
  check_error(retry);
  auto list = sip::split_comma_list(text);
  check_error(list);
  if (list) {
    for (std::string_view element : *list) check(!element.empty() && inside(element, text));
  }
  (void)sip::lookup_header(text);
  (void)sip::method_from(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  run_value_grammars(input);

  const sip::Limits limits;
  auto parsed = sip::Message::parse(input, limits);
  check_error(parsed);
  if (!parsed) return 0;
  const sip::Message& m = *parsed;
  check(m.bytes().size() <= input.size());
  check(input.find(m.bytes()) != std::string::npos);

  const std::string written = sip::serialize(m);
  check(written == m.bytes());
  run_accessors(m, limits);

  auto again = sip::Message::parse(written, limits);
  check(again.has_value());
  check(sip::serialize(*again) == written);
  check(again->headers().size() == m.headers().size());
  check(again->call_id() == m.call_id());
  check(again->from_tag() == m.from_tag());
  check(again->top_via().raw == m.top_via().raw);

  const sip::Message copy = m;
  check(copy.bytes() == m.bytes());
  check(copy.bytes().data() != m.bytes().data());
  check(copy.to_tag() == m.to_tag());
  run_accessors(copy, limits);
  sip::Message moved = std::move(*parsed);
  check(moved.bytes() == written);
  run_accessors(moved, limits);
  return 0;
}
