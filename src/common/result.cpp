#include "common/result.hpp"

namespace sipline {

const char* to_string(Errc code) noexcept {
  switch (code) {
    case Errc::malformed:
      return "malformed";
    case Errc::limit_exceeded:
      return "limit exceeded";
    case Errc::out_of_range:
      return "out of range";
    case Errc::missing:
      return "missing";
    case Errc::unsupported:
      return "unsupported";
    case Errc::incomplete:
      return "incomplete";
    case Errc::io:
      return "i/o error";
    case Errc::invalid_state:
      return "invalid state";
    case Errc::not_found:
      return "not found";
    case Errc::invalid_argument:
      return "invalid argument";
  }
  return "unknown";
}

}  // namespace sipline
