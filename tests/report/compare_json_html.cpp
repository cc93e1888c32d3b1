// Checks that a report page embeds exactly the result document written beside it, and that each
// headline figure on the page is the document's number. Usage: compare <result.json> <report.html>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "report/html.h"
#include "report/report.h"

namespace {
std::string read(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

int main(int argc, char** argv) {
  using fleetsim::core::Json;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <result.json> <report.html>\n", argv[0]);
    return 2;
  }
  const Json doc = Json::parse(read(argv[1]));
  const std::string html = read(argv[2]);
  const std::string open = "<script type=\"application/json\" id=\"fleetsim-result\">";
  auto a = html.find(open);
  if (a == std::string::npos) {
    std::printf("FAIL: no embedded result in the page\n");
    return 1;
  }
  a += open.size();
  const Json embedded = Json::parse(html.substr(a, html.find("</script>", a) - a));
  if (embedded != doc) {
    std::printf("FAIL: the page embeds a different document than the JSON file\n");
    return 1;
  }
  int checked = 0;
  for (const auto& h : fleetsim::report::headline(doc)) {
    const std::string cell = "<div class=\"value\">" + fleetsim::report::escape_html(h.value) + "</div>";
    if (html.find(cell) == std::string::npos) {
      std::printf("FAIL: headline '%s' = %s is not on the page\n", h.label.c_str(), h.value.c_str());
      return 1;
    }
    std::printf("%-28s %s\n", h.label.c_str(), h.value.c_str());
    ++checked;
  }
  if (checked == 0) {
    std::printf("FAIL: no headline figures\n");
    return 1;
  }
  std::printf("ok: same document; %d headline figures on the page\n", checked);
  return 0;
}
