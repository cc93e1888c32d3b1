#include "result/document.h"

namespace fleetsim::result {

Document read_document(const Json& j) { return from_json<Document>(j); }

}  // namespace fleetsim::result
