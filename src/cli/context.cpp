#include "cli/context.h"

namespace fleetsim::cli {

const scenario::Catalogs& Context::catalogs() {
  if (!catalogs_) catalogs_ = std::make_unique<scenario::Catalogs>(scenario::load_catalogs(paths()));
  return *catalogs_;
}

std::filesystem::path Context::scenario_path(const std::string& arg) const {
  std::filesystem::path p = arg;
  std::error_code ec;
  if (std::filesystem::exists(p, ec) || arg.find('/') != std::string::npos || p.extension() == ".yaml") return p;
  std::filesystem::path shipped = paths().scenarios() / (arg + ".yaml");
  return std::filesystem::exists(shipped, ec) ? shipped : p;
}

}  // namespace fleetsim::cli
