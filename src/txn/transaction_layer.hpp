#pragma once
// The transaction layer: owns every transaction, routes received messages to
// them (RFC 3261 §17.1.3, §17.2.3), creates server transactions for new
// requests, answers merged requests (§8.2.2.2) and drops stray responses.
//
// Lifetime rules, which are what keep this free of use-after-free:
// - The TU refers to transactions by TransactionId; a finished one is simply
//   not found.
// - A transaction that ends is unlinked at once (its keys can be reused from
//   its own on_terminated callback) but destroyed only when the outermost
//   call into the layer returns, never inside one of its own methods.
// - No callback runs from inside send_request() or respond(): a transport
//   error reported by send() is handled on the next turn of the loop.
// - Destroying the layer destroys every transaction without calling back.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "runtime/clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "txn/timer_config.hpp"
#include "txn/transaction.hpp"

namespace sipline::txn {

struct LayerConfig {
  // For server transactions, and client ones started without their own.
  // Values that fail TimerConfig::validate() are replaced by the defaults.
  TimerConfig timers;
  // Live transactions (client and server together). New requests beyond it
  // are dropped unanswered: a flood must not grow memory without bound.
  std::size_t max_transactions = 8192;
};

// Raised towards the TU for the server side.
struct ServerHandler {
  // A request that created a server transaction; answer it with respond().
  std::function<void(TransactionId, const sip::Message& request, const sip::Target& source)>
      on_request;
  // An ACK that belongs to no transaction (the ACK for a 2xx, §13.2.2.4), or
  // one an INVITE transaction in the Accepted state passes up (RFC 6026).
  std::function<void(const sip::Message& ack, const sip::Target& source)> on_ack;
  // A server transaction the TU was told about has ended.
  std::function<void(TransactionId, EndReason)> on_terminated;
};

struct LayerStats {
  std::uint64_t stray_responses = 0;    // matched no client transaction: dropped
  std::uint64_t absorbed_requests = 0;  // retransmissions taken by a server transaction
  std::uint64_t merged_requests = 0;    // answered 482 Loop Detected
  std::uint64_t dropped_requests = 0;   // over max_transactions, or unmatchable
};

class TransactionLayer final : private TransactionEnv {
 public:
  // Source of random bits for branch ids and tags; must be unpredictable in
  // production (RFC 3261 §8.1.1.7, §19.3).
  using RandomSource = std::function<std::uint64_t()>;

  TransactionLayer(runtime::TimerService& timers, sip::TransportSink& transport,
                   RandomSource random, LayerConfig config = {});
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;
  ~TransactionLayer() override;

  void set_server_handler(ServerHandler handler) { handler_ = std::move(handler); }

  // "z9hG4bK" followed by 128 random bits in hex (§8.1.1.7).
  std::string new_branch();
  // 64 random bits in hex, for To/From tags (§19.3).
  std::string new_tag();

  // Starts a client transaction for `request` towards `target`. The request
  // must carry its own top Via with a branch from new_branch() (a CANCEL
  // reuses its INVITE's, §9.1). An ACK is not a transaction: the TU sends the
  // ACK for a 2xx straight to the transport. Fails (without any callback)
  // on a malformed request, a branch already in use, invalid timer values or
  // a full table.
  Result<TransactionId> send_request(sip::Message request, sip::Target target,
                                     ClientCallbacks callbacks);
  Result<TransactionId> send_request(sip::Message request, sip::Target target,
                                     ClientCallbacks callbacks, const TimerConfig& timers);

  // Sends the TU's response on server transaction `id`. Fails with
  // Errc::not_found when the transaction has ended, Errc::invalid_state when
  // its state does not allow that response, Errc::malformed when it is not a
  // response to that request (CSeq differs).
  Result<void> respond(TransactionId id, sip::Message response);

  // Removes a transaction without calling back, for a TU that has given up
  // on it: the INVITE it CANCELled never got its final response within
  // 64*T1 (§9.1), or the dialog it served is gone. Errc::not_found if it has
  // already ended.
  Result<void> abandon(TransactionId id);

  // A message from the transport; `source` is where it came from.
  void on_message(sip::Message message, const sip::Target& source);
  // The transport's report that sending to `target` failed; every
  // transaction sending there is told.
  void on_transport_error(const sip::Target& target, sip::TransportError error);

  // The INVITE server transaction a CANCEL targets (§9.2), if still live.
  std::optional<TransactionId> find_invite(const sip::Message& cancel) const;

  // Live transactions, for introspection; nullptr once ended.
  const ClientTransaction* client(TransactionId id) const;
  const ServerTransaction* server(TransactionId id) const;
  std::size_t client_count() const noexcept { return clients_.size(); }
  std::size_t server_count() const noexcept { return servers_.size(); }
  std::size_t size() const noexcept { return clients_.size() + servers_.size(); }
  const LayerStats& stats() const noexcept { return stats_; }

 private:
  struct ClientEntry {
    std::unique_ptr<ClientTransaction> txn;
    std::string key;
  };
  struct ServerEntry {
    std::unique_ptr<ServerTransaction> txn;
    std::string key;
    std::string merge_key;  // empty when not indexed
    bool rfc2543 = false;
  };
  // Counts nested calls into the layer; the outermost one destroys the
  // transactions that ended meanwhile.
  class Scope;

  // TransactionEnv, as seen by the transactions.
  runtime::Timer start_timer(Duration delay, std::function<void()> fn) override;
  sip::SendResult send(const sip::Message& message, const sip::Target& target) override;
  void ended(TransactionId id) override;

  void on_request(sip::Message request, const sip::Target& source);
  ServerEntry* match_server(const sip::Message& request, bool is_ack);
  void answer_merged(sip::Message request, const sip::Target& source);
  ServerEntry& add_server(TransactionId id, sip::Message request, const sip::Target& source,
                          ServerCallbacks callbacks, std::string key, bool rfc2543);
  TransactionId next_id() { return TransactionId{next_id_++}; }
  void reap();

  runtime::TimerService& timers_;
  sip::TransportSink& transport_;
  RandomSource random_;
  LayerConfig config_;
  ServerHandler handler_;
  LayerStats stats_;
  std::uint64_t next_id_ = 1;
  int depth_ = 0;

  std::unordered_map<TransactionId, ClientEntry> clients_;
  std::unordered_map<TransactionId, ServerEntry> servers_;
  std::unordered_map<std::string, TransactionId> client_keys_;
  std::unordered_map<std::string, TransactionId> server_keys_;
  std::unordered_map<std::string, TransactionId> merge_keys_;
  std::vector<std::unique_ptr<TransactionBase>> ended_;
};

}  // namespace sipline::txn
