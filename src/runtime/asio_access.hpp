#pragma once
// The Asio side of EventLoop, for the code that owns sockets (transport/,
// apps/). Never include this from the sans-I/O core.

#include <asio/io_context.hpp>

#include "runtime/event_loop.hpp"

namespace sipline::runtime {

asio::io_context& io_context_of(EventLoop& loop) noexcept;

}  // namespace sipline::runtime
