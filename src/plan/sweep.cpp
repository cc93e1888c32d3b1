#include "plan/sweep.h"

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/feasibility.h"
#include "core/names.h"
#include "core/thread_pool.h"

namespace fleetsim::plan {

namespace {

using core::Json;

enum class Format { jsonl, csv };
// A sweep's output format by the file name's extension.
constexpr core::NameTable<Format, 2> kFormatExtensions({{Format::jsonl, ".jsonl"}, {Format::csv, ".csv"}});

Format format_of(const std::filesystem::path& p) {
  if (auto f = kFormatExtensions.find(p.extension().string())) return *f;
  throw core::InputError(fmt::format("sweep output '{}': the name must end in .jsonl or .csv", p.string()));
}

Json header_record(const Grid& grid, const Shard& shard, const std::vector<std::string>& columns) {
  Json axes = Json::array();
  for (const auto& a : grid.axes()) axes.push_back({{"path", a.path}, {"values", a.values}});
  return {{"fleetsim_sweep",
           {{"version", 1}, {"grid", grid.fingerprint()}, {"points", grid.size()}, {"shard", shard.text()},
            {"axes", axes}, {"columns", columns}}}};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_value(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_field(v.get<std::string>());
  return csv_field(v.dump());
}

std::vector<std::string> csv_header(const Grid& grid, const std::vector<std::string>& columns) {
  std::vector<std::string> h = {"index"};
  for (const auto& a : grid.axes()) h.push_back(a.path);
  h.push_back("ok");
  h.push_back("error");
  for (const auto& c : columns) h.push_back(c);
  return h;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += fields[i];
  }
  return out + "\n";
}

// One row as the record every output format is made from.
struct Row {
  uint64_t index = 0;
  Json record;  // {"index", "point", "ok", "error"?, "result"?}
  // Why the point cannot run (its record's error is failure->to_string()), for rows evaluated now.
  std::optional<core::Infeasibility> failure;
};

std::string render(const Row& row, Format f, const Grid& grid, const std::vector<std::string>& columns) {
  if (f == Format::jsonl) return row.record.dump() + "\n";
  std::vector<std::string> fields = {std::to_string(row.index)};
  const auto c = grid.coordinates(row.index);
  for (size_t a = 0; a < grid.axes().size(); ++a) fields.push_back(csv_field(grid.axes()[a].values[c[a]]));
  const bool ok = row.record.value("ok", false);
  fields.push_back(ok ? "true" : "false");
  fields.push_back(ok ? "" : csv_field(row.record.value("error", "")));
  const Json& result = row.record.contains("result") ? row.record["result"] : Json();
  for (const auto& col : columns) fields.push_back(result.is_object() && result.contains(col) ? csv_value(result[col]) : "");
  return csv_line(fields);
}

Row evaluate_point(const Grid& grid, const Evaluator& ev, uint64_t i) {
  Row row;
  row.index = i;
  const auto overrides = grid.overrides(i);
  Json point = Json::object();
  const auto c = grid.coordinates(i);
  for (size_t a = 0; a < grid.axes().size(); ++a) point[grid.axes()[a].path] = grid.axes()[a].values[c[a]];
  row.record = {{"index", i}, {"point", point}};
  // A point is a scenario loaded with its overrides and run as `fleetsim run` runs it: scenario
  // loading and the run raise a point that cannot run as a user error, which becomes the row's
  // typed failure here (the sweep's one boundary with them).
  try {
    Json result = ev.evaluate(i, overrides);
    row.record["ok"] = true;
    row.record["result"] = std::move(result);
  } catch (const core::InputError& e) {
    row.failure = core::from_error(e);
  }
  if (row.failure) {
    row.record["ok"] = false;
    row.record["error"] = row.failure->to_string();
  }
  return row;
}

// Reads an existing output for --resume: checks it belongs to this sweep, drops a torn last
// line, and returns how many rows it holds (they must be the shard's first points, in order).
uint64_t existing_rows(const std::filesystem::path& path, Format f, const std::string& expected_header,
                       const std::vector<uint64_t>& order) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  const auto last_newline = text.rfind('\n');
  const size_t whole = last_newline == std::string::npos ? 0 : last_newline + 1;
  if (whole < text.size()) {
    std::filesystem::resize_file(path, whole);  // a row torn by a kill
    text.resize(whole);
  }
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line)) return 0;
  if (line + "\n" != expected_header) {
    throw core::InputError({path.string(), 1, 0}, "",
                           "the file was written by a different sweep (grid, shard or columns differ); "
                           "remove it or give another output");
  }
  uint64_t n = 0;
  int line_no = 1;
  while (std::getline(lines, line)) {
    ++line_no;
    uint64_t index = 0;
    try {
      if (f == Format::jsonl) index = Json::parse(line).at("index").get<uint64_t>();
      else index = std::stoull(line.substr(0, line.find(',')));
    } catch (const std::exception&) {
      throw core::InputError({path.string(), line_no, 0}, "", "not a row of this sweep");
    }
    if (n >= order.size() || order[n] != index) {
      throw core::InputError({path.string(), line_no, 0}, "",
                             fmt::format("row for point {} is out of order; the file cannot be resumed", index));
    }
    ++n;
  }
  return n;
}

}  // namespace

SweepSummary run_sweep(const Grid& grid, const Evaluator& ev, const SweepOptions& opt) {
  const Format f = format_of(opt.output);
  if (f == Format::csv && opt.shard.count > 1) {
    throw core::InputError("a shard writes JSONL (-o results.K.jsonl); `fleetsim merge` joins shards into CSV");
  }
  const auto columns = ev.columns();
  const std::string header =
      f == Format::jsonl ? header_record(grid, opt.shard, columns).dump() + "\n" : csv_line(csv_header(grid, columns));
  std::vector<uint64_t> order;
  for (uint64_t i = opt.shard.index; i < grid.size(); i += opt.shard.count) order.push_back(i);

  SweepSummary summary;
  summary.points = order.size();
  std::error_code ec;
  const bool exists = std::filesystem::exists(opt.output, ec);
  if (exists && !opt.resume) {
    throw core::InputError(fmt::format("'{}' exists: add --resume to continue it, or remove it", opt.output.string()));
  }
  if (exists) summary.resumed = existing_rows(opt.output, f, header, order);

  std::FILE* out = std::fopen(opt.output.c_str(), exists ? "ab" : "wb");
  if (!out) throw core::InputError(fmt::format("cannot write '{}'", opt.output.string()));
  if (std::filesystem::file_size(opt.output, ec) == 0) {  // new, or killed before its header was whole
    std::fwrite(header.data(), 1, header.size(), out);
    std::fflush(out);
  }
  const uint64_t todo = std::min<uint64_t>(order.size() - summary.resumed, opt.stop_after);
  if (opt.progress) opt.progress->begin("sweep", static_cast<int64_t>(order.size()));
  if (opt.progress) opt.progress->update(static_cast<int64_t>(summary.resumed));

  // Workers evaluate any pending point; whoever completes the next point in order writes every
  // consecutive row that is ready.
  std::mutex mutex;
  std::map<uint64_t, Row> ready;  // by position in `order`
  uint64_t next_to_write = 0;
  std::atomic<uint64_t> next_to_take{0};
  uint64_t failed = 0;
  auto worker = [&](size_t) {
    while (true) {
      const uint64_t k = next_to_take.fetch_add(1);
      if (k >= todo) return;
      Row row = evaluate_point(grid, ev, order[summary.resumed + k]);
      std::lock_guard lock(mutex);
      ready.emplace(k, std::move(row));
      while (!ready.empty() && ready.begin()->first == next_to_write) {
        const Row& r = ready.begin()->second;
        if (r.failure) ++failed;
        const std::string text = render(r, f, grid, columns);
        std::fwrite(text.data(), 1, text.size(), out);
        std::fflush(out);
        ready.erase(ready.begin());
        ++next_to_write;
        if (opt.progress) opt.progress->update(static_cast<int64_t>(summary.resumed + next_to_write));
      }
    }
  };
  const unsigned threads = opt.threads == 0 ? core::hardware_threads() : opt.threads;
  try {
    core::parallel_for(threads, threads, worker);
  } catch (...) {
    std::fclose(out);
    throw;
  }
  const bool closed = std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
  std::fclose(out);
  if (!closed) throw core::InputError(fmt::format("cannot write '{}'", opt.output.string()));
  if (opt.progress) opt.progress->end();
  summary.evaluated = next_to_write;
  summary.failed = failed;
  return summary;
}

uint64_t merge_shards(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output) {
  if (inputs.empty()) throw core::InputError("merge needs at least one shard file");
  const Format f = format_of(output);
  Json meta;
  std::map<uint64_t, Json> rows;
  for (const auto& in_path : inputs) {
    std::ifstream in(in_path);
    if (!in) throw core::InputError({in_path.string(), 0, 0}, "", "cannot be read");
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      Json j;
      try {
        j = Json::parse(line);
      } catch (const Json::parse_error&) {
        throw core::InputError({in_path.string(), line_no, 0}, "", "not JSON (a torn row? resume the shard first)");
      }
      if (line_no == 1) {
        if (!j.contains("fleetsim_sweep")) {
          throw core::InputError({in_path.string(), 1, 0}, "", "not a fleetsim sweep file (no header record)");
        }
        Json m = j["fleetsim_sweep"];
        m.erase("shard");
        if (meta.is_null()) meta = m;
        else if (m != meta) throw core::InputError({in_path.string(), 1, 0}, "", "from a different sweep than the first file");
        continue;
      }
      const uint64_t index = j.at("index").get<uint64_t>();
      if (!rows.emplace(index, std::move(j)).second) {
        throw core::InputError({in_path.string(), line_no, 0}, "", fmt::format("point {} appears twice", index));
      }
    }
  }
  const uint64_t points = meta.at("points").get<uint64_t>();
  if (rows.size() != points) {
    uint64_t missing = 0;
    for (uint64_t i = 0; i < points; ++i) {
      if (!rows.count(i)) {
        missing = i;
        break;
      }
    }
    throw core::InputError(fmt::format("the shards hold {} of {} points (point {} is missing)", rows.size(), points,
                                       missing));
  }
  // Rebuild the grid from the header, to render rows.
  std::vector<Axis> axes;
  for (const auto& a : meta["axes"]) axes.push_back({a["path"].get<std::string>(), a["values"].get<std::vector<std::string>>()});
  const Grid grid(std::move(axes));
  const auto columns = meta["columns"].get<std::vector<std::string>>();
  std::string text = f == Format::jsonl ? header_record(grid, Shard{}, columns).dump() + "\n"
                                        : csv_line(csv_header(grid, columns));
  for (const auto& [index, record] : rows) text += render(Row{index, record, std::nullopt}, f, grid, columns);
  core::write_file_atomically(output, text);
  return rows.size();
}

}  // namespace fleetsim::plan
