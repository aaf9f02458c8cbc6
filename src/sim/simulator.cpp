#include "sim/simulator.hpp"

#include <algorithm>
#include <cctype>
#include <random>
#include <utility>

#include "reg/candidates.hpp"
#include "reg/redundancy_engine.hpp"
#include "sim/simulated_locator.hpp"
#include "txn/transaction_layer.hpp"
#include "ua/txn_request_sender.hpp"

namespace sipline::sim {

namespace {

using namespace std::chrono_literals;

constexpr runtime::Duration min_tail = 1min;
constexpr runtime::Duration max_tail = 1h;
// The TTL of the simulated A records (sim/simulated_locator.hpp).
constexpr std::uint32_t simulated_name_ttl = 300;

// The daemon's mapping (ua/user_agent.cpp): invalid values fall back to the
// RFC defaults rather than stopping the account.
txn::TimerConfig timer_config(const config::SipTimers& t) {
  txn::TimerConfig c;
  c.t1 = std::chrono::milliseconds(t.t1_ms);
  c.t2 = std::chrono::milliseconds(t.t2_ms);
  c.t4 = std::chrono::milliseconds(t.t4_ms);
  if (!c.validate()) return txn::TimerConfig{};
  return c;
}

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<const config::Account*> enabled_accounts(const config::Settings& settings) {
  std::vector<const config::Account*> out;
  for (const auto& a : settings.accounts) {
    if (a.enabled) out.push_back(&a);
  }
  return out;
}

Unexpected script_error(const FaultScript& script, const Step& step, const std::string& reason) {
  return fail(Errc::invalid_argument,
              script.file_name + ":" + std::to_string(step.line) + ": " + reason);
}

}  // namespace

runtime::Duration default_tail(const config::Settings& settings) {
  runtime::Duration longest = min_tail;
  auto consider = [&](std::uint64_t seconds) {
    longest = std::max(longest, runtime::Duration(std::chrono::seconds(seconds)));
  };
  for (const config::Account* a : enabled_accounts(settings)) {
    consider(a->registration_timeout);
    consider(a->retry.max_time > 0 ? a->retry.max_time : a->retry.fixed_interval);
    if (a->redundancy == config::RedundancyType::successive) consider(a->fallback_timeout);
    for (const reg::Hop& hop : reg::build_hops(*a)) {
      switch (hop.policy.failback_mode) {
        case config::FailbackMode::duration:
          consider(hop.policy.failback_timeout);
          break;
        case config::FailbackMode::monitor:
          consider(std::uint64_t{a->failback.probe_interval} *
                       static_cast<std::uint64_t>(std::max(a->failback.good_probes, 1)) +
                   a->failback.min_dwell);
          break;
        case config::FailbackMode::dns_ttl:
          consider(simulated_name_ttl);
          break;
        case config::FailbackMode::new_requests:
        case config::FailbackMode::registration:
          break;  // acts on requests and refreshes, counted above
      }
    }
    if (a->proxy_mode == config::ProxyMode::failover && !a->proxies.empty()) {
      consider(a->proxy_fallback_interval);
    }
  }
  return std::min(longest, max_tail);
}

struct Simulator::Impl {
  // One engine per enabled account, in configuration order.
  struct Account {
    config::Account config;
    std::unique_ptr<reg::RedundancyEngine> engine;
  };

  Impl(config::Settings s, FaultScript f, SimulationOptions o)
      : settings(std::move(s)),
        script(std::move(f)),
        options(o),
        rng(options.seed),
        network(clock, local_host(settings),
                settings.listen_port == 0 ? 5060 : settings.listen_port, options.latency),
        locator(clock, simulated_name_ttl),
        layer(
            clock, network, [this] { return rng(); },
            txn::LayerConfig{timer_config(settings.timers), 8192}),
        sender(layer, network, clock, timer_config(settings.timers)) {
    network.set_events(&upcalls);
    upcalls.layer = &layer;
  }

  ~Impl() {
    // Engines first: they hold requests in the sender and lookups in the locator.
    accounts.clear();
    call_timers.clear();
    step_timers.clear();
    network.set_events(nullptr);
  }

  static std::string local_host(const config::Settings& s) {
    // A wildcard listen address is not something a server could answer to.
    if (s.listen_address.empty() || s.listen_address == "0.0.0.0" || s.listen_address == "::") {
      return "192.0.2.1";
    }
    return s.listen_address;
  }

  // The transport's upcalls go to the transaction layer, as in ua::UserAgent.
  struct Upcalls final : transport::TransportEvents {
    txn::TransactionLayer* layer = nullptr;
    void on_message(sip::Message message, const sip::Target& source, const sip::Target&) override {
      layer->on_message(std::move(message), source);
    }
    void on_transport_error(const sip::Target& target,
                            const transport::TransportFailure& failure) override {
      layer->on_transport_error(target, failure.reason);
    }
  };

  Result<void> build_servers() {
    for (const config::Account* a : enabled_accounts(settings)) {
      accounts.push_back(Account{*a, nullptr});
    }
    if (accounts.empty()) return fail(Errc::invalid_argument, "no enabled account to simulate");
    auto add = [&](const std::string& uri, const dns::ServerSpec& spec) -> Result<std::size_t> {
      auto resolved = locator.resolve(spec);
      if (!resolved) return Unexpected{resolved.error()};
      const sip::Target target = reg::to_sip_target(*resolved);
      const std::size_t index = network.add_server(target);
      if (index == servers.size()) {
        servers.push_back(SimServer{uri, spec.host, network.server_target(index)});
      }
      return index;
    };
    // The servers requests go to, in the order the engines try them...
    for (std::size_t a = 0; a < accounts.size(); ++a) {
      for (const reg::Hop& hop : reg::build_hops(accounts[a].config)) {
        auto index = add(hop.uri, hop.locate);
        if (!index) return Unexpected{index.error()};
        if (a == 0) first_account_hops.push_back(*index);
      }
    }
    // ...then the registrars behind the proxies, so that a script may name
    // them too (they receive nothing while the proxies carry the requests).
    for (const Account& account : accounts) {
      config::Account direct = account.config;
      direct.proxies.clear();
      for (const reg::Hop& hop : reg::build_hops(direct)) {
        auto index = add(hop.uri, hop.locate);
        if (!index) return Unexpected{index.error()};
      }
    }
    return {};
  }

  Result<std::size_t> find_server(const Step& step) const {
    const ServerRef& ref = step.server;
    switch (ref.kind) {
      case ServerRef::Kind::primary:
        return first_account_hops.at(0);
      case ServerRef::Kind::backup:
        if (first_account_hops.size() < 2) {
          return script_error(
              script, step,
              "backup: account '" + accounts.front().config.name + "' has no second server");
        }
        return first_account_hops[1];
      case ServerRef::Kind::ordinal:
        if (ref.ordinal > servers.size()) {
          return script_error(script, step,
                              ref.text + ": the configuration has " +
                                  std::to_string(servers.size()) + " server" +
                                  (servers.size() == 1 ? "" : "s"));
        }
        return ref.ordinal - 1;
      case ServerRef::Kind::host:
        break;
    }
    std::optional<std::size_t> found;
    std::string known;
    for (std::size_t i = 0; i < servers.size(); ++i) {
      const SimServer& s = servers[i];
      known += (known.empty() ? "" : ", ") + s.host + ":" + std::to_string(s.target.port);
      const bool host_matches = lower(s.host) == lower(ref.host) || s.target.address == ref.host;
      if (!host_matches || (ref.port && *ref.port != s.target.port)) continue;
      if (found) {
        return script_error(script, step,
                            "'" + ref.text + "' names more than one server: add the port");
      }
      found = i;
    }
    if (!found) {
      return script_error(
          script, step,
          "no server '" + ref.text + "' in the configuration (servers: " + known + ")");
    }
    return *found;
  }

  Result<void> check_steps() {
    for (const Step& step : script.steps) {
      if (step.kind == Step::Kind::fault) {
        auto index = find_server(step);
        if (!index) return Unexpected{index.error()};
        step_servers.push_back(*index);
      } else {
        step_servers.push_back(0);
      }
      if (step.kind == Step::Kind::call && !step.account.empty() && !find_account(step.account)) {
        std::string names;
        for (const Account& a : accounts) names += (names.empty() ? "" : ", ") + a.config.name;
        return script_error(
            script, step,
            "call: no enabled account '" + step.account + "' (accounts: " + names + ")");
      }
    }
    return {};
  }

  Account* find_account(const std::string& name) {
    for (Account& a : accounts) {
      if (a.config.name == name) return &a;
    }
    return nullptr;
  }

  runtime::Duration end() const {
    if (auto e = script.end()) return *e;
    runtime::Duration last = script.last_step() + default_tail(settings);
    for (const Step& s : script.steps) {
      if (s.kind == Step::Kind::call) last = std::max(last, s.at + s.call_duration);
    }
    return last;
  }

  runtime::Duration offset() const { return clock.now() - start; }

  void emit(TimelineEntry entry) {
    entry.offset = offset();
    if (sink) (*sink)(entry);
  }

  void apply(const Step& step, std::size_t server) {
    switch (step.kind) {
      case Step::Kind::fault: {
        network.set_fault(server, step.fault);
        TimelineEntry e;
        e.kind = TimelineEntry::Kind::fault;
        e.server = servers[server].uri;
        e.detail = to_string(step.fault);
        emit(std::move(e));
        break;
      }
      case Step::Kind::call:
        start_call(step);
        break;
      case Step::Kind::address: {
        network.set_local_address(step.address);
        TimelineEntry e;
        e.kind = TimelineEntry::Kind::address_changed;
        e.detail = "local address now " + step.address;
        emit(std::move(e));
        // What the daemon's address watcher does once the change settles.
        for (Account& a : accounts) {
          if (a.engine) a.engine->network_changed();
        }
        break;
      }
      case Step::Kind::end:
        break;
    }
  }

  void start_call(const Step& step) {
    Account* account = step.account.empty() ? &accounts.front() : find_account(step.account);
    if (account == nullptr || !account->engine) return;
    account->engine->call_started();
    TimelineEntry e;
    e.kind = TimelineEntry::Kind::call_started;
    e.account = account->config.name;
    if (auto route = account->engine->route_for_new_request(true)) {
      e.server = route->server_uri;
      e.detail = "INVITE via " + reg::describe(route->target);
    } else {
      e.detail = "no server may be used: not registered";
    }
    const std::string server = e.server;
    emit(std::move(e));
    const std::string name = account->config.name;
    call_timers.push_back(clock.start(step.call_duration, [this, name, server] {
      Account* a = find_account(name);
      if (a == nullptr || !a->engine) return;
      a->engine->call_ended();
      TimelineEntry ended;
      ended.kind = TimelineEntry::Kind::call_ended;
      ended.account = name;
      ended.server = server;
      emit(std::move(ended));
    }));
  }

  void run(const Sink& s) {
    sink = &s;
    start = clock.now();
    // Steps first: at the same instant they run before the engines' timers.
    for (std::size_t i = 0; i < script.steps.size(); ++i) {
      step_timers.push_back(
          clock.start(script.steps[i].at, [this, i] { apply(script.steps[i], step_servers[i]); }));
    }
    for (Account& a : accounts) {
      reg::EngineDeps deps{sender, clock, locator,
                           [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); },
                           [this] {
                             static constexpr char hex[] = "0123456789abcdef";
                             std::string token;
                             for (int i = 0; i < 2; ++i) {
                               std::uint64_t v = rng();
                               for (int j = 0; j < 16; ++j, v >>= 4) token += hex[v & 15];
                             }
                             return token;
                           }};
      a.engine = std::make_unique<reg::RedundancyEngine>(a.config, settings.dialect, deps,
                                                         [this](const reg::Event& event) {
                                                           TimelineEntry e;
                                                           e.kind = TimelineEntry::Kind::event;
                                                           e.account = event.account;
                                                           e.event = event;
                                                           emit(std::move(e));
                                                         });
    }
    for (Account& a : accounts) a.engine->start();
    clock.advance_to(start + end());
    sink = nullptr;
  }

  config::Settings settings;
  FaultScript script;
  SimulationOptions options;
  std::mt19937_64 rng;
  runtime::ManualClock clock;
  Upcalls upcalls;
  SimulatedNetwork network;
  SimulatedLocator locator;
  txn::TransactionLayer layer;
  ua::TxnRequestSender sender;
  std::vector<Account> accounts;
  std::vector<SimServer> servers;
  std::vector<std::size_t> first_account_hops;  // server index of each hop of the first account
  std::vector<std::size_t> step_servers;        // per step: its server (fault steps)
  std::vector<runtime::Timer> step_timers;
  std::vector<runtime::Timer> call_timers;
  runtime::TimePoint start{};
  const Sink* sink = nullptr;
  bool ran = false;
};

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() = default;

Result<std::unique_ptr<Simulator>> Simulator::create(config::Settings settings, FaultScript script,
                                                     SimulationOptions options) {
  auto impl = std::make_unique<Impl>(std::move(settings), std::move(script), options);
  if (auto built = impl->build_servers(); !built) return Unexpected{built.error()};
  if (auto checked = impl->check_steps(); !checked) return Unexpected{checked.error()};
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

void Simulator::run(const Sink& sink) {
  if (impl_->ran) return;
  impl_->ran = true;
  impl_->run(sink);
}

runtime::Duration Simulator::end() const {
  return impl_->end();
}
const std::vector<SimServer>& Simulator::servers() const {
  return impl_->servers;
}
const SimulatedNetwork& Simulator::network() const {
  return impl_->network;
}
const runtime::ManualClock& Simulator::clock() const {
  return impl_->clock;
}

}  // namespace sipline::sim
