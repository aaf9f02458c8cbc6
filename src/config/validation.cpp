#include "config/validation.hpp"

#include <cctype>

#include "config/diagnostics.hpp"

namespace sipline::config {

std::optional<std::string> text_problem(std::string_view text) {
  std::size_t continuation = 0;  // UTF-8 continuation bytes still expected
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (continuation > 0) {
      if ((byte & 0xC0) != 0x80) return "is not valid UTF-8";
      --continuation;
      continue;
    }
    if (byte < 0x20 && byte != '\t') return "contains a control character";
    if (byte == 0x7f) return "contains a control character";
    if (byte >= 0x80) {
      if (byte >= 0xC2 && byte <= 0xDF) {
        continuation = 1;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        continuation = 2;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        continuation = 3;
      } else {
        return "is not valid UTF-8";
      }
    }
  }
  if (continuation > 0) return "is not valid UTF-8";
  return std::nullopt;
}

std::optional<std::string> host_problem(std::string_view host) {
  if (host.empty()) return "must not be empty";
  if (host.size() > 253 + 2) return "longer than a host name can be";
  for (char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    const bool allowed = std::isalnum(byte) != 0 || c == '.' || c == '-' || c == '_' || c == ':' ||
                         c == '[' || c == ']';
    if (!allowed) return "not a host name or IP address";
  }
  return std::nullopt;
}

std::optional<std::string> host_port_problem(std::string_view text) {
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return "unterminated [IPv6] address";
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "expected :port after the [IPv6] address";
      port = rest.substr(1);
      if (port.empty()) return "empty port";
    }
  } else if (text.find(':') != std::string_view::npos &&
             text.find(':') == text.rfind(':')) {  // one colon: host:port
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
    if (port.empty()) return "empty port";
  }
  if (auto reason = host_problem(host)) return reason;
  if (!port.empty()) {
    auto number = parse_integer(port);
    if (!number || *number < 1 || *number > 65535) return "port must be 1-65535";
  }
  return std::nullopt;
}

Result<void> check_globals(const Settings& settings, std::string_view file, const LineOf& line_of,
                           std::string_view t1_key, std::string_view t2_key) {
  if (settings.timers.t2_ms < settings.timers.t1_ms) {
    // Blame T2 where it was written; when only T1 was, blame T1.
    const bool t2_set = line_of(t2_key) != 0;
    return config_error(file, t2_set ? line_of(t2_key) : line_of(t1_key), t2_set ? t2_key : t1_key,
                        "T2 (" + std::to_string(settings.timers.t2_ms) + " ms) is below " +
                            std::string(t1_key) + " (" + std::to_string(settings.timers.t1_ms) +
                            " ms); RFC 3261 §17.1.2.2 caps retransmission at T2 >= T1");
  }
  return ok();
}

Result<void> check_account_names(const Settings& settings, std::string_view file,
                                 const LineOf& line_of, std::string_view name_key) {
  for (std::size_t i = 0; i < settings.accounts.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (settings.accounts[i].name != settings.accounts[j].name) continue;
      const std::string key = "account[" + std::to_string(i + 1) + "]." + std::string(name_key);
      std::uint32_t line = line_of(key);
      if (line == 0) line = line_of("account[" + std::to_string(i + 1) + "]");
      return config_error(file, line, key,
                          quote(settings.accounts[i].name) + ": already the name of account " +
                              std::to_string(j + 1));
    }
  }
  return ok();
}

Result<void> finish_account(Account& account, Dialect dialect, std::string_view file,
                            std::string_view account_key, std::uint32_t line) {
  auto r = normalize(account, dialect);
  if (!r) return config_error(file, line, account_key, r.error().message);
  return ok();
}

}  // namespace sipline::config
