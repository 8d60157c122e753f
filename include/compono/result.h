// compono/result.h - errors as values.
//
// Every fallible call in the embedding API returns Result<T>: either a value
// or an Error (message plus, where it applies, a byte offset or source
// location).  No exceptions cross the API.  When Compono is built as C++23
// this is source-compatible with the std::expected subset used here
// (has_value, value, error, operator*, operator->).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <utility>

namespace compono {

struct Error {
  std::string message;
  // Byte offset into the input that was being read, or npos.
  std::size_t offset = npos;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  Error() = default;
  explicit Error(std::string msg, std::size_t off = npos) : message(std::move(msg)), offset(off) {}

  // "message" or "message (at byte 0x1a)".
  std::string to_string() const {
    if (offset == npos) return message;
    char buf[32];
    static const char* hex = "0123456789abcdef";
    std::size_t v = offset;
    int n = 0;
    char tmp[24];
    do { tmp[n++] = hex[v & 15]; v >>= 4; } while (v);
    int k = 0;
    buf[k++] = '0'; buf[k++] = 'x';
    while (n) buf[k++] = tmp[--n];
    buf[k] = 0;
    return message + " (at byte " + buf + ")";
  }
};

// Marker to construct a failed Result, like std::unexpected.
struct Failure {
  Error error;
};
inline Failure fail(std::string message, std::size_t offset = Error::npos) {
  return Failure{Error(std::move(message), offset)};
}
inline Failure fail(Error e) { return Failure{std::move(e)}; }

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(const T& v) : ok_(true) { new (&val_) T(v); }
  Result(T&& v) : ok_(true) { new (&val_) T(std::move(v)); }
  Result(Failure f) requires std::is_same_v<E, Error> : ok_(false) { new (&err_) E(std::move(f.error)); }
  Result(E e) requires (!std::is_same_v<E, T>) : ok_(false) { new (&err_) E(std::move(e)); }
  Result(const Result& o) : ok_(o.ok_) {
    if (ok_) new (&val_) T(o.val_); else new (&err_) E(o.err_);
  }
  Result(Result&& o) noexcept : ok_(o.ok_) {
    if (ok_) new (&val_) T(std::move(o.val_)); else new (&err_) E(std::move(o.err_));
  }
  Result& operator=(Result o) noexcept {
    destroy();
    ok_ = o.ok_;
    if (ok_) new (&val_) T(std::move(o.val_)); else new (&err_) E(std::move(o.err_));
    return *this;
  }
  ~Result() { destroy(); }

  bool has_value() const { return ok_; }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  T& value() & { return val_; }
  const T& value() const& { return val_; }
  T&& value() && { return std::move(val_); }
  T& operator*() & { return val_; }
  const T& operator*() const& { return val_; }
  T&& operator*() && { return std::move(val_); }
  T* operator->() { return &val_; }
  const T* operator->() const { return &val_; }
  const E& error() const& { return err_; }
  E& error() & { return err_; }
  E&& error() && { return std::move(err_); }

 private:
  void destroy() { if (ok_) val_.~T(); else err_.~E(); }
  bool ok_;
  union { T val_; E err_; };
};

// The error is constructed only on failure (or if error() is asked of a
// success, which gives a default E as before): a successful Result<void, E>
// builds and destroys no E, which matters on hot call paths.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() : ok_(true), live_(false) {}
  Result(Failure f) requires std::is_same_v<E, Error> : ok_(false), live_(true) { new (&err_) E(std::move(f.error)); }
  Result(E e) : ok_(false), live_(true) { new (&err_) E(std::move(e)); }
  Result(const Result& o) : ok_(o.ok_), live_(o.live_) {
    if (live_) new (&err_) E(o.err_);
  }
  Result(Result&& o) noexcept : ok_(o.ok_), live_(o.live_) {
    if (live_) new (&err_) E(std::move(o.err_));
  }
  Result& operator=(Result o) noexcept {
    if (live_) err_.~E();
    ok_ = o.ok_;
    live_ = o.live_;
    if (live_) new (&err_) E(std::move(o.err_));
    return *this;
  }
  ~Result() {
    if (live_) err_.~E();
  }
  bool has_value() const { return ok_; }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}
  const E& error() const& { return err(); }
  E& error() & { return err(); }
  E&& error() && { return std::move(err()); }

 private:
  E& err() const {
    if (!live_) {
      new (&err_) E();
      live_ = true;
    }
    return err_;
  }
  bool ok_;
  mutable bool live_;
  union {
    mutable E err_;
  };
};

}  // namespace compono

// Propagate a failed Result<...> from an expression, binding the value otherwise.
//   COMPONO_TRY(auto x, parse());
#define COMPONO_CONCAT_(a, b) a##b
#define COMPONO_CONCAT(a, b) COMPONO_CONCAT_(a, b)
#define COMPONO_TRY(decl, expr) COMPONO_TRY_(decl, expr, COMPONO_CONCAT(compono_try_, __LINE__))
#define COMPONO_TRY_(decl, expr, tmp)                      \
  auto tmp = (expr);                                        \
  if (!tmp) return ::compono::Failure{std::move(tmp).error()}; \
  decl = std::move(*tmp)
#define COMPONO_CHECK(expr)                                                  \
  do {                                                                      \
    auto compono_check_r = (expr);                                          \
    if (!compono_check_r) return ::compono::Failure{std::move(compono_check_r).error()}; \
  } while (0)
