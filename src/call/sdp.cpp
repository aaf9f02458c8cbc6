#include "call/sdp.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace sipline::call {

namespace {

constexpr int telephone_event_pt = 101;

struct MediaLine {
  std::string media;  // "audio", "video"...
  std::uint16_t port = 0;
  std::string proto;
  std::vector<std::string> formats;
  std::string connection;                            // media-level c= address
  std::vector<std::pair<int, std::string>> rtpmaps;  // pt -> encoding name (lower case)
  std::string direction;  // media-level a=sendrecv/sendonly/recvonly/inactive, or empty
};

bool is_direction(std::string_view value) {
  return value == "sendrecv" || value == "sendonly" || value == "recvonly" || value == "inactive";
}

// RFC 3264 §6.1: the answer's direction mirrors the offer's (sendonly is
// answered recvonly, recvonly sendonly, inactive inactive); RFC 4566 §6:
// no attribute means sendrecv.
std::string answer_direction(std::string_view offered) {
  if (offered == "sendonly") return "recvonly";
  if (offered == "recvonly") return "sendonly";
  if (offered == "inactive") return "inactive";
  return "sendrecv";
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      break;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  for (auto w : split(text, ' ')) {
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "c=IN IP4 192.0.2.1" -> "192.0.2.1".
std::string connection_address(std::string_view value) {
  auto w = words(value);
  return w.size() >= 3 ? std::string(w[2]) : std::string();
}

struct Description {
  std::string connection;  // session-level c=
  std::string direction;   // session-level direction attribute, or empty
  std::vector<MediaLine> media;
};

Result<Description> parse(std::string_view sdp) {
  Description d;
  bool version = false;
  // RFC 4566 §5: lines end in CRLF, but a bare LF is tolerated by everyone.
  for (std::string_view line : split(sdp, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') return fail(Errc::malformed, "SDP line without type=");
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (!version) {
      if (type != 'v' || value != "0") return fail(Errc::malformed, "SDP must start with v=0");
      version = true;
      continue;
    }
    if (type == 'm') {
      auto w = words(value);
      if (w.size() < 4) return fail(Errc::malformed, "m= line needs media, port, proto, formats");
      // "port/number" (RFC 4566 §5.14): the count is irrelevant for audio.
      auto port = number<std::uint16_t>(w[1].substr(0, w[1].find('/')));
      if (!port) return fail(Errc::malformed, "m= line with a bad port");
      MediaLine m;
      m.media = lower(w[0]);
      m.port = *port;
      m.proto = std::string(w[2]);
      for (std::size_t i = 3; i < w.size(); ++i) m.formats.emplace_back(w[i]);
      d.media.push_back(std::move(m));
    } else if (type == 'c') {
      (d.media.empty() ? d.connection : d.media.back().connection) = connection_address(value);
    } else if (type == 'a' && !d.media.empty() && value.starts_with("rtpmap:")) {
      auto w = words(value.substr(7));
      if (w.size() < 2) continue;
      auto pt = number<int>(w[0]);
      if (!pt) continue;
      d.media.back().rtpmaps.emplace_back(*pt, lower(w[1].substr(0, w[1].find('/'))));
    } else if (type == 'a' && is_direction(value)) {
      // RFC 4566 §6: a media-level direction overrides the session-level one.
      (d.media.empty() ? d.direction : d.media.back().direction) = std::string(value);
    }
  }
  if (!version) return fail(Errc::malformed, "empty SDP");
  return d;
}

// The formats of `m` we implement, in its order.
std::vector<Format> known_formats(const MediaLine& m) {
  std::vector<Format> out;
  for (const auto& text : m.formats) {
    auto pt = number<int>(text);
    if (!pt) continue;
    std::string name;
    for (const auto& [n, encoding] : m.rtpmaps) {
      if (n == *pt) name = encoding;
    }
    // Static payload types need no rtpmap (RFC 3551 §6).
    if (name.empty() && *pt == 0) name = "pcmu";
    if (name.empty() && *pt == 8) name = "pcma";
    if (name == "pcmu") out.push_back({*pt, Codec::pcmu});
    if (name == "pcma") out.push_back({*pt, Codec::pcma});
    if (name == "telephone-event") out.push_back({*pt, Codec::telephone_event});
  }
  return out;
}

bool has_voice(const std::vector<Format>& formats) {
  return std::any_of(formats.begin(), formats.end(),
                     [](const Format& f) { return f.codec != Codec::telephone_event; });
}

std::string ip_version(const std::string& address) {
  return address.find(':') == std::string::npos ? "IP4" : "IP6";
}

std::string session_header(const LocalMedia& media) {
  const std::string ip = ip_version(media.address);
  std::string s = "v=0\r\n";
  s += "o=sipline " + std::to_string(media.session_id) + " " + std::to_string(media.version) +
       " IN " + ip + " " + media.address + "\r\n";
  s += "s=sipline\r\n";
  s += "c=IN " + ip + " " + media.address + "\r\n";
  s += "t=0 0\r\n";
  return s;
}

std::string rtpmap(const Format& f) {
  switch (f.codec) {
    case Codec::pcmu:
      return "a=rtpmap:" + std::to_string(f.payload_type) + " PCMU/8000\r\n";
    case Codec::pcma:
      return "a=rtpmap:" + std::to_string(f.payload_type) + " PCMA/8000\r\n";
    case Codec::telephone_event:
      return "a=rtpmap:" + std::to_string(f.payload_type) + " telephone-event/8000\r\n" +
             "a=fmtp:" + std::to_string(f.payload_type) + " 0-16\r\n";
  }
  return {};
}

std::string audio_lines(const LocalMedia& media, const std::vector<Format>& formats,
                        std::string_view direction = "sendrecv") {
  std::string s = "m=audio " + std::to_string(media.port) + " RTP/AVP";
  for (const auto& f : formats) s += " " + std::to_string(f.payload_type);
  s += "\r\n";
  for (const auto& f : formats) s += rtpmap(f);
  s += "a=" + std::string(direction) + "\r\n";
  return s;
}

}  // namespace

std::string_view to_string(Codec codec) noexcept {
  switch (codec) {
    case Codec::pcmu:
      return "PCMU";
    case Codec::pcma:
      return "PCMA";
    case Codec::telephone_event:
      return "telephone-event";
  }
  return "PCMU";
}

Result<AudioStream> parse_audio(std::string_view sdp) {
  auto parsed = parse(sdp);
  if (!parsed) return parsed.error();
  const Description& d = *parsed;
  for (const auto& m : d.media) {
    if (m.media != "audio") continue;
    AudioStream a;
    a.address = m.connection.empty() ? d.connection : m.connection;
    a.port = m.port;
    a.formats = known_formats(m);
    a.direction = m.direction.empty() ? d.direction : m.direction;
    if (a.direction.empty()) a.direction = "sendrecv";
    return a;
  }
  return fail(Errc::not_found, "no audio stream");
}

std::string build_offer(const LocalMedia& media) {
  const std::vector<Format> formats = {
      {0, Codec::pcmu}, {8, Codec::pcma}, {telephone_event_pt, Codec::telephone_event}};
  return session_header(media) + audio_lines(media, formats);
}

Result<std::string> build_answer(std::string_view offer, const LocalMedia& media) {
  auto parsed = parse(offer);
  if (!parsed) return parsed.error();
  const Description& d = *parsed;
  std::string body = session_header(media);
  bool accepted = false;
  bool any_audio = false;
  for (const auto& m : d.media) {
    std::vector<Format> formats;
    if (m.media == "audio" && !accepted && m.port != 0 && m.proto == "RTP/AVP") {
      any_audio = true;
      formats = known_formats(m);
    }
    if (has_voice(formats)) {
      accepted = true;
      const std::string& offered = m.direction.empty() ? d.direction : m.direction;
      body += audio_lines(media, formats, answer_direction(offered));
      continue;
    }
    // RFC 3264 §6: a refused stream keeps its line, with port 0.
    std::string line = "m=" + m.media + " 0 " + m.proto;
    for (const auto& f : m.formats) line += " " + f;
    body += line + "\r\n";
  }
  if (!accepted) {
    return fail(any_audio ? Errc::unsupported : Errc::not_found, "no common audio codec");
  }
  return body;
}

bool answer_acceptable(std::string_view answer) {
  auto audio = parse_audio(answer);
  return audio && audio->port != 0 && has_voice(audio->formats);
}

std::string reoffer(std::string_view previous, const LocalMedia& media) {
  if (!parse(previous)) return build_offer(media);
  const std::string ip = ip_version(media.address);
  std::string out;
  for (std::string_view line : split(previous, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.starts_with("o=")) {
      // RFC 4566 §5.2: username, sess-id, sess-version, nettype, addrtype,
      // address; only the version and the address change (RFC 3264 §8).
      auto w = words(line.substr(2));
      if (w.size() == 6) {
        out += "o=" + std::string(w[0]) + " " + std::string(w[1]) + " " +
               std::to_string(media.version) + " IN " + ip + " " + media.address + "\r\n";
        continue;
      }
    }
    if (line.starts_with("c=")) {
      out += "c=IN " + ip + " " + media.address + "\r\n";
      continue;
    }
    out += std::string(line) + "\r\n";
  }
  return out;
}

}  // namespace sipline::call
