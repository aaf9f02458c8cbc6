#include "runtime/manual_clock.hpp"

#include <cassert>
#include <utility>

namespace sipline::runtime {

std::uint64_t ManualClock::schedule(Duration delay, std::function<void()> fn) {
  if (delay < Duration::zero()) delay = Duration::zero();
  const std::uint64_t id = next_id_++;
  const TimePoint deadline = now_ + delay;
  live_.emplace(id, Entry{deadline, std::move(fn)});
  heap_.push(Slot{deadline, id});
  return id;
}

void ManualClock::cancel(std::uint64_t id) noexcept {
  if (live_.erase(id) != 0) compact();
}

bool ManualClock::pending(std::uint64_t id) const noexcept {
  return live_.find(id) != live_.end();
}

void ManualClock::skip_cancelled() const {
  while (!heap_.empty() && live_.find(heap_.top().id) == live_.end()) heap_.pop();
}

void ManualClock::compact() {
  if (heap_.size() < 64 || heap_.size() < 2 * live_.size()) return;
  std::vector<Slot> slots;
  slots.reserve(live_.size());
  for (const auto& [id, entry] : live_) slots.push_back(Slot{entry.deadline, id});
  heap_ = std::priority_queue<Slot, std::vector<Slot>, Later>(Later{}, std::move(slots));
}

std::optional<TimePoint> ManualClock::next_deadline() const {
  skip_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().deadline;
}

bool ManualClock::run_one(TimePoint limit) {
  skip_cancelled();
  if (heap_.empty() || heap_.top().deadline > limit) return false;
  const Slot slot = heap_.top();
  heap_.pop();
  auto it = live_.find(slot.id);
  // The callback is moved out before it runs: it is no longer pending, so
  // cancelling its own Timer from inside is a harmless no-op, and whatever it
  // captured stays alive until it returns even if its owner is destroyed.
  std::function<void()> fn = std::move(it->second.fn);
  live_.erase(it);
  now_ = slot.deadline;
  if (fn) fn();
  return true;
}

std::size_t ManualClock::advance_to(TimePoint t) {
  // Advancing from inside a callback would run timers out of order.
  assert(!running_ && "ManualClock::advance called from a timer callback");
  if (running_) return 0;
  running_ = true;
  std::size_t ran = 0;
  while (run_one(t)) ++ran;
  if (t > now_) now_ = t;
  running_ = false;
  return ran;
}

std::size_t ManualClock::advance(Duration d) {
  if (d < Duration::zero()) d = Duration::zero();
  return advance_to(now_ + d);
}

bool ManualClock::run_until_idle(Duration limit, std::size_t max_callbacks) {
  assert(!running_ && "ManualClock::run_until_idle called from a timer callback");
  if (running_) return false;
  running_ = true;
  const TimePoint horizon = now_ + limit;
  std::size_t ran = 0;
  while (ran < max_callbacks && run_one(horizon)) ++ran;
  running_ = false;
  return live_.empty();
}

}  // namespace sipline::runtime
