#include "config/toml_loader.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "config/names.hpp"
#include "config/validation.hpp"

namespace sipline::config {
namespace {

constexpr long long max_int32 = std::numeric_limits<std::int32_t>::max();
constexpr long long one_day = 86400;

using Handler = std::function<Result<void>(const toml::node&, const std::string& key)>;

struct Field {
  std::string_view name;
  Handler handle;
};

std::uint32_t line_of(const toml::node& node) {
  return node.source().begin.line;
}

// "account[1].server" -> "account.server", as the table header is written.
std::string without_indices(std::string_view path) {
  std::string out;
  bool in_index = false;
  for (char c : path) {
    if (c == '[') in_index = true;
    if (!in_index) out += c;
    if (c == ']') in_index = false;
  }
  return out;
}

// Walks the TOML tree into a Settings. Each table is read through walk(),
// which rejects keys the table does not have; setters below check types
// and ranges and remember where each value came from.
class Reader {
 public:
  Reader(std::string_view file, LoadResult& out) : file_(file), out_(out), s_(out.settings) {}

  Result<void> read(const toml::table& root) {
    const toml::node* accounts = nullptr;
    SIPLINE_TRY(walk(root, "",
                     {
                         {"dialect", set_enum(s_.dialect, parse_dialect)},
                         {"sip", table([this](const toml::table& t, const std::string& p) {
                            return read_sip(t, p);
                          })},
                         {"dns", table([this](const toml::table& t, const std::string& p) {
                            return walk(t, p, {{"servers", set_dns_servers()}});
                          })},
                         {"tls", table([this](const toml::table& t, const std::string& p) {
                            return walk(t, p,
                                        {{"ca_file", set(s_.tls.ca_file)},
                                         {"ca_dir", set(s_.tls.ca_dir)},
                                         {"verify_peer", set(s_.tls.verify_peer)},
                                         {"client_cert", set(s_.tls.client_cert)},
                                         {"client_key", set(s_.tls.client_key)}});
                          })},
                         {"log", table([this](const toml::table& t, const std::string& p) {
                            return walk(t, p, {{"level", set_enum(s_.log_level, parse_log_level)}});
                          })},
                         {"keepalive", table([this](const toml::table& t, const std::string& p) {
                            return read_keepalive(t, p, s_.keepalive);
                          })},
                         {"network", table([this](const toml::table& t, const std::string& p) {
                            return walk(t, p,
                                        {{"watch", set(s_.network.watch)},
                                         {"settle_ms", set(s_.network.settle_ms, 0, 60000)}});
                          })},
                         {"account",
                          [&accounts](const toml::node& n, const std::string&) -> Result<void> {
                            accounts = &n;  // read after the globals, which are account defaults
                            return ok();
                          }},
                     }));
    SIPLINE_TRY(check_globals(s_, file_, [this](std::string_view key) { return line_at(key); }));
    if (accounts != nullptr) {
      SIPLINE_TRY(each_table(*accounts, "account",
                             [this](const toml::table& t, const std::string& p, std::size_t) {
                               return read_account(t, p);
                             }));
    }
    return check_account_names(s_, file_, [this](std::string_view key) { return line_at(key); });
  }

 private:
  std::string_view file_;
  LoadResult& out_;
  Settings& s_;

  std::uint32_t line_at(std::string_view key) const {
    auto it = s_.sources.find(std::string(key));
    return it == s_.sources.end() ? 0 : it->second.line;
  }

  Error error(const toml::node& node, const std::string& key, std::string_view reason) const {
    return config_error(file_, line_of(node), key, reason);
  }

  static std::string join(const std::string& prefix, std::string_view name) {
    return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
  }

  Result<void> walk(const toml::table& t, const std::string& prefix,
                    const std::vector<Field>& fields) {
    for (auto&& [key, value] : t) {
      const std::string path = join(prefix, key.str());
      const Field* field = nullptr;
      for (const Field& f : fields) {
        if (f.name == key.str()) field = &f;
      }
      if (field == nullptr) {
        std::vector<std::string_view> names;
        names.reserve(fields.size());
        for (const Field& f : fields) names.push_back(f.name);
        std::string reason = "unknown key";
        if (auto guess = closest_match(key.str(), names)) {
          reason += " (did you mean \"" + std::string(*guess) + "\"?)";
        }
        return config_error(file_, key.source().begin.line, path, reason);
      }
      s_.sources[path] = SourceLocation{std::string(file_), line_of(value)};
      SIPLINE_TRY(field->handle(value, path));
    }
    return ok();
  }

  using TableReader = std::function<Result<void>(const toml::table&, const std::string&)>;

  Handler table(const TableReader& reader) {
    return [this, reader](const toml::node& n, const std::string& key) -> Result<void> {
      const toml::table* t = n.as_table();
      if (t == nullptr) return error(n, key, "expected a table ([" + key + "])");
      return reader(*t, key);
    };
  }

  // An array of tables ([[name]]): calls `reader` with "name[i]" (1-based).
  Result<void> each_table(const toml::node& n, const std::string& key,
                          const std::function<Result<void>(const toml::table&, const std::string&,
                                                           std::size_t)>& reader) {
    const toml::array* array = n.as_array();
    if (array == nullptr) {
      return error(n, key, "expected an array of tables ([[" + without_indices(key) + "]])");
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      const std::string path = key + "[" + std::to_string(i + 1) + "]";
      const toml::table* t = element.as_table();
      if (t == nullptr) return error(element, path, "expected a table");
      s_.sources[path] = SourceLocation{std::string(file_), line_of(element)};
      SIPLINE_TRY(reader(*t, path, i));
    }
    return ok();
  }

  Result<long long> integer(const toml::node& n, const std::string& key, long long lo,
                            long long hi) const {
    const auto* v = n.as_integer();
    if (v == nullptr) return error(n, key, "expected an integer");
    const long long value = v->get();
    if (value < lo || value > hi) return error(n, key, range_reason(value, lo, hi));
    return value;
  }

  template <class T>
  Handler set(T& dst, long long lo, long long hi) {
    return [this, &dst, lo, hi](const toml::node& n, const std::string& key) -> Result<void> {
      auto v = integer(n, key, lo, hi);
      if (!v) return v.error();
      dst = static_cast<T>(*v);
      return ok();
    };
  }

  template <class T>
  Handler set(std::optional<T>& dst, long long lo, long long hi) {
    return [this, &dst, lo, hi](const toml::node& n, const std::string& key) -> Result<void> {
      auto v = integer(n, key, lo, hi);
      if (!v) return v.error();
      dst = static_cast<T>(*v);
      return ok();
    };
  }

  // failback_timeout: 0 = never; 1-59 is raised to the vendors' minimum of 60.
  template <class T>
  Handler set_failback_timeout(T& dst) {
    return [this, &dst](const toml::node& n, const std::string& key) -> Result<void> {
      auto v = integer(n, key, 0, 65535);
      if (!v) return v.error();
      if (*v > 0 && *v < 60) {
        out_.warnings.push_back(config_warning(file_, line_of(n), key,
                                               "value " + std::to_string(*v) + " raised to 60"));
      }
      dst = static_cast<std::uint32_t>(*v > 0 && *v < 60 ? 60 : *v);
      return ok();
    };
  }

  // A number of seconds where 0 means "the default" and small values make
  // no sense on the wire (registration expiry).
  Handler set_expires(std::uint32_t& dst) {
    return [this, &dst](const toml::node& n, const std::string& key) -> Result<void> {
      auto v = integer(n, key, 0, max_int32);
      if (!v) return v.error();
      if (*v > 0 && *v < min_expires) {
        return error(n, key,
                     "value " + std::to_string(*v) + " is below the minimum of " +
                         std::to_string(min_expires) + " (0 = default)");
      }
      dst = static_cast<std::uint32_t>(*v);
      return ok();
    };
  }

  Handler set(bool& dst) {
    return [this, &dst](const toml::node& n, const std::string& key) -> Result<void> {
      const auto* v = n.as_boolean();
      if (v == nullptr) return error(n, key, "expected true or false");
      dst = v->get();
      return ok();
    };
  }

  Handler set(std::optional<bool>& dst) {
    return [this, &dst](const toml::node& n, const std::string& key) -> Result<void> {
      const auto* v = n.as_boolean();
      if (v == nullptr) return error(n, key, "expected true or false");
      dst = v->get();
      return ok();
    };
  }

  Handler set(std::string& dst) {
    return [this, &dst](const toml::node& n, const std::string& key) -> Result<void> {
      const auto* v = n.as_string();
      if (v == nullptr) return error(n, key, "expected a string");
      SIPLINE_TRY(check_text(v->get(), key, line_of(n)));
      dst = v->get();
      return ok();
    };
  }

  Handler set_password(Password& dst) {
    return [this, &dst](const toml::node& n, const std::string& key) -> Result<void> {
      const auto* v = n.as_string();
      if (v == nullptr) return error(n, key, "expected a string (the value is not shown)");
      dst.value = v->get();
      if (dst.value == Password::redacted()) {
        out_.warnings.push_back(config_warning(
            file_, line_of(n), key,
            "is the placeholder printed by `sipline config`; set the real password"));
      }
      return ok();
    };
  }

  template <class E>
  Handler set_enum(E& dst, std::optional<E> (*parse)(std::string_view) noexcept) {
    return [this, &dst, parse](const toml::node& n, const std::string& key) -> Result<void> {
      const auto* v = n.as_string();
      if (v == nullptr) return error(n, key, "expected one of " + std::string(choices<E>()));
      auto parsed = parse(v->get());
      if (!parsed) {
        return error(n, key, quote(v->get()) + " is not one of " + std::string(choices<E>()));
      }
      dst = *parsed;
      return ok();
    };
  }

  template <class E>
  Handler set_enum(std::optional<E>& dst, std::optional<E> (*parse)(std::string_view) noexcept) {
    return [this, &dst, parse](const toml::node& n, const std::string& key) -> Result<void> {
      E value{};
      SIPLINE_TRY(set_enum(value, parse)(n, key));
      dst = value;
      return ok();
    };
  }

  Result<void> check_text(std::string_view text, const std::string& key, std::uint32_t line) const {
    auto reason = text_problem(text);
    if (reason) return config_error(file_, line, key, quote(text) + ": " + *reason);
    return ok();
  }

  Handler set_dns_servers() {
    return [this](const toml::node& n, const std::string& key) -> Result<void> {
      const toml::array* array = n.as_array();
      if (array == nullptr) return error(n, key, "expected an array of \"address[:port]\" strings");
      s_.dns_servers.clear();
      for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        const std::string path = key + "[" + std::to_string(i + 1) + "]";
        const auto* v = element.as_string();
        if (v == nullptr) return error(element, path, "expected an \"address[:port]\" string");
        if (auto reason = host_port_problem(v->get())) {
          return error(element, path, quote(v->get()) + ": " + *reason);
        }
        s_.dns_servers.push_back(v->get());
      }
      return ok();
    };
  }

  Result<void> read_sip(const toml::table& t, const std::string& p) {
    return walk(t, p,
                {
                    {"listen_address",
                     [this](const toml::node& n, const std::string& key) -> Result<void> {
                       SIPLINE_TRY(set(s_.listen_address)(n, key));
                       if (auto reason = host_problem(s_.listen_address)) {
                         return error(n, key, quote(s_.listen_address) + ": " + *reason);
                       }
                       return ok();
                     }},
                    {"listen_port", set(s_.listen_port, 0, 65535)},
                    {"timer_t1_ms", set(s_.timers.t1_ms, t1_range.lo, t1_range.hi)},
                    {"timer_t2_ms", set(s_.timers.t2_ms, t2_range.lo, t2_range.hi)},
                    {"timer_t4_ms", set(s_.timers.t4_ms, t4_range.lo, t4_range.hi)},
                    {"surge_prevention", set(s_.surge_prevention, 0, 60)},
                });
  }

  Result<void> read_keepalive(const toml::table& t, const std::string& p, KeepAlive& k) {
    return walk(t, p,
                {{"kind", set_enum(k.kind, parse_keepalive_kind)},
                 {"interval", set(k.interval, 1, max_int32)},
                 {"pong_timeout", set(k.pong_timeout, 1, 600)}});
  }

  Result<void> read_account(const toml::table& t, const std::string& p) {
    Account a;
    a.keepalive = s_.keepalive;
    a.surge_prevention = s_.surge_prevention;
    a.name = "account" + std::to_string(s_.accounts.size() + 1);
    SIPLINE_TRY(
        walk(t, p,
             {
                 {"name", set(a.name)},
                 {"enabled", set(a.enabled)},
                 {"id", set(a.id)},
                 {"display_name", set(a.display_name)},
                 {"username", set(a.username)},
                 {"auth_name", set(a.auth_name)},
                 {"password", set_password(a.password)},
                 {"domain", set(a.domain)},
                 {"registration_timeout", set_expires(a.registration_timeout)},
                 {"expires_overlap", set(a.expires_overlap, 0, max_int32)},
                 {"surge_prevention", set(a.surge_prevention, 0, 60)},
                 {"redundancy", set_enum(a.redundancy, parse_redundancy)},
                 {"fallback_timeout", set(a.fallback_timeout, 10, max_int32)},
                 {"redundancy_with_reg_fail", set(a.redundancy_with_reg_fail)},
                 {"proxy_mode", set_enum(a.proxy_mode, parse_proxy_mode)},
                 {"use_proxy_for_registration", set(a.use_proxy_for_registration)},
                 {"strict_routing", set(a.strict_routing)},
                 {"proxy_fallback_interval", set(a.proxy_fallback_interval, 0, max_int32)},
                 {"accept_only_from_registered", set(a.accept_only_from_registered)},
                 {"instance_id", set(a.instance_id)},
                 {"reg_id", set(a.reg_id, 1, max_int32)},
                 {"srv_all_transports", set(a.srv_all_transports)},
                 {"retry", table([this, &a](const toml::table& rt, const std::string& rp) {
                    return walk(rt, rp,
                                {{"interval", set(a.retry.fixed_interval, 1, one_day)},
                                 {"base_time", set(a.retry.base_time, 0, max_int32)},
                                 {"max_time", set(a.retry.max_time, 0, max_int32)},
                                 {"permanent_error_interval",
                                  set(a.retry.permanent_error_interval, 1, one_day)}});
                  })},
                 {"failback", table([this, &a](const toml::table& ft, const std::string& fp) {
                    return walk(ft, fp,
                                {{"probe_interval", set(a.failback.probe_interval, 1, one_day)},
                                 {"good_probes", set(a.failback.good_probes, 1, 100)},
                                 {"min_dwell", set(a.failback.min_dwell, 0, one_day)}});
                  })},
                 {"keepalive", table([this, &a](const toml::table& kt, const std::string& kp) {
                    return read_keepalive(kt, kp, a.keepalive);
                  })},
                 {"calls", table([this, &a](const toml::table& ct, const std::string& cp) {
                    return walk(ct, cp,
                                {{"ring_timeout", set(a.calls.ring_timeout, 1, 3600)},
                                 {"max_calls", set(a.calls.max_calls, 1, 100)}});
                  })},
                 {"server",
                  [this, &a](const toml::node& n, const std::string& key) {
                    return each_table(n, key,
                                      [this, &a](const toml::table& st, const std::string& sp,
                                                 std::size_t) { return read_server(st, sp, a); });
                  }},
                 {"proxy",
                  [this, &a](const toml::node& n, const std::string& key) {
                    return each_table(n, key,
                                      [this, &a](const toml::table& pt, const std::string& pp,
                                                 std::size_t) { return read_proxy(pt, pp, a); });
                  }},
             }));
    if (a.servers.empty()) {
      return error(t, p + ".server", "at least one [[account.server]] is required");
    }
    if (a.enabled && a.username.empty()) {
      return error(t, p + ".username", "required for an enabled account");
    }
    // RFC 5626 §4.5 backoff needs both bounds; one alone is a typo.
    if ((a.retry.base_time == 0) != (a.retry.max_time == 0)) {
      const std::string key = p + (a.retry.base_time == 0 ? ".retry.max_time" : ".retry.base_time");
      return config_error(
          file_, line_at(key), key,
          "retry.base_time and retry.max_time must be set together (both 0 = fixed interval)");
    }
    if (a.retry.base_time > a.retry.max_time) {
      const std::string key = p + ".retry.base_time";
      return config_error(file_, line_at(key), key,
                          range_reason(a.retry.base_time, 1, a.retry.max_time) +
                              " (must not exceed retry.max_time)");
    }
    SIPLINE_TRY(finish_account(a, s_.dialect, file_, p, line_of(t)));
    s_.accounts.push_back(std::move(a));
    return ok();
  }

  Result<void> read_server(const toml::table& t, const std::string& p, Account& a) {
    ServerEntry s;
    SIPLINE_TRY(walk(t, p,
                     {
                         {"address", set(s.address)},
                         {"port", set(s.port, 0, 65535)},
                         {"transport", set_enum(s.transport, parse_transport)},
                         {"expires", set_expires(s.expires)},
                         {"retry_counts", set(s.retry_counts, 0, 20)},
                         {"invite_retry_counts", set(s.invite_retry_counts, 1, 10)},
                         {"register_on_enable", set(s.register_on_enable)},
                         {"only_signal_with_registered", set(s.only_signal_with_registered)},
                         {"failback_mode", set_enum(s.failback_mode, parse_failback_mode)},
                         {"failback_timeout", set_failback_timeout(s.failback_timeout)},
                     }));
    if (s.address.empty()) return error(t, p + ".address", "required");
    if (auto reason = host_problem(s.address)) {
      return config_error(file_, line_at(p + ".address"), p + ".address",
                          quote(s.address) + ": " + *reason);
    }
    a.servers.push_back(std::move(s));
    return ok();
  }

  Result<void> read_proxy(const toml::table& t, const std::string& p, Account& a) {
    OutboundProxy x;
    SIPLINE_TRY(walk(t, p,
                     {
                         {"address", set(x.address)},
                         {"port", set(x.port, 0, 65535)},
                         {"transport", set_enum(x.transport, parse_transport)},
                         {"retry_counts", set(x.retry_counts, 0, 20)},
                         {"invite_retry_counts", set(x.invite_retry_counts, 1, 10)},
                         {"register_on_enable", set(x.register_on_enable)},
                         {"only_signal_with_registered", set(x.only_signal_with_registered)},
                         {"failback_mode", set_enum(x.failback_mode, parse_failback_mode)},
                         {"failback_timeout", set_failback_timeout(x.failback_timeout)},
                     }));
    if (x.address.empty()) return error(t, p + ".address", "required");
    a.proxies.push_back(std::move(x));
    return ok();
  }
};

}  // namespace

Result<LoadResult> load_toml(std::string_view text, std::string_view file_name) {
  LoadResult out;
  out.settings.dialect = Dialect::native;
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return config_error(file_name, e.source().begin.line, "syntax", e.description());
  }
  Reader reader(file_name, out);
  SIPLINE_TRY(reader.read(root));
  return out;
}

}  // namespace sipline::config
