#pragma once
// Inputs for the equivalence tests of the parser's fast paths: every seed,
// and every seed with one byte replaced by, inserted from or appended from
// `alphabet`, and with one byte deleted.

#include <string>
#include <string_view>
#include <vector>

namespace sipline::sip {

// Bytes that matter to SIP URIs, header parameters and lists (separators,
// escapes, hex digits, both cases, NUL, DEL, a byte above 0x7f), for
// mutations() of message text.
inline const std::string kSipAlphabet =
    std::string(";:@.-%?[]=&0159aAfFzZ!_~+/ ,<>\"\t") + '\0' + "\x7f\xff";

inline std::vector<std::string> mutations(const std::vector<std::string>& seeds,
                                          std::string_view alphabet) {
  std::vector<std::string> out;
  for (const std::string& seed : seeds) {
    out.push_back(seed);
    for (std::size_t i = 0; i < seed.size(); ++i) {
      std::string deleted = seed;
      deleted.erase(i, 1);
      out.push_back(deleted);
      for (char c : alphabet) {
        std::string replaced = seed;
        replaced[i] = c;
        out.push_back(replaced);
        std::string inserted = seed;
        inserted.insert(i, 1, c);
        out.push_back(inserted);
      }
    }
    for (char c : alphabet) out.push_back(seed + c);
  }
  return out;
}

}  // namespace sipline::sip
