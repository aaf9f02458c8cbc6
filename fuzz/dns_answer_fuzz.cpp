// DNS response handling: the framing walk that finds SRV/NAPTR TTLs and the
// SOA negative TTL (dns::summarize_response, ours), the conversion of a
// response into a dns::Answer (transport::answer_from_response: c-ares'
// record parsers, trusted, plus our glue), and RFC 3263 selection over what
// came out. The first input byte picks the question type, the rest is the
// response.
// Invariants: nothing crashes or hangs; a summary never claims more answer
// records than the header; a positive answer holds only records of its type;
// every address is canonical; selection stays within its bounds.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/answer_reader.hpp"
#include "dns/ip_literal.hpp"
#include "dns/selection.hpp"
#include "transport/cares_resolver.hpp"

namespace {

using namespace sipline;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  constexpr dns::RecordType types[] = {dns::RecordType::a, dns::RecordType::aaaa,
                                       dns::RecordType::srv, dns::RecordType::naptr};
  const dns::RecordType type = types[data[0] % 4];
  const std::span<const std::uint8_t> message(data + 1, size - 1);

  const auto summary = dns::summarize_response(message, dns::type_code(type), 64);
  if (summary) {
    if (summary->answer_ttl) check((*summary->answer_ttl & 0x80000000U) == 0);
    if (summary->negative_ttl) check((*summary->negative_ttl & 0x80000000U) == 0);
  }

  // 0 = ARES_SUCCESS, 4 = ARES_ENOTFOUND, 1 = ARES_ENODATA.
  const int status = (data[0] >> 2) % 3 == 0 ? 0 : ((data[0] >> 2) % 3 == 1 ? 4 : 1);
  const auto answer = transport::answer_from_response(status, message, type);
  if (!answer) return 0;
  check(answer->type == type);
  if (!answer->positive()) {
    check(answer->addresses.empty() && answer->srv.empty() && answer->naptr.empty());
    return 0;
  }
  for (const auto& a : answer->addresses) {
    const auto ip = dns::parse_ip_literal(a.address);
    check(ip.has_value());
    check(dns::to_string(*ip) == a.address);
  }
  check(answer->srv.size() <= 64 && answer->naptr.size() <= 64);

  // Feed the answer to selection as the answer to every question of its type.
  dns::ServerSpec spec;
  spec.host = "example.com";
  dns::SelectionOptions options;
  const dns::AnswerSource source = [&](const dns::Query& q) {
    dns::AnswerView v;
    v.state = dns::AnswerView::State::answered;
    static const dns::Answer none{dns::Answer::Status::nodata, dns::RecordType::a, 0, {}, {}, {}};
    v.answer = q.type == type ? &*answer : &none;
    return v;
  };
  const auto outcome = dns::select_targets(spec, options, source, 1);
  check(outcome.missing.empty());
  check(outcome.targets.size() <= options.max_targets);
  return 0;
}
