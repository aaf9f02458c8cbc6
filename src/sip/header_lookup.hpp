#pragma once
// Header-name lookup for the message parser's field loop: the same exact,
// case-insensitive answer as grammar::lookup_known_header, but allowed to
// read whole eight-byte words of the field the name starts (never beyond
// `readable` bytes from `name`), which spares the byte-by-byte comparison of
// the short names (Via, From, To, CSeq, Call-ID, Contact).

#include <cstddef>

#include "sip/header_id.hpp"

namespace sipline::sip::grammar {

// `name` holds `length` bytes of a field name followed by at least
// `readable - length` more readable bytes of the same field.
HeaderId lookup_field_name(const char* name, std::size_t length, std::size_t readable) noexcept;

}  // namespace sipline::sip::grammar
