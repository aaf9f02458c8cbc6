#include "config/yealink_loader.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "config/validation.hpp"

namespace sipline::config {
namespace {

constexpr long long max_int32 = std::numeric_limits<std::int32_t>::max();
constexpr int max_account = 16;  // the largest Yealink models have 16 lines
constexpr int max_entry = 16;    // sip_server.Y / outbound_proxy.Y

struct Entry {
  std::string key;
  std::string value;
  std::uint32_t line = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits "a.b.c" at the first dot.
std::pair<std::string_view, std::string_view> head(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return {s, {}};
  return {s.substr(0, dot), s.substr(dot + 1)};
}

// "7" -> 7 when it is an index 1..limit.
std::optional<int> index_of(std::string_view s, int limit) {
  auto n = parse_integer(s);
  if (!n || *n < 1 || *n > limit || s.front() == '0') return std::nullopt;
  return static_cast<int>(*n);
}

const std::vector<std::string_view> account_keys = {"enable",
                                                    "label",
                                                    "display_name",
                                                    "auth_name",
                                                    "user_name",
                                                    "password",
                                                    "outbound_proxy_enable",
                                                    "outbound_proxy_fallback_interval",
                                                    "fallback.redundancy_type",
                                                    "fallback.timeout",
                                                    "redundancy_with_reg_fail.enable",
                                                    "reg_fail_retry_interval",
                                                    "reg_failed_retry_min_time",
                                                    "reg_failed_retry_max_time",
                                                    "register_expires_overlap",
                                                    "nat.udp_update_enable",
                                                    "nat.udp_update_time",
                                                    "naptr_build"};
const std::vector<std::string_view> server_keys = {"address",
                                                   "port",
                                                   "transport_type",
                                                   "expires",
                                                   "retry_counts",
                                                   "failback_mode",
                                                   "failback_timeout",
                                                   "register_on_enable",
                                                   "only_signal_with_registered",
                                                   "invite_retry_counts"};
const std::vector<std::string_view> proxy_keys = {"address",
                                                  "port",
                                                  "transport_type",
                                                  "retry_counts",
                                                  "failback_mode",
                                                  "failback_timeout",
                                                  "register_on_enable",
                                                  "only_signal_with_registered",
                                                  "invite_retry_counts"};
const std::vector<std::string_view> global_keys = {
    "sip.reg_surge_prevention", "sip.timer_t1", "sip.timer_t2", "sip.timer_t4", "sip.listen_port"};

struct ServerDraft {
  ServerEntry entry;
  std::uint32_t line = 0;
};

struct ProxyDraft {
  OutboundProxy proxy;
  std::uint32_t line = 0;
};

struct AccountDraft {
  Account account;
  std::uint32_t first_line = 0;
  std::uint32_t enable_line = 0;
  bool proxy_enable = false;
  std::uint32_t proxy_enable_line = 0;
  std::string label;
  std::map<int, ServerDraft> servers;
  std::map<int, ProxyDraft> proxies;
  long long retry_interval = 30;  // Yealink defaults: 30 s fixed, backoff 0/60
  long long retry_min = 0;
  long long retry_max = 60;
  std::uint32_t retry_min_line = 0;
};

// Yealink's defaults where they differ from the account model's.
AccountDraft new_draft(int x, std::uint32_t line) {
  AccountDraft d;
  d.first_line = line;
  d.account.enabled = false;  // account.X.enable defaults to 0
  d.account.name = "account" + std::to_string(x);
  d.account.redundancy = RedundancyType::concurrent;
  d.account.proxy_mode = ProxyMode::failover;
  d.account.use_proxy_for_registration = true;
  return d;
}

ServerEntry new_server() {
  ServerEntry s;
  s.port = 5060;
  s.register_on_enable = false;
  return s;
}

class Loader {
 public:
  Loader(std::string_view file, LoadResult& out) : file_(file), out_(out), s_(out.settings) {
    s_.dialect = Dialect::yealink;
  }

  Result<void> run(std::string_view text) {
    collect(text);
    for (const Entry& e : entries_) {
      s_.sources[e.key] = SourceLocation{std::string(file_), e.line};
      SIPLINE_TRY(apply(e));
    }
    SIPLINE_TRY(check_globals(
        s_, file_, [this](std::string_view k) { return line_at(k); }, "sip.timer_t1",
        "sip.timer_t2"));
    for (auto& [x, draft] : drafts_) SIPLINE_TRY(finish(x, draft));
    return ok();
  }

 private:
  std::string_view file_;
  LoadResult& out_;
  Settings& s_;
  std::vector<Entry> entries_;
  std::map<int, AccountDraft> drafts_;

  std::uint32_t line_at(std::string_view key) const {
    auto it = s_.sources.find(std::string(key));
    return it == s_.sources.end() ? 0 : it->second.line;
  }

  void collect(std::string_view text) {
    std::map<std::string, std::size_t> seen;
    std::uint32_t number = 0;
    while (!text.empty()) {
      const std::size_t eol = text.find('\n');
      std::string_view raw = text.substr(0, eol);
      text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
      ++number;
      // "#!version:1.0.0.1" is a comment to us, as are "#" lines.
      const std::string_view line = trim(raw);
      if (line.empty() || line.front() == '#') continue;
      const std::size_t eq = line.find('=');
      if (eq == std::string_view::npos) {
        out_.warnings.push_back(
            ignored_warning(file_, number, quote(line), "not a key = value line"));
        continue;
      }
      Entry e{std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))),
              number};
      auto [it, fresh] = seen.emplace(e.key, entries_.size());
      if (fresh) {
        entries_.push_back(std::move(e));
      } else {
        // Phones apply the last assignment; say so, since it is usually a mistake.
        Entry& earlier = entries_[it->second];
        out_.warnings.push_back(config_warning(
            file_, number, e.key, "set again; overrides line " + std::to_string(earlier.line)));
        earlier.value = std::move(e.value);
        earlier.line = e.line;
      }
    }
  }

  Error error(const Entry& e, std::string_view reason) const {
    return config_error(file_, e.line, e.key, reason);
  }

  Result<long long> number(const Entry& e, long long lo, long long hi) const {
    auto n = parse_integer(e.value);
    if (!n) return error(e, quote(e.value) + " is not an integer");
    if (*n < lo || *n > hi) return error(e, range_reason(*n, lo, hi));
    return *n;
  }

  Result<bool> flag(const Entry& e) const {
    if (e.value == "0") return false;
    if (e.value == "1") return true;
    return error(e, quote(e.value) + " is not 0 or 1");
  }

  Result<void> text_value(const Entry& e, std::string& dst) const {
    if (auto reason = text_problem(e.value)) return error(e, *reason);
    dst = e.value;
    return ok();
  }

  void ignore(const Entry& e, std::string_view why) {
    out_.warnings.push_back(ignored_warning(file_, e.line, e.key, why));
  }

  void ignore_unknown(const Entry& e, std::string_view prefix, std::string_view tail,
                      const std::vector<std::string_view>& known) {
    if (auto guess = closest_match(tail, known)) {
      ignore(e, "unknown key; did you mean " + std::string(prefix) + std::string(*guess) + "?");
    } else {
      ignore(e, "not used by sipline");
    }
  }

  Result<void> apply(const Entry& e) {
    auto [first, rest] = head(e.key);
    if (first == "sip") return apply_global(e);
    if (first != "account") {
      ignore(e, "not used by sipline");
      return ok();
    }
    auto [x_text, tail] = head(rest);
    if (!parse_integer(x_text)) {  // not an account.X.* key at all
      ignore(e, "not used by sipline");
      return ok();
    }
    auto x = index_of(x_text, max_account);
    if (!x) {
      return error(e,
                   "account number " + quote(x_text) + " is not 1-" + std::to_string(max_account));
    }
    auto [it, fresh] = drafts_.try_emplace(*x);
    if (fresh) it->second = new_draft(*x, e.line);
    return apply_account(e, *x, tail, it->second);
  }

  Result<void> apply_global(const Entry& e) {
    if (e.value.empty()) return ok();  // blank = the phone's default
    if (e.key == "sip.reg_surge_prevention") {
      auto v = number(e, 0, 60);
      if (!v) return v.error();
      s_.surge_prevention = static_cast<std::uint32_t>(*v);
    } else if (e.key == "sip.timer_t1" || e.key == "sip.timer_t2" || e.key == "sip.timer_t4") {
      // Yealink writes the timers in seconds with decimals ("0.5").
      const char which = e.key.back();
      const Range r = which == '1'   ? Range{500, 10000}
                      : which == '2' ? Range{2000, 40000}
                                     : Range{2500, 60000};
      const char* shown = which == '1' ? "0.5-10" : which == '2' ? "2-40" : "2.5-60";
      auto ms = parse_seconds_as_ms(e.value);
      if (!ms) return error(e, quote(e.value) + " is not a number of seconds");
      if (*ms < r.lo || *ms > r.hi) {
        return error(e, "value " + e.value + " s is outside " + shown + " s");
      }
      auto& dst = which == '1' ? s_.timers.t1_ms : which == '2' ? s_.timers.t2_ms : s_.timers.t4_ms;
      dst = static_cast<std::uint32_t>(*ms);
    } else if (e.key == "sip.listen_port") {
      auto v = number(e, 0, 65535);
      if (!v) return v.error();
      if (*v > 0 && *v < 1024) {
        return error(e, "value " + e.value + " is outside 1024-65535 (0 = any)");
      }
      s_.listen_port = static_cast<std::uint16_t>(*v);
    } else {
      ignore_unknown(e, "", e.key, global_keys);
    }
    return ok();
  }

  Result<void> apply_account(const Entry& e, int x, std::string_view tail, AccountDraft& d) {
    Account& a = d.account;
    auto [group, sub] = head(tail);
    if (group == "sip_server" || group == "outbound_proxy") {
      auto [y_text, field] = head(sub);
      auto y = index_of(y_text, max_entry);
      if (!y || field.empty()) {
        if (!field.empty()) {
          return error(e,
                       "entry number " + quote(y_text) + " is not 1-" + std::to_string(max_entry));
        }
      } else if (group == "sip_server") {
        auto [it, fresh] = d.servers.try_emplace(*y);
        if (fresh) it->second = ServerDraft{new_server(), e.line};
        return apply_server(e, field, it->second.entry);
      } else {
        auto [it, fresh] = d.proxies.try_emplace(*y);
        if (fresh) it->second.line = e.line;
        return apply_proxy(e, field, it->second.proxy);
      }
    }
    const std::string prefix = "account." + std::to_string(x) + ".";
    if (tail == "label") return text_value(e, d.label);
    if (tail == "display_name") return text_value(e, a.display_name);
    if (tail == "auth_name") return text_value(e, a.auth_name);
    if (tail == "user_name") return text_value(e, a.username);
    if (tail == "password") {
      a.password.value = e.value;  // any bytes: digest input only, never shown
      return ok();
    }
    if (e.value.empty()) {
      // A blank numeric value means "the phone's default", as on the phone.
      bool known = false;
      for (auto k : account_keys) known = known || k == tail;
      if (!known) ignore_unknown(e, prefix, tail, account_keys);
      return ok();
    }
    if (tail == "enable") {
      auto v = flag(e);
      if (!v) return v.error();
      a.enabled = *v;
      d.enable_line = e.line;
    } else if (tail == "outbound_proxy_enable") {
      auto v = flag(e);
      if (!v) return v.error();
      d.proxy_enable = *v;
      d.proxy_enable_line = e.line;
    } else if (tail == "outbound_proxy_fallback_interval") {
      auto v = number(e, 0, max_int32);
      if (!v) return v.error();
      a.proxy_fallback_interval = static_cast<std::uint32_t>(*v);
    } else if (tail == "fallback.redundancy_type") {
      auto v = number(e, 0, 1);
      if (!v) return v.error();
      a.redundancy = *v == 0 ? RedundancyType::concurrent : RedundancyType::successive;
    } else if (tail == "fallback.timeout") {
      auto v = number(e, 10, max_int32);
      if (!v) return v.error();
      a.fallback_timeout = static_cast<std::uint32_t>(*v);
    } else if (tail == "redundancy_with_reg_fail.enable") {
      auto v = flag(e);
      if (!v) return v.error();
      a.redundancy_with_reg_fail = *v;
    } else if (tail == "reg_fail_retry_interval") {
      auto v = number(e, 0, 1800);
      if (!v) return v.error();
      d.retry_interval = *v;
    } else if (tail == "reg_failed_retry_min_time") {
      auto v = number(e, 0, max_int32);
      if (!v) return v.error();
      d.retry_min = *v;
      d.retry_min_line = e.line;
    } else if (tail == "reg_failed_retry_max_time") {
      auto v = number(e, 0, max_int32);
      if (!v) return v.error();
      d.retry_max = *v;
    } else if (tail == "register_expires_overlap") {
      auto v = number(e, -1, max_int32);  // -1 = the firmware's automatic margin
      if (!v) return v.error();
      a.expires_overlap = *v < 0 ? 0 : static_cast<std::uint32_t>(*v);
    } else if (tail == "nat.udp_update_enable") {
      // 0 off; 1 default, 2 deprecated, 3 auto: all keep the flow alive,
      // which sipline does the way that also detects a dead server (CRLF
      // ping/pong on TCP/TLS, OPTIONS on UDP).
      auto v = number(e, 0, 3);
      if (!v) return v.error();
      a.keepalive.kind = *v == 0 ? KeepAliveKind::none : KeepAliveKind::automatic;
    } else if (tail == "nat.udp_update_time") {
      auto v = number(e, 15, max_int32);
      if (!v) return v.error();
      a.keepalive.interval = static_cast<std::uint32_t>(*v);
    } else if (tail == "nat.rport") {
      ignore(e, "sipline always asks for rport, RFC 3581");
    } else if (tail == "naptr_build") {
      auto v = flag(e);
      if (!v) return v.error();
      a.srv_all_transports = *v;
    } else {
      ignore_unknown(e, prefix, tail, account_keys);
    }
    return ok();
  }

  // transport_type: 0 UDP, 1 TCP, 2 TLS, 3 DNS-NAPTR (checked 0-3 by the caller).
  static ServerTransport transport_of(long long v) { return static_cast<ServerTransport>(v); }

  Result<void> apply_server(const Entry& e, std::string_view field, ServerEntry& s) {
    if (field == "address") {
      if (auto reason = e.value.empty() ? std::nullopt : host_problem(e.value)) {
        return error(e, quote(e.value) + ": " + *reason);
      }
      s.address = e.value;
      return ok();
    }
    if (e.value.empty()) {
      bool known = false;
      for (auto k : server_keys) known = known || k == field;
      if (!known) {
        ignore_unknown(e, e.key.substr(0, e.key.size() - field.size()), field, server_keys);
      }
      return ok();
    }
    if (field == "port") {
      auto v = number(e, 0, 65535);
      if (!v) return v.error();
      s.port = static_cast<std::uint16_t>(*v);
    } else if (field == "transport_type") {
      auto v = number(e, 0, 3);
      if (!v) return v.error();
      s.transport = transport_of(*v);
    } else if (field == "expires") {
      auto v = number(e, 30, max_int32);
      if (!v) return v.error();
      s.expires = static_cast<std::uint32_t>(*v);
    } else if (field == "retry_counts") {
      auto v = number(e, 0, 20);
      if (!v) return v.error();
      s.retry_counts = static_cast<int>(*v);
    } else if (field == "invite_retry_counts") {
      auto v = number(e, 1, 10);
      if (!v) return v.error();
      s.invite_retry_counts = static_cast<int>(*v);
    } else if (field == "failback_mode") {
      auto v = number(e, 0, 3);
      if (!v) return v.error();
      s.failback_mode = static_cast<FailbackMode>(*v);
    } else if (field == "failback_timeout") {
      auto v = failback_timeout(e);
      if (!v) return v.error();
      s.failback_timeout = *v;
    } else if (field == "register_on_enable") {
      auto v = flag(e);
      if (!v) return v.error();
      s.register_on_enable = *v;
    } else if (field == "only_signal_with_registered") {
      auto v = flag(e);
      if (!v) return v.error();
      s.only_signal_with_registered = *v;
    } else {
      ignore_unknown(e, e.key.substr(0, e.key.size() - field.size()), field, server_keys);
    }
    return ok();
  }

  // 0 = never; 1-59 is raised to 60 (Yealink, Polycom).
  Result<std::uint32_t> failback_timeout(const Entry& e) {
    auto v = number(e, 0, 65535);
    if (!v) return v.error();
    if (*v > 0 && *v < 60) {
      out_.warnings.push_back(
          config_warning(file_, e.line, e.key, "value " + e.value + " raised to 60"));
      return 60u;
    }
    return static_cast<std::uint32_t>(*v);
  }

  // outbound_proxy.Y.*: -1 (the default) inherits the value of sip_server.Y.
  Result<void> apply_proxy(const Entry& e, std::string_view field, OutboundProxy& p) {
    if (field == "address") {
      if (auto reason = text_problem(e.value)) return error(e, *reason);
      p.address = e.value;
      return ok();
    }
    bool known = false;
    for (auto k : proxy_keys) known = known || k == field;
    if (!known) {
      ignore_unknown(e, e.key.substr(0, e.key.size() - field.size()), field, proxy_keys);
      return ok();
    }
    if (e.value.empty() || e.value == "-1") {
      if (field == "port") return error(e, "a port does not inherit; set 0-65535");
      return ok();  // unset = inherit
    }
    if (field == "port") {
      auto v = number(e, 0, 65535);
      if (!v) return v.error();
      p.port = static_cast<std::uint16_t>(*v);
    } else if (field == "transport_type") {
      auto v = number(e, 0, 3);
      if (!v) return v.error();
      p.transport = transport_of(*v);
    } else if (field == "retry_counts") {
      auto v = number(e, 0, 20);
      if (!v) return v.error();
      p.retry_counts = static_cast<int>(*v);
    } else if (field == "invite_retry_counts") {
      auto v = number(e, 1, 10);
      if (!v) return v.error();
      p.invite_retry_counts = static_cast<int>(*v);
    } else if (field == "failback_mode") {
      auto v = number(e, 0, 3);
      if (!v) return v.error();
      p.failback_mode = static_cast<FailbackMode>(*v);
    } else if (field == "failback_timeout") {
      auto v = failback_timeout(e);
      if (!v) return v.error();
      p.failback_timeout = *v;
    } else if (field == "register_on_enable") {
      auto v = flag(e);
      if (!v) return v.error();
      p.register_on_enable = *v;
    } else if (field == "only_signal_with_registered") {
      auto v = flag(e);
      if (!v) return v.error();
      p.only_signal_with_registered = *v;
    }
    return ok();
  }

  Result<void> finish(int x, AccountDraft& d) {
    Account& a = d.account;
    const std::string key = "account." + std::to_string(x);
    for (auto& [y, server] : d.servers) {
      if (!server.entry.address.empty()) a.servers.push_back(server.entry);
    }
    if (a.servers.empty()) {
      if (a.enabled) {
        return config_error(file_, d.enable_line, key + ".sip_server.1.address",
                            "required when " + key + ".enable = 1");
      }
      out_.warnings.push_back(config_warning(
          file_, d.first_line, key, "not loaded (disabled and without a sip_server address)"));
      return ok();
    }
    if (a.enabled && a.username.empty()) {
      return config_error(file_, d.enable_line, key + ".user_name",
                          "required when " + key + ".enable = 1");
    }
    if (d.proxy_enable) {
      for (auto& [y, proxy] : d.proxies) {
        if (!proxy.proxy.address.empty()) a.proxies.push_back(proxy.proxy);
      }
      if (a.proxies.empty()) {
        return config_error(file_, d.proxy_enable_line, key + ".outbound_proxy.1.address",
                            "required when " + key + ".outbound_proxy_enable = 1");
      }
    }
    // Yealink: the fixed interval applies when the backoff bounds are not
    // both set; otherwise RFC 5626 §4.5 backoff from min_time up to max_time.
    if (d.retry_min > 0 && d.retry_max > 0) {
      if (d.retry_min > d.retry_max) {
        return config_error(file_, d.retry_min_line, key + ".reg_failed_retry_min_time",
                            range_reason(d.retry_min, 0, d.retry_max) +
                                " (must not exceed reg_failed_retry_max_time)");
      }
      a.retry.base_time = static_cast<std::uint32_t>(d.retry_min);
      a.retry.max_time = static_cast<std::uint32_t>(d.retry_max);
    }
    if (d.retry_interval == 0) {
      out_.warnings.push_back(config_warning(
          file_, line_at(key + ".reg_fail_retry_interval"), key + ".reg_fail_retry_interval",
          "value 0 raised to 1 s so that a failing server is not hammered"));
      d.retry_interval = 1;
    }
    a.retry.fixed_interval = static_cast<std::uint32_t>(d.retry_interval);
    a.surge_prevention = s_.surge_prevention;
    if (!d.label.empty()) {
      bool taken = false;
      for (const Account& other : s_.accounts) taken = taken || other.name == d.label;
      if (taken) {
        out_.warnings.push_back(
            config_warning(file_, line_at(key + ".label"), key + ".label",
                           "label already used by another account; named " + a.name));
      } else {
        a.name = d.label;
      }
    }
    SIPLINE_TRY(finish_account(a, Dialect::yealink, file_, key, d.first_line));
    s_.accounts.push_back(std::move(a));
    return ok();
  }
};

}  // namespace

Result<LoadResult> load_yealink(std::string_view text, std::string_view file_name) {
  LoadResult out;
  Loader loader(file_name, out);
  SIPLINE_TRY(loader.run(text));
  return out;
}

}  // namespace sipline::config
