// Integer parsing shared by the protocol and the commands, exactly as Redis's string2ll:
// an optional '-', digits, no '+', no spaces, no leading zeroes ("-0" included), within int64.
#pragma once

#include <cstdint>
#include <string_view>

namespace firn {

bool ParseInt64(std::string_view s, int64_t* out);

}  // namespace firn
