#include "dns/caching_locator.hpp"

#include <algorithm>
#include <random>

#include "dns/ip_literal.hpp"

namespace sipline::dns {
namespace {

// Each locate() needs at most three rounds (NAPTR, SRV, addresses); the
// bound only guards against a bug turning into a loop.
constexpr std::size_t max_rounds = 8;

}  // namespace

CachingLocator::CachingLocator(Resolver& resolver, runtime::TimerService& timers,
                               LocatorOptions options, SeedSource seeds)
    : resolver_(resolver),
      timers_(timers),
      options_(std::move(options)),
      seeds_(std::move(seeds)),
      cache_(options_.cache) {
  if (!seeds_) {
    std::random_device device;
    seed_base_ = (std::uint64_t{device()} << 32) | device();
  }
}

CachingLocator::~CachingLocator() {
  // In-flight lookups cancel themselves as inflight_ goes; nothing calls back.
  ops_.clear();
  inflight_.clear();
}

Lookup CachingLocator::locate(const ServerSpec& spec, Callback callback) {
  const std::uint64_t id = next_id_++;
  ++stats_.locates;
  Operation op;
  op.spec = spec;
  op.callback = std::move(callback);
  // Without a seed source: a per-locator random start, then a counter, so
  // that clients spread over equal-priority servers as RFC 2782 intends.
  op.seed = seeds_ ? seeds_() : seed_base_ + ++seed_counter_ * 0x9e3779b97f4a7c15ULL;
  // Never call back from inside locate(), even with everything cached.
  op.start = timers_.start(runtime::Duration::zero(), [this, id] { run(id); });
  ops_.emplace(id, std::move(op));
  return make_lookup(id);
}

Result<void> CachingLocator::add_host(std::string_view name, std::span<const std::string> addresses,
                                      StaticMode mode) {
  if (!is_valid_domain_name(name)) {
    return fail(Errc::malformed, "static host: not a host name: " + std::string(name));
  }
  Answer v4{Answer::Status::nodata, RecordType::a, 0, {}, {}, {}};
  Answer v6{Answer::Status::nodata, RecordType::aaaa, 0, {}, {}, {}};
  for (const std::string& text : addresses) {
    const auto ip = parse_ip_literal(text);
    if (!ip) {
      return fail(Errc::malformed,
                  "static host " + std::string(name) + ": not an address: " + text);
    }
    Answer& target = ip->family == Family::ipv4 ? v4 : v6;
    target.status = Answer::Status::ok;
    target.addresses.push_back({to_string(*ip), ip->family, 0});
  }
  add_static({std::string(name), RecordType::a}, std::move(v4), mode);
  add_static({std::string(name), RecordType::aaaa}, std::move(v6), mode);
  return ok();
}

void CachingLocator::add_static(const Query& query, Answer answer, StaticMode mode) {
  answer.type = query.type;
  static_.insert_or_assign(key_of(query), StaticEntry{std::move(answer), mode});
}

void CachingLocator::run(std::uint64_t id) {
  for (std::size_t guard = 0; guard < max_rounds; ++guard) {
    const auto it = ops_.find(id);
    if (it == ops_.end()) return;
    Operation& op = it->second;
    if (++op.rounds > max_rounds) break;

    const AnswerSource source = [&op](const Query& q) {
      AnswerView view;
      const auto p = op.pinned.find(key_of(q));
      if (p == op.pinned.end()) return view;
      if (p->second.failed) {
        view.state = AnswerView::State::failed;
        return view;
      }
      view.state = AnswerView::State::answered;
      view.answer = &p->second.answer;
      view.remaining_ttl = p->second.remaining_ttl;
      return view;
    };
    const SelectionOutcome outcome = select_targets(op.spec, options_.selection, source, op.seed);
    if (outcome.missing.empty()) {
      complete(id, finish(outcome, op.spec));
      return;
    }
    for (const Query& q : outcome.missing) fetch(id, op, q);
    // Either questions are in flight (on_answer() runs the next round) or
    // everything came from the cache and the next round can run now.
    if (op.waiting > 0) return;
  }
  complete(id, fail(Errc::invalid_state, "server location did not converge"));
}

bool CachingLocator::fetch(std::uint64_t id, Operation& op, const Query& query) {
  const Key key = key_of(query);
  if (const auto s = static_.find(key);
      s != static_.end() && s->second.mode == StaticMode::override) {
    ++stats_.static_answers;
    op.pinned[key] = Pinned{false, s->second.answer, 0};
    return true;
  }
  const auto now = timers_.now();
  if (const auto hit = cache_.find(query, now);
      hit && hit->freshness == DnsCache::Freshness::fresh) {
    ++stats_.cache_hits;
    Answer answer = *hit->answer;
    // A name-wide NXDOMAIN answering another type keeps the type asked for.
    answer.type = query.type;
    op.pinned[key] = Pinned{false, std::move(answer), hit->remaining_ttl};
    return true;
  }
  ++op.waiting;
  if (const auto f = inflight_.find(key); f != inflight_.end()) {
    ++stats_.coalesced;
    f->second.waiters.push_back(id);
    return false;
  }
  ++stats_.resolver_queries;
  InFlight entry{query, {}, {id}};
  auto [slot, inserted] = inflight_.emplace(key, std::move(entry));
  (void)inserted;
  // The resolver never calls back from inside resolve(), so the slot exists
  // when it does.
  slot->second.lookup = resolver_.resolve(
      query, [this, key](Result<Answer> result) { on_answer(key, std::move(result)); });
  return false;
}

void CachingLocator::on_answer(const Key& key, Result<Answer> result) {
  const auto f = inflight_.find(key);
  if (f == inflight_.end()) return;
  const Query query = f->second.query;
  const std::vector<std::uint64_t> waiters = std::move(f->second.waiters);
  // The lookup has finished; its handle may go now.
  inflight_.erase(f);

  const auto now = timers_.now();
  Pinned pinned;
  if (result) {
    Answer answer = std::move(result).value();
    answer.type = query.type;
    cache_.store(query, answer, now);
    const bool negative = !answer.positive();
    pinned.remaining_ttl =
        std::min(answer.ttl, negative ? options_.cache.max_negative_ttl : options_.cache.max_ttl);
    pinned.answer = std::move(answer);
  } else if (const auto stale = cache_.serve_stale(query, now)) {
    ++stats_.stale_served;
    pinned.answer = *stale->answer;
    pinned.remaining_ttl = stale->remaining_ttl;
  } else if (const auto s = static_.find(key); s != static_.end()) {
    ++stats_.static_answers;
    pinned.answer = s->second.answer;
  } else {
    pinned.failed = true;
  }

  for (const std::uint64_t id : waiters) {
    const auto it = ops_.find(id);
    if (it == ops_.end()) continue;
    Operation& op = it->second;
    op.pinned[key] = pinned;
    if (op.waiting > 0) --op.waiting;
    // run() may complete the operation and call back into this object.
    if (op.waiting == 0) run(id);
  }
}

void CachingLocator::complete(std::uint64_t id, Result<std::vector<ResolvedTarget>> result) {
  const auto it = ops_.find(id);
  if (it == ops_.end()) return;
  Callback callback = std::move(it->second.callback);
  detach(id);
  ops_.erase(it);
  if (callback) callback(std::move(result));
}

void CachingLocator::detach(std::uint64_t id) noexcept {
  for (auto it = inflight_.begin(); it != inflight_.end();) {
    auto& waiters = it->second.waiters;
    waiters.erase(std::remove(waiters.begin(), waiters.end(), id), waiters.end());
    // Nobody waits for it any more: stop asking.
    if (waiters.empty()) {
      it = inflight_.erase(it);
    } else {
      ++it;
    }
  }
}

void CachingLocator::cancel_operation(std::uint64_t id) noexcept {
  detach(id);
  ops_.erase(id);
}

bool CachingLocator::operation_pending(std::uint64_t id) const noexcept {
  return ops_.find(id) != ops_.end();
}

}  // namespace sipline::dns
