// Writing outputs so that an interrupted run never leaves a half-written file: the content goes
// to a temporary file beside the target, is flushed, and is renamed over the target.
#pragma once

#include <filesystem>
#include <string_view>

namespace fleetsim::core {

// Throws InputError (no location) naming the path when the directory does not exist or the
// file cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace fleetsim::core
