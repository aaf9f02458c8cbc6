#pragma once
// The fast paths of the core fields and the general readings they stand in
// front of, declared apart so that the tests can hold the two against each
// other (tests/unit/sip/fast_path_test.cpp). Internal to the sip layer.

#include <string_view>

#include "common/result.hpp"
#include "sip/grammar.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace sipline::sip::grammar {

// From / To in one walk (name_addr.cpp): `s` trimmed. True with `out` and
// `*tag` (when given and present) filled as parse_name_addr_general fills
// them; false when undecided, `out` then partly written.
bool parse_name_addr_fast(std::string_view s, const UriLimits& limits, NameAddr& out,
                          std::string_view* tag) noexcept;
// Every form of a trimmed name-addr / addr-spec, and the exact errors.
Result<void> parse_name_addr_general(std::string_view s, const UriLimits& limits,
                                     bool require_brackets, NameAddr& out, std::string_view* tag);

// CSeq in its usual form (header_values.cpp): true with `out` filled as
// parse_cseq_general fills it; false when undecided, `out` then unchanged.
bool parse_cseq_fast(std::string_view value, CSeq& out) noexcept;
// parse_cseq and check_call_id without their fast paths (header_values.cpp).
Result<CSeq> parse_cseq_general(std::string_view value);
Fault check_call_id_general(std::string_view value);

}  // namespace sipline::sip::grammar
