// The greeter built with `compono bindgen cpp --manual-borrows`: the glue does
// not drop the borrowed `ctx`, so it reaches greet as compono::Borrow<Context>
// and the user must call ctx.drop() before returning.  Built twice:
// -DGREETER_MANUAL_DROP=1 (correct) and without it (leaks the borrow, like
// examples/greeter/broken but with generated bindings).
#include <string>

#include "greeter.h"

namespace exports::example::greeter {

using namespace ::example::greeter;

Response greet(Request req, compono::Borrow<Context> ctx) {
  std::string greeting = "Hello, ";
  greeting += req.name.view();
  greeting += "!";
  Response r{.greeting = greeting, .request_id = ctx->request_id()};
#if GREETER_MANUAL_DROP
  ctx.drop();
#endif
  return r;
}

}  // namespace exports::example::greeter
