// Guest for tests/component_new/shapes/wit (world shapes), built with the
// C++ guest SDK: imported resources inside records, a second versioned
// package, world-level use/import/export, exported resource used by a second
// exported interface.
#include <string>

#include "shapes.h"
#include "shapes_impl.h"

namespace exports::test::shapes::store {
::test::shapes::store::Label label_of(Shelf& s) {
  return {compono::String(s.name_), s.sum_};
}
uint32_t live_shelves() { return g_live_shelves; }
}  // namespace exports::test::shapes::store

namespace exports::test::shapes::report {
::test::shapes::report::Summary summarize(store::Shelf& s, compono::List<::test::shapes::store::Label> extra) {
  ::test::shapes::report::Summary out;
  uint32_t total = s.sum_;
  std::string text = s.name_;
  auto tags = compono::List<::test::other::base::Tag>::with_size(extra.size());
  for (std::size_t i = 0; i < extra.size(); ++i) {
    total += extra[i].n;
    text += "," + std::string(extra[i].text.view());
    tags[i] = ::test::other::base::make_tag(extra[i].text.view());
  }
  out.l = {compono::String(text), s.n_};
  out.tags = std::move(tags);
  out.total = total;
  return out;
}
uint32_t take(compono::Own<store::Shelf> s) { return s->sum_ * 10 + s->n_; }
}  // namespace exports::test::shapes::report

namespace exports::test::shapes {
compono::String run(uint32_t n) {
  namespace base = ::test::other::base;
  namespace geo = ::test::shapes::geo;
  base::Blob blob = geo::make_blob(std::string(n, 'b'));
  base::Blob direct(std::string(n + 1, 'd'));
  base::Tag t = base::make_tag("t" + std::to_string(n));
  uint32_t w = geo::weigh(geo::Item{t, compono::Borrow<base::Blob>(blob)});
  ::test::shapes::log(t);
  std::string out = "size=" + std::to_string(blob.size()) + "," + std::to_string(direct.size()) +
                    " weigh=" + std::to_string(w) + " tag=" + std::string(t.name.view()) + "/" +
                    std::to_string(t.weight);
  return compono::String(out);
}
}  // namespace exports::test::shapes
