#pragma once
// A vector that keeps its first N elements inside itself, for results that
// are nearly always short (the Vias of one message, its Contacts, a Route
// set, the tokens of an Allow): building one then needs no allocation.
// Boost's small_vector has the std::vector interface, so callers iterate,
// index and grow it as they would a std::vector.

#include <boost/container/small_vector.hpp>
#include <cstddef>

namespace sipline {

template <class T, std::size_t N>
using InlineVector = boost::container::small_vector<T, N>;

}  // namespace sipline
