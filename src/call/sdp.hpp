#pragma once
// Minimal SDP offer/answer for audio (RFC 4566 syntax, RFC 3264 rules):
// one audio stream with PCMU, PCMA and telephone-event (RFC 4733). Enough
// for a call to be set up correctly with any peer; no media flows yet, so
// the port advertised is only what the configuration (or the default) says.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace sipline::call {

enum class Codec : std::uint8_t { pcmu, pcma, telephone_event };
std::string_view to_string(Codec codec) noexcept;

// What we advertise in our own SDP.
struct LocalMedia {
  std::string address;  // numeric IPv4 or IPv6 address for o= and c=
  std::uint16_t port = 40000;
  std::uint64_t session_id = 1;  // o= sess-id, constant for the call (RFC 4566 §5.2)
  std::uint64_t version = 1;     // o= sess-version; bumped on every new offer/answer
};

// One negotiated format: the payload type number as the offerer wrote it
// (RFC 3264 §6.1: the answer keeps the offer's numbers) and the codec.
struct Format {
  int payload_type = 0;
  Codec codec = Codec::pcmu;
  bool operator==(const Format&) const = default;
};

// The audio stream of a session description, as far as we understand it.
struct AudioStream {
  std::string address;          // from c= (media level, else session level)
  std::uint16_t port = 0;       // 0: the stream is rejected / disabled
  std::vector<Format> formats;  // the formats we know, in the writer's order
  std::string direction;        // sendrecv (the default), sendonly, recvonly or inactive
};

// Parses the first audio m-line. Errc::malformed for text that is not SDP
// (no v=0, a bad m-line), Errc::not_found when there is no audio stream.
Result<AudioStream> parse_audio(std::string_view sdp);

// Our offer: PCMU (0), PCMA (8), telephone-event (101).
std::string build_offer(const LocalMedia& media);

// The answer to `offer` (RFC 3264 §6): one m-line per offered one, the first
// audio stream accepted with the intersection of formats in the offerer's
// order (telephone-event only alongside a voice codec), every other stream
// refused with port 0. The accepted stream's direction mirrors the offered
// one (RFC 3264 §6.1). Errc::unsupported when no voice codec is common (the
// caller answers 488, §6.1), Errc::malformed / not_found as parse_audio().
Result<std::string> build_answer(std::string_view offer, const LocalMedia& media);

// True when `answer` to our offer accepts an audio stream with a voice codec.
bool answer_acceptable(std::string_view answer);

// A new offer for the session `previous` (our current description) from
// another address (RFC 3264 §8): every line as it was, so the m-lines keep
// their number, order, formats and direction, but for the o= line (version
// and address from `media`) and every c= line (its address). A `previous`
// that is not SDP gives a fresh offer, build_offer(media).
std::string reoffer(std::string_view previous, const LocalMedia& media);

}  // namespace sipline::call
