#include "sim/fault_script.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "sip/uri.hpp"

namespace sipline::sim {

namespace {

using namespace std::chrono_literals;

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// A decimal number of at most `max_digits` digits, nothing else.
std::optional<std::uint64_t> parse_number(std::string_view text, std::size_t max_digits = 9) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address.
std::optional<ServerRef> parse_host_port(std::string_view text) {
  ServerRef ref;
  ref.kind = ServerRef::Kind::host;
  ref.text = std::string(text);
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else if (const auto colon = text.find(':');
             colon != std::string_view::npos && colon == text.rfind(':')) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return std::nullopt;
  }
  if (!port.empty()) {
    auto value = parse_number(port, 5);
    if (!value || *value == 0 || *value > 65535) return std::nullopt;
    ref.port = static_cast<std::uint16_t>(*value);
  }
  ref.host = std::string(host);
  return ref;
}

// An IPv4 or IPv6 address (IPv6 with or without brackets), without a port;
// the IPv6 form comes back without brackets.
std::optional<std::string> parse_ip_literal(std::string_view text) {
  const bool bracketed = text.size() > 2 && text.front() == '[' && text.back() == ']';
  const std::string_view bare = bracketed ? text.substr(1, text.size() - 2) : text;
  const bool v6 = bare.find(':') != std::string_view::npos;
  // The parsed host is a view into this text, which must outlive it.
  const std::string text_to_parse = v6 ? "[" + std::string(bare) + "]" : std::string(bare);
  auto host = sip::parse_host_port(text_to_parse);
  if (!host || host->port || host->kind == sip::HostKind::hostname) return std::nullopt;
  return std::string(host->host);
}

class LineParser {
 public:
  LineParser(std::string_view file, std::size_t line, std::vector<std::string_view> words)
      : file_(file), line_(line), words_(std::move(words)) {}

  Result<Step> parse() {
    Step step;
    step.line = line_;
    auto at = parse_duration(next());
    if (!at) return error("time '" + std::string(words_[0]) + "': " + at.error().message);
    step.at = *at;
    if (done()) return error("missing action after the time (a server, 'call' or 'end')");
    const std::string_view word = next();
    if (word == "end") {
      step.kind = Step::Kind::end;
    } else if (word == "address") {
      step.kind = Step::Kind::address;
      if (done()) return error("address: missing the new address (e.g. 'address 192.0.2.77')");
      const std::string_view text = next();
      auto address = parse_ip_literal(text);
      if (!address) {
        return error("address '" + std::string(text) + "': expected an IPv4 or IPv6 address");
      }
      step.address = std::move(*address);
    } else if (word == "call") {
      step.kind = Step::Kind::call;
      if (done()) return error("call: missing its duration (e.g. 'call 90s')");
      const std::string_view duration_text = next();
      auto duration = parse_duration(duration_text);
      if (!duration) {
        return error("call duration '" + std::string(duration_text) +
                     "': " + duration.error().message);
      }
      if (*duration == runtime::Duration::zero()) return error("call duration must not be 0");
      step.call_duration = *duration;
      if (!done()) step.account = std::string(next());
    } else {
      step.kind = Step::Kind::fault;
      auto server = parse_server(word);
      if (!server) return unexpected(server.error());
      step.server = std::move(*server);
      auto fault = parse_fault();
      if (!fault) return unexpected(fault.error());
      step.fault = *fault;
    }
    if (!done()) return error("unexpected '" + std::string(words_[index_]) + "'");
    return step;
  }

 private:
  bool done() const { return index_ >= words_.size(); }
  std::string_view next() { return words_[index_++]; }

  Unexpected error(const std::string& reason) const {
    return fail(Errc::invalid_argument,
                std::string(file_) + ":" + std::to_string(line_) + ": " + reason);
  }
  static Unexpected unexpected(const Error& e) { return Unexpected{e}; }

  Result<ServerRef> parse_server(std::string_view word) {
    ServerRef ref;
    ref.text = std::string(word);
    if (word == "primary") {
      ref.kind = ServerRef::Kind::primary;
      return ref;
    }
    if (word == "backup") {
      ref.kind = ServerRef::Kind::backup;
      return ref;
    }
    if (word == "server") {
      if (done()) return error("server: missing its number (e.g. 'server 2')");
      const std::string_view number = next();
      auto n = parse_number(number, 3);
      if (!n || *n == 0) {
        return error("server number '" + std::string(number) + "': expected 1, 2, 3...");
      }
      ref.kind = ServerRef::Kind::ordinal;
      ref.ordinal = static_cast<std::size_t>(*n);
      ref.text = "server " + std::string(number);
      return ref;
    }
    auto host = parse_host_port(word);
    if (!host) {
      return error("'" + std::string(word) +
                   "': expected primary, backup, server N, HOST[:PORT], call, address or end");
    }
    return *host;
  }

  Result<Fault> parse_fault() {
    if (done()) {
      return error("missing the server's action (refuse, blackhole, 503, reject CODE, restore)");
    }
    const std::string_view action = next();
    Fault fault;
    if (action == "refuse") {
      fault.kind = Fault::Kind::refuse;
    } else if (action == "blackhole") {
      fault.kind = Fault::Kind::blackhole;
    } else if (action == "restore") {
      fault.kind = Fault::Kind::restore;
    } else if (action == "503") {
      fault.kind = Fault::Kind::unavailable;
      fault.status_code = 503;
      if (!done()) {
        const std::string_view keyword = next();
        if (keyword != "retry-after") {
          return error("unexpected '" + std::string(keyword) + "' (503 takes 'retry-after S')");
        }
        if (done()) return error("retry-after: missing its seconds");
        const std::string_view seconds = next();
        auto value = parse_number(seconds, 6);
        if (!value) {
          // Also "60s", "2m": whole seconds.
          auto d = parse_duration(seconds);
          if (!d || *d % std::chrono::seconds(1) != runtime::Duration::zero() ||
              *d > std::chrono::seconds(999999)) {
            return error("retry-after '" + std::string(seconds) + "': expected whole seconds");
          }
          value = static_cast<std::uint64_t>(
              std::chrono::duration_cast<std::chrono::seconds>(*d).count());
        }
        fault.retry_after = static_cast<std::uint32_t>(*value);
      }
    } else if (action == "reject") {
      fault.kind = Fault::Kind::reject;
      if (done()) return error("reject: missing the status code (300-699)");
      const std::string_view code_text = next();
      auto code = parse_number(code_text, 3);
      if (!code || *code < 300 || *code > 699) {
        return error("reject code '" + std::string(code_text) + "': expected 300-699");
      }
      fault.status_code = static_cast<int>(*code);
    } else {
      return error("unknown action '" + std::string(action) +
                   "' (expected refuse, blackhole, 503, reject CODE, restore)");
    }
    return fault;
  }

  std::string_view file_;
  std::size_t line_;
  std::vector<std::string_view> words_;
  std::size_t index_ = 0;
};

}  // namespace

std::string to_string(const Fault& fault) {
  switch (fault.kind) {
    case Fault::Kind::restore:
      return "restore";
    case Fault::Kind::refuse:
      return "refuse";
    case Fault::Kind::blackhole:
      return "blackhole";
    case Fault::Kind::unavailable:
      return fault.retry_after ? "503 retry-after " + std::to_string(*fault.retry_after) : "503";
    case Fault::Kind::reject:
      return "reject " + std::to_string(fault.status_code);
  }
  return "restore";
}

std::optional<runtime::Duration> FaultScript::end() const {
  if (!steps.empty() && steps.back().kind == Step::Kind::end) return steps.back().at;
  return std::nullopt;
}

runtime::Duration FaultScript::last_step() const {
  return steps.empty() ? runtime::Duration::zero() : steps.back().at;
}

Result<runtime::Duration> parse_duration(std::string_view text) {
  if (text.empty()) return fail(Errc::malformed, "empty");
  struct Unit {
    std::string_view name;
    runtime::Duration size;
  };
  // In the order they must appear.
  static constexpr std::array<Unit, 4> units{{{"h", 1h}, {"m", 1min}, {"s", 1s}, {"ms", 1ms}}};
  runtime::Duration total{};
  std::size_t next_unit = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == digits_start) {
      return fail(Errc::malformed, "expected a number like 10s, 2m, 1h30m or 1500ms");
    }
    auto value = parse_number(text.substr(digits_start, i - digits_start));
    if (!value) return fail(Errc::out_of_range, "too long (at most 7 days)");
    const std::size_t unit_start = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return fail(Errc::malformed, "missing unit (h, m, s or ms)");
    std::size_t u = 0;
    while (u < units.size() && units[u].name != unit) ++u;
    if (u == units.size()) {
      return fail(Errc::malformed, "unknown unit '" + std::string(unit) + "' (h, m, s or ms)");
    }
    if (u < next_unit) {
      return fail(Errc::malformed, "units must go from large to small, each once (1h30m, 2m5s)");
    }
    next_unit = u + 1;
    if (*value > static_cast<std::uint64_t>(max_script_time / units[u].size)) {
      return fail(Errc::out_of_range, "too long (at most 7 days)");
    }
    total += units[u].size * static_cast<std::int64_t>(*value);
    if (total > max_script_time) return fail(Errc::out_of_range, "too long (at most 7 days)");
  }
  return total;
}

Result<FaultScript> parse_fault_script(std::string_view text, std::string_view file_name) {
  FaultScript script;
  script.file_name = std::string(file_name);
  std::size_t line_number = 0;
  std::size_t end_line = 0;
  while (!text.empty()) {
    ++line_number;
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    auto words = split_words(line);
    if (words.empty()) continue;
    auto where = [&] { return std::string(file_name) + ":" + std::to_string(line_number) + ": "; };
    if (end_line != 0) {
      return fail(Errc::invalid_argument,
                  where() + "step after 'end' (line " + std::to_string(end_line) + ")");
    }
    auto step = LineParser(file_name, line_number, std::move(words)).parse();
    if (!step) return Unexpected{step.error()};
    if (!script.steps.empty() && step->at < script.steps.back().at) {
      return fail(Errc::invalid_argument, where() + "goes back in time (line " +
                                              std::to_string(script.steps.back().line) +
                                              " is later)");
    }
    if (step->kind == Step::Kind::end) end_line = line_number;
    script.steps.push_back(std::move(*step));
  }
  return script;
}

}  // namespace sipline::sim
