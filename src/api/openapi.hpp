// The OpenAPI 3.1 document of docs/openapi.json, compiled in.
#pragma once

#include <string_view>

namespace eventd::api {
std::string_view openapi_document();
}
