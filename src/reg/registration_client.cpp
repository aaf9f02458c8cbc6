#include "reg/registration_client.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>

#include "auth/auth_params.hpp"
#include "reg/register_request.hpp"
#include "reg/route_set.hpp"
#include "reg/timing.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace sipline::reg {
namespace {

using runtime::Duration;
using runtime::TimePoint;

// A registrar asking for more than a day per binding (423 Min-Expires) is
// broken or hostile; registering for that long would only hide the fault.
constexpr std::uint32_t kMaxMinExpires = 86400;
// A granted lifetime is honoured up to this (or what we asked, if more):
// refreshing earlier than needed costs one request, a runaway value would
// leave the binding unchecked for years.
constexpr std::uint32_t kMaxLifetime = 86400;
// Retry-After is passed to the policy at most this large, so that a broken
// or hostile value cannot park a target for days (4294967295 happens).
constexpr std::uint32_t kMaxRetryAfter = 3600;
// Distinct public addresses we re-register for over the life of a binding.
constexpr std::size_t kMaxNatRewrites = 4;

enum class Purpose : std::uint8_t { register_, refresh, unregister };

// Final responses other than 2xx, 401/407 and 423 (handled on their own).
FailureKind failure_of_status(int code) {
  switch (code) {
    case 403:
      return FailureKind::auth_rejected;  // an administrator has to act
    case 404:
      return FailureKind::not_found;
    case 503:
      return FailureKind::service_unavailable;
    default:
      return FailureKind::server_error;
  }
}

std::string status_text(const sip::Message& response) {
  std::string out = std::to_string(response.status_code());
  if (!response.reason_phrase().empty()) {
    out += ' ';
    out += auth::printable(response.reason_phrase());
  }
  return out;
}

std::uint32_t retry_after_of(const sip::Message& response) {
  auto value = response.retry_after();
  return value ? std::min(value->seconds, kMaxRetryAfter) : 0;
}

std::vector<std::string> route_uris(const sip::Message& response, sip::HeaderId id) {
  std::vector<std::string> out;
  // A list we cannot read counts as absent: keeping the previous one would
  // route through a stale service path (RFC 3608 §6.1 replaces it per 2xx).
  auto list = response.name_addrs(id);
  if (!list) return out;
  out.reserve(list->size());
  for (const sip::NameAddr& entry : *list) out.emplace_back(entry.uri.raw);
  return out;
}

std::string host_port_text(std::string_view host, std::uint16_t port) {
  std::string out;
  const bool ipv6 = host.find(':') != std::string_view::npos;
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

bool same_address(const LocalAddress& a, std::string_view host, std::uint16_t port) {
  const std::string x = host_port_text(a.host, a.port);
  const std::string y = host_port_text(host, port);
  auto hx = sip::parse_host_port(x);
  auto hy = sip::parse_host_port(y);
  if (!hx || !hy) return x == y;
  return sip::host_port_equivalent(*hx, *hy);
}

// Only a numeric address is a usable rewrite: anything else in received is
// not what RFC 3261 §18.2.1 puts there.
bool numeric_address(std::string_view host, std::uint16_t port) {
  auto parsed = sip::parse_host_port(host_port_text(host, port));
  return parsed && parsed->kind != sip::HostKind::hostname;
}

std::string_view bare_instance(std::string_view instance) {
  if (instance.size() >= 2 && instance.front() == '<' && instance.back() == '>') {
    return instance.substr(1, instance.size() - 2);
  }
  return instance;
}

}  // namespace

struct RegistrationClient::Impl {
  // One logical REGISTER with the resends its 401/407 and 423 cause.
  struct Attempt {
    Purpose purpose = Purpose::register_;
    std::uint32_t expires = 0;
    std::string contact;
    std::string retired_contact;  // removed in the same request
    bool min_expires_retried = false;
    bool nat_rewrite = false;  // this is the re-registration after a NAT change
  };

  Impl(BindingConfig c, auth::DigestClient d, RequestSender& s, runtime::TimerService& t,
       RandomSource r, std::function<void(const ClientEvent&)> e)
      : config(std::move(c)),
        digest(std::move(d)),
        sender(s),
        timers(t),
        random(std::move(r)),
        on_event(std::move(e)),
        route(build_route(config.registrar_uri, config.route_set, config.strict_routing)),
        requested(config.expires == 0 ? 3600 : config.expires) {}

  // ---- commands ----

  void start() {
    switch (state) {
      case ClientState::idle:
        begin_binding();
        [[fallthrough]];
      case ClientState::failed:
        notify_timer.cancel();
        stop_queued = false;
        if (contact.empty()) {
          use_local_contact();
        } else {
          recheck_address();
        }
        state = ClientState::registering;
        // A Contact left over from a NAT rewrite that failed goes in this one.
        attempt =
            Attempt{Purpose::register_, requested, contact, unconfirmed_old_contact, false, false};
        send({});
        return;
      case ClientState::registering:
      case ClientState::refreshing:
        stop_queued = false;
        return;
      case ClientState::registered:
        return;
      case ClientState::unregistering:
        start_queued = true;
        return;
    }
  }

  void refresh_now() {
    if (state == ClientState::registered) begin_refresh();
  }

  // The host's addresses or routes changed. If the address a request to the
  // registrar would leave from is no longer the one our Contact was built
  // on, the binding must move: one REGISTER adds the new Contact and removes
  // the old one (RFC 3261 §10.2.1, §10.2.2), on the same registrar.
  AddressChange network_changed() {
    if (contact.empty()) return {};  // no binding yet: the first REGISTER asks anyway
    const std::optional<LocalAddress> now = moved_address();
    if (!now) return {};
    AddressChange change{true, host_port_text(local_address_used.host, local_address_used.port),
                         host_port_text(now->host, now->port)};
    switch (state) {
      case ClientState::registered:
        move_contact(*now);
        begin_refresh();
        return change;
      case ClientState::registering:
      case ClientState::refreshing:
        // The REGISTER in flight carries the old Contact: its outcome moves it.
        address_recheck = true;
        return change;
      case ClientState::failed:
        move_contact(*now);  // the next attempt carries it
        return change;
      case ClientState::idle:
      case ClientState::unregistering:
        return {};
    }
    return {};
  }

  // After an outcome: if the address moved while a REGISTER was in flight,
  // move the Contact now. True when a new REGISTER went out for it.
  bool recheck_address() {
    if (!address_recheck) return false;
    address_recheck = false;
    const std::optional<LocalAddress> now = moved_address();
    if (!now) return false;
    move_contact(*now);
    return true;
  }

  // The local address requests to the registrar leave from now, when its
  // host differs from the one the Contact was built on. Only the host
  // counts, and the port stays the Contact's: the listening sockets did not
  // move, and over TCP/TLS the sender reports a connection's ephemeral
  // local port, which is not where requests reach us (RFC 3261 §18.2.1).
  std::optional<LocalAddress> moved_address() {
    LocalAddress now = sender.local_address(config.target);
    if (now.host.empty()) return std::nullopt;
    if (same_address(local_address_used, now.host, local_address_used.port)) return std::nullopt;
    now.port = local_address_used.port;
    return now;
  }

  void move_contact(const LocalAddress& now) {
    // A Contact still awaiting its removal from an earlier move is replaced
    // as the one to remove: the current Contact is the binding that exists.
    unconfirmed_old_contact = contact;
    contact_move_pending = true;
    nat_seen.clear();  // the NAT in front of the new address is a new one
    contact_address = now;
    local_address_used = now;
    contact = contact_uri(config.contact_user, contact_address);
  }

  void stop() {
    start_queued = false;
    switch (state) {
      case ClientState::idle:
      case ClientState::unregistering:
        return;
      case ClientState::registered:
        begin_unregister({});
        return;
      case ClientState::registering:
      case ClientState::refreshing:
        stop_queued = true;
        return;
      case ClientState::failed:
        if (binding_may_exist()) {
          begin_unregister({});
        } else {
          go_idle();
        }
        return;
    }
  }

  void abandon() {
    ++generation;
    pending.reset();
    finished.reset();
    go_idle();
    start_queued = false;
    contact.clear();
    nat_seen.clear();
    digest.reset();
  }

  // ---- sending ----

  double draw() {
    const double u = random ? random() : 0.5;
    return std::isfinite(u) ? std::clamp(u, 0.0, 0.999999) : 0.5;
  }

  // A new binding: a new From tag (§10.2 leaves it to the UA; a new one per
  // binding keeps two bindings of one Call-ID apart in traces).
  void begin_binding() {
    ++bindings;
    const auto bits = static_cast<std::uint32_t>(draw() * 4294967296.0);
    static constexpr char kHex[] = "0123456789abcdef";
    from_tag.clear();
    for (int shift = 28; shift >= 0; shift -= 4) from_tag += kHex[(bits >> shift) & 0xfU];
    from_tag += '.';
    from_tag += std::to_string(bindings);
    contact.clear();
    nat_seen.clear();
    unconfirmed_old_contact.clear();
    address_recheck = false;
    contact_move_pending = false;
  }

  void use_local_contact() {
    contact_address = sender.local_address(config.target);
    local_address_used = contact_address;
    contact = contact_uri(config.contact_user, contact_address);
  }

  // Sends the current attempt with a new CSeq (same Call-ID and From tag).
  void send(std::vector<auth::AuthorizationHeader> authorization) {
    if (!route) {
      fail_soon("registrar or route set: " + route.error().message);
      return;
    }
    const auth::Request digest_request{"REGISTER", route->request_uri, {}};
    if (authorization.empty()) {
      // Credentials for the spaces already challenged (RFC 3261 §22.3), so a
      // refresh does not cost a 401 round trip. A failure here only means
      // the server will challenge.
      auto preemptive = digest.authorize(digest_request);
      if (preemptive) authorization = std::move(*preemptive);
    }
    ++cseq;
    RegisterRequest request;
    request.binding = &config;
    request.route = &*route;
    request.from_tag = from_tag;
    request.cseq = cseq;
    request.expires = attempt.expires;
    request.contact = attempt.contact;
    request.retired_contact = attempt.retired_contact;
    request.authorization = authorization;
    auto built = build_register(request);
    if (!built) {
      fail_soon(built.error().message);
      return;
    }
    const std::uint64_t id = ++generation;
    SendOptions options;
    options.offer_keep = config.offer_keep;
    pending = sender.send_with_options(
        std::move(*built), config.target, config.retransmit_budget, options,
        [this, id](RequestOutcome outcome) { on_outcome(id, std::move(outcome)); });
  }

  // The request cannot be built: report it as the attempt's failure, from a
  // timer so that nothing is reported from inside a command.
  void fail_soon(std::string reason) {
    const std::uint64_t id = ++generation;
    pending.reset();
    notify_timer = timers.start(Duration::zero(), [this, id, reason = std::move(reason)] {
      if (id == generation) finish_failure(FailureKind::unreachable, 0, reason, 0);
    });
  }

  void begin_refresh() {
    refresh_timer.cancel();
    next_refresh.reset();
    state = ClientState::refreshing;
    attempt = Attempt{Purpose::refresh, requested, contact, unconfirmed_old_contact, false, false};
    send({});
  }

  void begin_unregister(std::vector<auth::AuthorizationHeader> authorization) {
    refresh_timer.cancel();
    next_refresh.reset();
    state = ClientState::unregistering;
    // An address we moved away from whose removal was never confirmed goes too.
    attempt = Attempt{Purpose::unregister, 0, contact, unconfirmed_old_contact, false, false};
    send(std::move(authorization));
  }

  bool binding_may_exist() const { return expires_at && *expires_at > timers.now(); }

  // ---- outcomes ----

  void on_outcome(std::uint64_t id, RequestOutcome outcome) {
    // Stale-callback guard: only the request in flight may move the state.
    if (id != generation || !pending) return;
    // Kept until the next outcome rather than destroyed inside its own callback.
    finished = std::move(pending);
    if (outcome.response) {
      on_response(*outcome.response);
    } else if (outcome.transport_error) {
      finish_failure(failure_kind_of(*outcome.transport_error), 0,
                     "transport error: " + std::string(to_string(*outcome.transport_error)), 0);
    } else {
      std::string reason = "no response to REGISTER";
      if (!sip::is_reliable(config.target.transport)) {
        reason += " after " + std::to_string(config.retransmit_budget) + " retransmissions";
      }
      finish_failure(FailureKind::timeout, 0, reason, 0);
    }
  }

  void on_response(const sip::Message& response) {
    const int code = response.status_code();
    if (code != 401 && code != 407) digest.on_accepted();
    if (code >= 200 && code < 300) {
      on_success(response);
    } else if (code == 401 || code == 407) {
      on_challenge(response);
    } else if (code == 423 && attempt.purpose != Purpose::unregister) {
      on_interval_too_brief(response);
    } else {
      const std::uint32_t retry_after = retry_after_of(response);
      std::string reason = status_text(response);
      if (retry_after > 0) reason += " (Retry-After " + std::to_string(retry_after) + ")";
      finish_failure(failure_of_status(code), code, std::move(reason), retry_after);
    }
  }

  void on_challenge(const sip::Message& response) {
    std::vector<auth::ChallengeValue> challenges;
    for (const sip::HeaderField& field : response.headers()) {
      if (field.id == sip::HeaderId::www_authenticate) {
        challenges.push_back({auth::ChallengeOrigin::www_authenticate, field.value});
      } else if (field.id == sip::HeaderId::proxy_authenticate) {
        challenges.push_back({auth::ChallengeOrigin::proxy_authenticate, field.value});
      }
    }
    const std::string digest_uri = route->request_uri;
    // The DigestClient refuses a challenge of a nonce it already answered
    // (the password is wrong) and bounds the answers per realm, so this
    // cannot loop.
    auto answer = digest.respond(challenges, {"REGISTER", digest_uri, {}});
    if (!answer) {
      finish_failure(FailureKind::auth_rejected, response.status_code(),
                     status_text(response) + ": " + answer.error().message, 0);
      return;
    }
    if (divert_to_stop(*answer, response.status_code(), status_text(response))) return;
    send(std::move(*answer));
  }

  // §10.2.8: retry once with the registrar's Min-Expires, if it is sane.
  void on_interval_too_brief(const sip::Message& response) {
    auto min = response.min_expires();
    std::string reason = status_text(response);
    if (!min) {
      finish_failure(FailureKind::server_error, 423, reason + " without a usable Min-Expires", 0);
      return;
    }
    reason += " (Min-Expires " + std::to_string(*min) + ")";
    if (attempt.min_expires_retried || *min <= attempt.expires || *min > kMaxMinExpires) {
      finish_failure(FailureKind::server_error, 423, std::move(reason), 0);
      return;
    }
    if (divert_to_stop({}, 423, reason)) return;
    requested = *min;
    attempt.expires = *min;
    attempt.min_expires_retried = true;
    send({});
  }

  // The lifetime of our binding in a 2xx (§10.2.4): the expires parameter of
  // our Contact (matched by §19.1.4 URI equality, else by +sip.instance and
  // reg-id), else the Expires header, else what we asked for.
  std::uint32_t granted_lifetime(const sip::Message& response) const {
    std::optional<std::uint32_t> granted;
    if (auto contacts = response.contacts()) {
      const sip::ContactValue* ours = nullptr;
      if (auto our_uri = sip::parse_uri(attempt.contact)) {
        for (const sip::ContactValue& c : *contacts) {
          if (!c.star && sip::uri_equivalent(c.address.uri, *our_uri)) {
            ours = &c;
            break;
          }
        }
      }
      if (ours == nullptr && !config.instance_id.empty()) {
        const std::string_view urn = bare_instance(config.instance_id);
        for (const sip::ContactValue& c : *contacts) {
          const auto instance = c.instance();
          if (c.star || !instance || !auth::iequals(bare_instance(*instance), urn)) continue;
          if (config.reg_id && c.reg_id() != config.reg_id) continue;
          ours = &c;
          break;
        }
      }
      if (ours != nullptr) granted = ours->expires();
    }
    if (!granted) {
      if (auto header = response.expires()) granted = *header;
    }
    const std::uint32_t value = granted.value_or(attempt.expires);
    return std::min(value, std::max(attempt.expires, kMaxLifetime));
  }

  void on_success(const sip::Message& response) {
    const int code = response.status_code();
    if (attempt.purpose == Purpose::unregister) {
      finish_unregister(FailureKind::none, code, status_text(response));
      return;
    }
    const std::uint32_t granted = granted_lifetime(response);
    if (granted == 0) {
      // Reliability: a 2xx that binds nothing is not a registration.
      expires_at.reset();
      finish_failure(FailureKind::server_error, code,
                     status_text(response) + " without a lifetime for our Contact", 0);
      return;
    }
    const TimePoint now = timers.now();
    expires_at = now + std::chrono::duration_cast<Duration>(std::chrono::seconds(granted));
    // RFC 3608 §6.1: each 2xx replaces the service route; none clears it.
    service_route = route_uris(response, sip::HeaderId::service_route);
    path = route_uris(response, sip::HeaderId::path);
    // The registrar removed the Contact we retired with this request.
    if (!attempt.retired_contact.empty() && attempt.retired_contact == unconfirmed_old_contact) {
      unconfirmed_old_contact.clear();
    }

    if (divert_to_stop({}, code, status_text(response))) return;
    if (recheck_address()) {
      begin_refresh();
      return;
    }
    if (rewrite_contact(response)) return;

    state = ClientState::registered;
    const Duration delay =
        std::chrono::duration_cast<Duration>(refresh_delay(granted, config.overlap, draw()));
    next_refresh = now + delay;
    const std::uint64_t id = generation;
    refresh_timer = timers.start(delay, [this, id] {
      if (id == generation && state == ClientState::registered) begin_refresh();
    });

    ClientEvent event;
    event.kind = ClientEvent::Kind::registered;
    event.status_code = code;
    event.reason = status_text(response);
    event.granted_expires = granted;
    event.service_route = service_route;
    event.path = path;
    event.refresh = attempt.purpose == Purpose::refresh;
    if (contact_move_pending) {
      contact_move_pending = false;
      event.contact_moved_to = contact;
    }
    event.flow_timer = flow_timer(response);
    // RFC 6223 §4.2: the next hop's answer to our `keep` offer.
    if (response.top_via().keep_value && *response.top_via().keep_value > 0) {
      event.keep_interval = response.top_via().keep_value;
    }
    emit(event);
  }

  // RFC 5626 §5.2: Flow-Timer = 1*DIGIT, the seconds the server lets a flow
  // stay silent. Garbage or zero is ignored.
  static std::optional<std::uint32_t> flow_timer(const sip::Message& response) {
    const auto value = response.header("Flow-Timer");
    if (!value) return std::nullopt;
    std::string_view text = *value;
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty() || text.size() > 9) return std::nullopt;
    std::uint32_t seconds = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      seconds = seconds * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (seconds == 0) return std::nullopt;
    return seconds;
  }

  // RFC 3581 §4: the registrar saw us at received:rport. When that is not
  // our Contact, a NAT sits between us and it, and requests to the Contact
  // would not reach us: register the seen address and remove the old one in
  // the same REGISTER. Never for the response of such a re-registration
  // itself, and once per distinct address, so a registrar whose view keeps
  // changing cannot make us loop.
  bool rewrite_contact(const sip::Message& response) {
    if (!config.rewrite_contact_on_nat || attempt.nat_rewrite) return false;
    const sip::Via& via = response.top_via();
    if (!via.rport_value) return false;
    const std::string host(via.received ? *via.received : via.sent_by.host);
    const std::uint16_t port = *via.rport_value;
    if (same_address(contact_address, host, port) || !numeric_address(host, port)) return false;
    const auto seen = std::make_pair(host, port);
    if (std::find(nat_seen.begin(), nat_seen.end(), seen) != nat_seen.end()) return false;
    if (nat_seen.size() >= kMaxNatRewrites) return false;
    nat_seen.push_back(seen);

    unconfirmed_old_contact = contact;
    contact_address = LocalAddress{host, port, contact_address.transport};
    contact = contact_uri(config.contact_user, contact_address);
    attempt.retired_contact = unconfirmed_old_contact;
    attempt.contact = contact;
    attempt.expires = requested;
    attempt.min_expires_retried = false;
    attempt.nat_rewrite = true;
    send({});
    return true;
  }

  // A stop() queued while this REGISTER was in flight takes over: unregister
  // if a binding may exist, else report that we are unregistered.
  bool divert_to_stop(std::vector<auth::AuthorizationHeader> authorization, int status,
                      std::string reason) {
    if (!stop_queued || attempt.purpose == Purpose::unregister) return false;
    stop_queued = false;
    if (binding_may_exist()) {
      begin_unregister(std::move(authorization));
    } else {
      finish_unregister(FailureKind::none, status, std::move(reason));
    }
    return true;
  }

  void finish_failure(FailureKind failure, int status, std::string reason,
                      std::uint32_t retry_after) {
    if (attempt.purpose == Purpose::unregister) {
      // The binding is assumed gone either way; the registrar expires it.
      finish_unregister(failure, status, std::move(reason));
      return;
    }
    if (stop_queued) {
      stop_queued = false;
      if (binding_may_exist()) {
        begin_unregister({});
      } else {
        finish_unregister(failure, status, std::move(reason));
      }
      return;
    }
    state = ClientState::failed;
    refresh_timer.cancel();
    next_refresh.reset();

    ClientEvent event;
    event.kind = ClientEvent::Kind::failed;
    event.failure = failure;
    event.status_code = status;
    event.reason = std::move(reason);
    event.retry_after = retry_after;
    event.refresh = attempt.purpose == Purpose::refresh;
    emit(event);
  }

  void finish_unregister(FailureKind failure, int status, std::string reason) {
    go_idle();
    const bool restart = start_queued;
    start_queued = false;

    ClientEvent event;
    event.kind = ClientEvent::Kind::unregistered;
    event.failure = failure;
    event.status_code = status;
    event.reason = std::move(reason);
    const std::weak_ptr<int> alive_while = alive;
    emit(event);
    // The handler may have destroyed us or started again itself.
    if (restart && !alive_while.expired() && state == ClientState::idle) start();
  }

  void go_idle() {
    state = ClientState::idle;
    refresh_timer.cancel();
    notify_timer.cancel();
    expires_at.reset();
    next_refresh.reset();
    service_route.clear();
    path.clear();
    stop_queued = false;
    unconfirmed_old_contact.clear();
  }

  void emit(const ClientEvent& event) {
    if (on_event) on_event(event);
  }

  // ---- state ----

  BindingConfig config;
  auth::DigestClient digest;
  RequestSender& sender;
  runtime::TimerService& timers;
  RandomSource random;
  std::function<void(const ClientEvent&)> on_event;
  Result<RequestRoute> route;
  std::shared_ptr<int> alive = std::make_shared<int>(0);

  ClientState state = ClientState::idle;
  std::uint32_t requested;  // lifetime asked for; a 423 raises it
  std::uint32_t cseq = 0;   // one sequence for the Call-ID, across bindings
  std::uint64_t bindings = 0;
  std::string from_tag;

  std::string contact;  // our Contact URI
  LocalAddress contact_address;
  LocalAddress local_address_used;    // what the sender said when `contact` was last built from it
  bool address_recheck = false;       // the address changed while a REGISTER was in flight
  bool contact_move_pending = false;  // moved; the next 2xx confirms it
  std::string unconfirmed_old_contact;  // pre-NAT-rewrite Contact not yet known removed
  std::vector<std::pair<std::string, std::uint16_t>> nat_seen;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> next_refresh;
  std::vector<std::string> service_route;
  std::vector<std::string> path;

  Attempt attempt;
  std::unique_ptr<PendingRequest> pending;
  std::unique_ptr<PendingRequest> finished;
  std::uint64_t generation = 0;  // bumped per request sent; older callbacks are ignored
  bool stop_queued = false;
  bool start_queued = false;
  runtime::Timer refresh_timer;
  runtime::Timer notify_timer;
};

RegistrationClient::RegistrationClient(BindingConfig config, auth::DigestClient digest,
                                       RequestSender& sender, runtime::TimerService& timers,
                                       RandomSource random,
                                       std::function<void(const ClientEvent&)> on_event)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(digest), sender, timers,
                                   std::move(random), std::move(on_event))) {}

RegistrationClient::~RegistrationClient() = default;

void RegistrationClient::start() {
  impl_->start();
}
void RegistrationClient::refresh_now() {
  impl_->refresh_now();
}
AddressChange RegistrationClient::network_changed() {
  return impl_->network_changed();
}
void RegistrationClient::stop() {
  impl_->stop();
}
void RegistrationClient::abandon() {
  impl_->abandon();
}

ClientState RegistrationClient::state() const noexcept {
  return impl_->state;
}

const std::string& RegistrationClient::contact() const noexcept {
  return impl_->contact;
}
const BindingConfig& RegistrationClient::config() const noexcept {
  return impl_->config;
}

std::optional<runtime::TimePoint> RegistrationClient::expires_at() const noexcept {
  return impl_->expires_at;
}

std::optional<runtime::TimePoint> RegistrationClient::next_refresh() const noexcept {
  return impl_->next_refresh;
}

const std::vector<std::string>& RegistrationClient::service_route() const noexcept {
  return impl_->service_route;
}

const std::vector<std::string>& RegistrationClient::path() const noexcept {
  return impl_->path;
}

}  // namespace sipline::reg
