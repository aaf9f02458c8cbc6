#include "config/loader.hpp"

#include "config/diagnostics.hpp"
#include "config/toml_loader.hpp"
#include "config/yealink_loader.hpp"

namespace sipline::config {

namespace {
// A configuration is a few kilobytes; a file far larger is a mistake
// (a log, a binary) and is refused before any parsing.
constexpr std::size_t max_config_size = 1 << 20;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

Result<LoadResult> load_config(std::string_view text, std::string_view file_name) {
  if (text.size() > max_config_size) {
    return config_error(file_name, 1, "file", "larger than 1 MiB; not a configuration file");
  }
  if (ends_with(file_name, ".cfg")) return load_yealink(text, file_name);
  return load_toml(text, file_name);
}

}  // namespace sipline::config
