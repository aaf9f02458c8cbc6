#include "config/toml_writer.hpp"

#include <sstream>

#include "config/names.hpp"

namespace sipline::config {
namespace {

class Out {
 public:
  void line(std::string_view text = {}) { os_ << text << '\n'; }
  void key(std::string_view name, std::string_view toml_value, std::string_view comment = {}) {
    os_ << name << " = " << toml_value;
    if (!comment.empty()) os_ << "  # " << comment;
    os_ << '\n';
  }
  void str(std::string_view name, std::string_view value) { key(name, toml_string(value)); }
  void num(std::string_view name, long long value, std::string_view comment = {}) {
    key(name, std::to_string(value), comment);
  }
  void flag(std::string_view name, bool value, std::string_view comment = {}) {
    key(name, value ? "true" : "false", comment);
  }
  template <class E>
  void name(std::string_view key_name, E value, std::string_view comment = {}) {
    key(key_name, toml_string(name_of(value)), comment);
  }
  std::string text() const { return os_.str(); }

 private:
  std::ostringstream os_;
};

void write_server(Out& o, const ServerEntry& s) {
  o.line("[[account.server]]");
  o.str("address", s.address);
  o.num("port", s.port, s.port == 0 ? "0 = from DNS (SRV) or the transport default" : "");
  o.name("transport", s.transport);
  o.num("expires", s.expires);
  o.num("retry_counts", s.retry_counts);
  o.num("invite_retry_counts", s.invite_retry_counts);
  o.flag("register_on_enable", s.register_on_enable);
  o.flag("only_signal_with_registered", s.only_signal_with_registered);
  o.name("failback_mode", s.failback_mode);
  o.num("failback_timeout", s.failback_timeout, s.failback_timeout == 0 ? "0 = never" : "");
}

void write_proxy(Out& o, const Account& a, std::size_t i, bool resolve) {
  const OutboundProxy& p = a.proxies[i];
  const ServerEntry r = resolve_proxy(a, i);
  const std::size_t from = std::min(i, a.servers.size() - 1) + 1;
  const std::string inherited = "inherited from server " + std::to_string(from);
  o.line("[[account.proxy]]");
  o.str("address", p.address);
  o.num("port", p.port);
  // Set fields are written as they are; unset ones inherit (-1 in Yealink).
  auto opt = [&](bool set, auto&& write) {
    if (set) {
      write(std::string_view{});
    } else if (resolve) {
      write(std::string_view(inherited));
    }
  };
  opt(p.transport.has_value(), [&](std::string_view c) { o.name("transport", r.transport, c); });
  opt(p.retry_counts.has_value(),
      [&](std::string_view c) { o.num("retry_counts", r.retry_counts, c); });
  opt(p.invite_retry_counts.has_value(),
      [&](std::string_view c) { o.num("invite_retry_counts", r.invite_retry_counts, c); });
  opt(p.register_on_enable.has_value(),
      [&](std::string_view c) { o.flag("register_on_enable", r.register_on_enable, c); });
  opt(p.only_signal_with_registered.has_value(), [&](std::string_view c) {
    o.flag("only_signal_with_registered", r.only_signal_with_registered, c);
  });
  opt(p.failback_mode.has_value(),
      [&](std::string_view c) { o.name("failback_mode", r.failback_mode, c); });
  opt(p.failback_timeout.has_value(),
      [&](std::string_view c) { o.num("failback_timeout", r.failback_timeout, c); });
}

void write_account(Out& o, const Account& a, bool resolve) {
  o.line("[[account]]");
  o.str("name", a.name);
  o.flag("enabled", a.enabled);
  o.str("username", a.username);
  // Blank identity fields mean "the username"; the effective view says so.
  auto identity = [&](std::string_view key, const std::string& value,
                      const std::string& effective) {
    if (resolve && value.empty() && !effective.empty()) {
      o.key(key, toml_string(effective), "blank: the username");
    } else {
      o.str(key, value);
    }
  };
  identity("id", a.id, a.effective_id());
  identity("display_name", a.display_name, a.effective_display_name());
  identity("auth_name", a.auth_name, a.effective_auth_name());
  o.key("password", a.password.empty() ? toml_string("") : toml_string(Password::redacted()),
        a.password.empty() ? "" : "not shown");
  o.str("domain", a.domain);
  o.num("registration_timeout", a.registration_timeout);
  o.num("expires_overlap", a.expires_overlap, a.expires_overlap == 0 ? "0 = automatic" : "");
  o.num("surge_prevention", a.surge_prevention);
  o.name("redundancy", a.redundancy);
  o.num("fallback_timeout", a.fallback_timeout);
  o.flag("redundancy_with_reg_fail", a.redundancy_with_reg_fail);
  o.name("proxy_mode", a.proxy_mode);
  o.flag("use_proxy_for_registration", a.use_proxy_for_registration);
  o.flag("strict_routing", a.strict_routing);
  o.num("proxy_fallback_interval", a.proxy_fallback_interval);
  o.flag("accept_only_from_registered", a.accept_only_from_registered);
  o.str("instance_id", a.instance_id);
  if (a.reg_id) o.num("reg_id", *a.reg_id);
  o.flag("srv_all_transports", a.srv_all_transports);
  o.line();
  o.line("[account.retry]");
  o.num("interval", a.retry.fixed_interval);
  o.num("base_time", a.retry.base_time);
  o.num("max_time", a.retry.max_time, a.retry.max_time == 0 ? "0 = fixed interval" : "");
  o.num("permanent_error_interval", a.retry.permanent_error_interval);
  o.line();
  o.line("[account.failback]");
  o.num("probe_interval", a.failback.probe_interval);
  o.num("good_probes", a.failback.good_probes);
  o.num("min_dwell", a.failback.min_dwell);
  o.line();
  o.line("[account.keepalive]");
  o.name("kind", a.keepalive.kind);
  o.num("interval", a.keepalive.interval);
  o.num("pong_timeout", a.keepalive.pong_timeout);
  o.line();
  o.line("[account.calls]");
  o.num("ring_timeout", a.calls.ring_timeout);
  o.num("max_calls", a.calls.max_calls);
  for (const ServerEntry& s : a.servers) {
    o.line();
    write_server(o, s);
  }
  for (std::size_t i = 0; i < a.proxies.size(); ++i) {
    o.line();
    write_proxy(o, a, i, resolve);
  }
}

}  // namespace

std::string toml_string(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          out += "\\u00";
          out += hex[byte >> 4];
          out += hex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string write_toml(const Settings& s, const WriteOptions& options) {
  Out o;
  if (!options.header.empty()) o.line(options.header);
  o.name("dialect", s.dialect);
  o.line();
  o.line("[sip]");
  o.str("listen_address", s.listen_address);
  o.num("listen_port", s.listen_port, s.listen_port == 0 ? "0 = any free port" : "");
  o.num("timer_t1_ms", s.timers.t1_ms);
  o.num("timer_t2_ms", s.timers.t2_ms);
  o.num("timer_t4_ms", s.timers.t4_ms);
  o.num("surge_prevention", s.surge_prevention);
  o.line();
  o.line("[dns]");
  std::string servers = "[";
  for (std::size_t i = 0; i < s.dns_servers.size(); ++i) {
    if (i > 0) servers += ", ";
    servers += toml_string(s.dns_servers[i]);
  }
  servers += "]";
  o.key("servers", servers, s.dns_servers.empty() ? "empty = the system's resolv.conf" : "");
  o.line();
  o.line("[tls]");
  o.str("ca_file", s.tls.ca_file);
  o.str("ca_dir", s.tls.ca_dir);
  o.flag("verify_peer", s.tls.verify_peer);
  o.str("client_cert", s.tls.client_cert);
  o.str("client_key", s.tls.client_key);
  o.line();
  o.line("[log]");
  o.name("level", s.log_level);
  o.line();
  o.line("[keepalive]");
  o.name("kind", s.keepalive.kind);
  o.num("interval", s.keepalive.interval);
  o.num("pong_timeout", s.keepalive.pong_timeout);
  o.line();
  o.line("[network]");
  o.flag("watch", s.network.watch);
  o.num("settle_ms", s.network.settle_ms);
  for (const Account& a : s.accounts) {
    o.line();
    write_account(o, a, options.resolve_inheritance);
  }
  return o.text();
}

}  // namespace sipline::config
