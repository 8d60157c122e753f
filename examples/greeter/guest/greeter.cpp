// The greeter guest, as a user writes it: implement the world's export with
// the generated bindings.  `ctx` is a borrowed handle; the generated glue
// releases it after greet returns, so there is no drop call anywhere here.
#include <string>

#include "greeter.h"

namespace exports::example::greeter {

using namespace ::example::greeter;

Response greet(Request req, const Context& ctx) {
  std::string greeting = "Hello, ";
  greeting += req.name.view();
  greeting += "!";
  return Response{.greeting = greeting, .request_id = ctx.request_id()};
}

}  // namespace exports::example::greeter
