#pragma once
// Parser limits. Exceeding one is a clean Errc::limit_exceeded error.

#include <cstddef>

#include "sip/uri.hpp"

namespace sipline::sip {

struct Limits {
  std::size_t max_message_size = 65535;  // whole datagram / framed unit
  std::size_t max_header_bytes = 65536;  // stream: bytes before the blank line
  std::size_t max_body_size = 1 << 20;   // stream Content-Length cap
  std::size_t max_headers = 256;         // header fields per message
  std::size_t max_line_length = 8192;    // one (unfolded) header field
  std::size_t max_list_values = 128;     // values in one comma list (Via, Route...)
  UriLimits uri;
};

}  // namespace sipline::sip
