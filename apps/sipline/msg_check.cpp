#include "msg_check.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "exit_codes.hpp"
#include "sip/message.hpp"

namespace sipline::app {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// Reads at most `cap` + 1 bytes so that an over-size file (or an endless one
// such as /dev/zero) is detected without reading it all.
Result<std::string> read_capped(const std::string& path, std::size_t cap) {
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return fail(Errc::io, std::strerror(errno));
  std::string bytes;
  char chunk[64 * 1024];
  while (bytes.size() <= cap) {
    const std::size_t want = std::min(sizeof chunk, cap + 1 - bytes.size());
    const std::size_t got = std::fread(chunk, 1, want, file.get());
    bytes.append(chunk, got);
    if (got < want) {
      if (std::ferror(file.get()) != 0) {
        return fail(Errc::io, errno != 0 ? std::strerror(errno) : "read error");
      }
      break;  // end of file
    }
  }
  return bytes;
}

// Reasons may quote the offending input; keep the terminal safe.
std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    }
  }
  return out;
}

std::string reason(const Error& error) {
  if (error.message.empty()) return to_string(error.code);
  return printable(error.message);
}

}  // namespace

int msg_check(std::span<const std::string> files, std::ostream& out, std::ostream& err) {
  bool any_invalid = false;
  bool any_unreadable = false;
  for (const std::string& path : files) {
    Result<std::string> bytes = read_capped(path, msg_check_max_file_size);
    if (!bytes) {
      err << path << ": error: " << reason(bytes.error()) << '\n';
      any_unreadable = true;
      continue;
    }
    if (bytes->size() > msg_check_max_file_size) {
      out << path << ": invalid: file larger than " << (msg_check_max_file_size >> 20) << " MiB\n";
      any_invalid = true;
      continue;
    }
    const Result<sip::Message> message = sip::Message::parse(*bytes);
    if (!message) {
      out << path << ": invalid: " << reason(message.error()) << '\n';
      any_invalid = true;
    } else if (message->is_request()) {
      out << path << ": ok request " << printable(message->method_text()) << '\n';
    } else {
      out << path << ": ok response " << message->status_code() << '\n';
    }
  }
  out.flush();
  if (any_unreadable) return exit_usage;
  return any_invalid ? exit_failure : exit_ok;
}

}  // namespace sipline::app
