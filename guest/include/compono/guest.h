// compono/guest.h - the C++ guest runtime used by code that `compono bindgen
// cpp` generates (compiled for wasm32 into components, never into the host).
//
//   compono::String        owned UTF-8 string; owns its canonical-ABI buffer
//                          (allocated with cabi_realloc) and frees it (RAII)
//   compono::List<T>       owned list; same idea, elements of the C++ type T
//   compono::Result<T,E>   result<T,E>: std::expected in C++23, a small
//                          look-alike in C++20; compono::err(e) builds an error
//   compono::Borrow<R>     a non-owning reference to a resource: never drops
//   compono::Own<R>        an owned instance of an *exported* resource
//   compono::Resource<R>   base class of exported resources (handle <-> rep)
//
// No exceptions, no RTTI.  Header-only; the allocator (cabi_realloc,
// compono_cabi_free) comes from the guest library (compono_guest/cabi.h).
#pragma once

#include <compono_guest/cabi.h>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#if __cplusplus > 202002L && __has_include(<expected>)
#include <expected>
#endif

namespace compono {

// ---------------------------------------------------------------- String

class String {
 public:
  String() = default;
  String(std::string_view s) { assign(s.data(), s.size()); }
  String(const char* s) { assign(s, std::strlen(s)); }
  // Anything that converts to std::string_view (std::string, ...).
  template <class S>
    requires(std::is_convertible_v<const S&, std::string_view> && !std::is_same_v<S, String> &&
             !std::is_same_v<S, std::string_view> && !std::is_convertible_v<const S&, const char*>)
  String(const S& s) : String(std::string_view(s)) {}
  String(const String& o) { assign(o.ptr_, o.len_); }
  String(String&& o) noexcept : ptr_(o.ptr_), len_(o.len_) { o.ptr_ = nullptr; o.len_ = 0; }
  String& operator=(String o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(len_, o.len_);
    return *this;
  }
  ~String() { compono_cabi_free(ptr_, len_); }

  // Takes ownership of a buffer that cabi_realloc returned (len 0: nothing).
  static String adopt(char* ptr, std::size_t len) {
    String s;
    if (len) { s.ptr_ = ptr; s.len_ = len; }
    return s;
  }
  // Gives up ownership (the caller frees with compono_cabi_free).
  char* release() { char* p = ptr_; ptr_ = nullptr; len_ = 0; return p; }

  const char* data() const { return ptr_ ? ptr_ : ""; }
  std::size_t size() const { return len_; }
  bool empty() const { return len_ == 0; }
  std::string_view view() const { return std::string_view(data(), len_); }
  operator std::string_view() const { return view(); }
  friend bool operator==(const String& a, const String& b) { return a.view() == b.view(); }
  friend bool operator==(const String& a, std::string_view b) { return a.view() == b; }

 private:
  void assign(const char* s, std::size_t n) {
    if (n == 0) return;
    ptr_ = static_cast<char*>(cabi_realloc(nullptr, 0, 1, n));
    std::memcpy(ptr_, s, n);
    len_ = n;
  }
  char* ptr_ = nullptr;
  std::size_t len_ = 0;
};

// ---------------------------------------------------------------- List

template <class T>
class List {
 public:
  List() = default;
  List(std::span<const T> s) { copy_from(s.data(), s.size()); }
  List(std::initializer_list<T> s) { copy_from(s.begin(), s.size()); }
  List(const List& o) { copy_from(o.ptr_, o.len_); }
  List(List&& o) noexcept : ptr_(o.ptr_), len_(o.len_) { o.ptr_ = nullptr; o.len_ = 0; }
  List& operator=(List o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(len_, o.len_);
    return *this;
  }
  ~List() { reset(); }

  // A list of n default-constructed elements.
  static List with_size(std::size_t n) {
    List l;
    l.allocate(n);
    for (std::size_t i = 0; i < n; ++i) new (l.ptr_ + i) T();
    return l;
  }
  // Takes ownership of a cabi_realloc'd buffer holding n constructed T.
  static List adopt(T* ptr, std::size_t n) {
    List l;
    if (n) { l.ptr_ = ptr; l.len_ = n; }
    return l;
  }
  // Gives up ownership of the buffer (elements stay constructed).
  T* release() { T* p = ptr_; ptr_ = nullptr; len_ = 0; return p; }

  T* data() { return ptr_; }
  const T* data() const { return ptr_; }
  std::size_t size() const { return len_; }
  bool empty() const { return len_ == 0; }
  T& operator[](std::size_t i) { return ptr_[i]; }
  const T& operator[](std::size_t i) const { return ptr_[i]; }
  T* begin() { return ptr_; }
  T* end() { return ptr_ + len_; }
  const T* begin() const { return ptr_; }
  const T* end() const { return ptr_ + len_; }
  std::span<const T> span() const { return std::span<const T>(ptr_, len_); }
  operator std::span<const T>() const { return span(); }

 private:
  void allocate(std::size_t n) {
    if (n == 0) return;
    ptr_ = static_cast<T*>(cabi_realloc(nullptr, 0, alignof(T), n * sizeof(T)));
    len_ = n;
  }
  void copy_from(const T* s, std::size_t n) {
    allocate(n);
    for (std::size_t i = 0; i < n; ++i) new (ptr_ + i) T(s[i]);
  }

 public:
  // Raw storage for n elements, to be constructed with placement new and
  // handed to adopt().
  static T* alloc_raw(std::size_t n) {
    return n ? static_cast<T*>(cabi_realloc(nullptr, 0, alignof(T), n * sizeof(T))) : nullptr;
  }

 private:
  void reset() {
    if constexpr (!std::is_trivially_destructible_v<T>)
      for (std::size_t i = 0; i < len_; ++i) ptr_[i].~T();
    compono_cabi_free(ptr_, len_ * sizeof(T));
    ptr_ = nullptr;
    len_ = 0;
  }
  T* ptr_ = nullptr;
  std::size_t len_ = 0;
};

// ---------------------------------------------------------------- Result

#if __cplusplus > 202002L && defined(__cpp_lib_expected)
template <class T, class E>
using Result = std::expected<T, E>;
template <class E>
using Unexpected = std::unexpected<E>;
#else
template <class E>
class Unexpected {
 public:
  explicit Unexpected(E e) : e_(std::move(e)) {}
  E& error() & { return e_; }
  E&& error() && { return std::move(e_); }
  const E& error() const& { return e_; }
 private:
  E e_;
};

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  Result(const T& v) : v_(std::in_place_index<0>, v) {}
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
  Result(Unexpected<E> e) : v_(std::in_place_index<1>, std::move(e).error()) {}
  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return *std::get_if<0>(&v_); }
  const T& value() const& { return *std::get_if<0>(&v_); }
  T&& value() && { return std::move(*std::get_if<0>(&v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  E& error() & { return *std::get_if<1>(&v_); }
  const E& error() const& { return *std::get_if<1>(&v_); }
  E&& error() && { return std::move(*std::get_if<1>(&v_)); }
 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(Unexpected<E> e) : e_(std::move(e).error()) {}
  bool has_value() const { return !e_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const {}
  void operator*() const {}
  E& error() & { return *e_; }
  const E& error() const& { return *e_; }
  E&& error() && { return std::move(*e_); }
 private:
  std::optional<E> e_;
};
#endif

template <class E>
Unexpected<std::decay_t<E>> err(E&& e) { return Unexpected<std::decay_t<E>>(std::forward<E>(e)); }
// err() for result<_, void-like> (no error payload): compono::err(compono::Unit{}).
struct Unit {
  friend bool operator==(Unit, Unit) { return true; }
};

// ---------------------------------------------------------------- resources

// Generated imported resource classes derive from ImportedResource (one
// i32 handle; 0 = empty).  Their destructors call [resource-drop].
struct ImportedResourceTag {};

// Non-owning view of a resource.  For an imported resource it holds the
// handle (as an R that is never destroyed, so it never drops); for an
// exported resource it points at the user's object.  Borrows an export
// receives are dropped by the generated glue after the call returns (unless
// the bindings were generated with --manual-borrows: then call drop()).
template <class R, bool Imported = true>
class Borrow;

template <class R>
class Borrow<R, true> {
 public:
  Borrow() : u_(0) {}
  Borrow(const R& r) : u_(r.handle()) {}
  Borrow(const Borrow& o) : u_(o.handle()) {}
  Borrow& operator=(const Borrow& o) {
    new (&u_.r) R(R::from_handle(o.handle()));  // the old R is never destroyed (no drop)
    return *this;
  }
  static Borrow from_handle(std::int32_t h) { return Borrow(h, 0); }
  std::int32_t handle() const { return u_.r.handle(); }
  // Releases the borrowed handle ([resource-drop]).  Only for bindings made
  // with `--manual-borrows`, where the glue does not drop the borrows an
  // export receives: call it once per received borrow before returning.
  // Copies of this Borrow share the handle and must not be dropped again.
  void drop() {
    if (handle() == 0) return;
    { R dropped = R::from_handle(handle()); }  // ~R calls [resource-drop]
    new (&u_.r) R(R::from_handle(0));
  }
  const R& get() const { return u_.r; }
  const R* operator->() const { return &u_.r; }
  const R& operator*() const { return u_.r; }
 private:
  Borrow(std::int32_t h, int) : u_(h) {}
  union U {  // the R is never destroyed, so the handle is never dropped
    explicit U(std::int32_t h) : r(R::from_handle(h)) {}
    ~U() {}
    R r;
  } u_;
};

template <class R>
class Borrow<R, false> {
 public:
  Borrow() = default;
  Borrow(R& r) : ptr_(&r) {}
  R& get() const { return *ptr_; }
  R* operator->() const { return ptr_; }
  R& operator*() const { return *ptr_; }
 private:
  R* ptr_ = nullptr;
};

// Generated per exported resource: new_handle(rep), rep(handle), drop(handle).
template <class R>
struct ResourceOps;

// Base class of an exported resource implementation `R` (CRTP).  The glue
// creates handles ([resource-new]) with the object's address as the rep and
// deletes the object in the [dtor] export; user code never sees a handle.
template <class R>
class Resource {
 public:
  Resource() = default;
  Resource(const Resource&) = delete;
  Resource& operator=(const Resource&) = delete;
};

// An owned exported resource: either a fresh object (not yet given to the
// host) or a handle in this component's table (dropping it runs the dtor).
template <class R>
class Own {
 public:
  Own() = default;
  explicit Own(R* fresh) : ptr_(fresh) {}
  template <class... A>
  static Own make(A&&... a) { return Own(new R(std::forward<A>(a)...)); }
  Own(Own&& o) noexcept : ptr_(o.ptr_), handle_(o.handle_) { o.ptr_ = nullptr; o.handle_ = 0; }
  Own& operator=(Own o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(handle_, o.handle_);
    return *this;
  }
  ~Own() {
    if (handle_) ResourceOps<R>::drop(handle_);
    else delete ptr_;
  }
  static Own from_handle(std::int32_t h) {
    Own o;
    o.handle_ = h;
    o.ptr_ = static_cast<R*>(ResourceOps<R>::rep(h));
    return o;
  }
  // The handle to give to the host (ownership moves with it).
  std::int32_t into_handle() {
    std::int32_t h = handle_ ? handle_ : ResourceOps<R>::new_handle(ptr_);
    ptr_ = nullptr;
    handle_ = 0;
    return h;
  }
  R* get() const { return ptr_; }
  R* operator->() const { return ptr_; }
  R& operator*() const { return *ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }
 private:
  R* ptr_ = nullptr;
  std::int32_t handle_ = 0;
};

namespace abi {

// Borrowed handles an export received; all dropped when the call's glue ends.
class BorrowScope {
 public:
  BorrowScope() = default;
  BorrowScope(const BorrowScope&) = delete;
  BorrowScope& operator=(const BorrowScope&) = delete;
  ~BorrowScope() {
    for (std::size_t i = 0; i < n_; ++i) items_[i].drop(items_[i].handle);
    if (heap_) compono_cabi_free(heap_, cap_ * sizeof(Item));
  }
  void add(std::int32_t handle, void (*drop)(std::int32_t)) {
    if (n_ == cap_) grow();
    items_[n_++] = Item{handle, drop};
  }
 private:
  struct Item {
    std::int32_t handle;
    void (*drop)(std::int32_t);
  };
  void grow() {
    std::size_t cap = cap_ * 2;
    Item* p = static_cast<Item*>(cabi_realloc(nullptr, 0, alignof(Item), cap * sizeof(Item)));
    std::memcpy(static_cast<void*>(p), items_, n_ * sizeof(Item));
    if (heap_) compono_cabi_free(heap_, cap_ * sizeof(Item));
    heap_ = items_ = p;
    cap_ = cap;
  }
  Item inline_[8];
  Item* items_ = inline_;
  Item* heap_ = nullptr;
  std::size_t n_ = 0, cap_ = 8;
};

// Temporary canonical-ABI buffers an import call needs (lists whose C++
// layout differs from the canonical one); freed when the call returns.
class Cleanup {
 public:
  Cleanup() = default;
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;
  ~Cleanup() {
    for (std::size_t i = 0; i < n_; ++i) compono_cabi_free(items_[i].ptr, items_[i].size);
    if (heap_) compono_cabi_free(heap_, cap_ * sizeof(Item));
  }
  char* alloc(std::size_t size, std::size_t align) {
    if (size == 0) return nullptr;
    char* p = static_cast<char*>(cabi_realloc(nullptr, 0, align, size));
    if (n_ == cap_) grow();
    items_[n_++] = Item{p, size};
    return p;
  }
 private:
  struct Item {
    void* ptr;
    std::size_t size;
  };
  void grow() {
    std::size_t cap = cap_ * 2;
    Item* p = static_cast<Item*>(cabi_realloc(nullptr, 0, alignof(Item), cap * sizeof(Item)));
    std::memcpy(static_cast<void*>(p), items_, n_ * sizeof(Item));
    if (heap_) compono_cabi_free(heap_, cap_ * sizeof(Item));
    heap_ = items_ = p;
    cap_ = cap;
  }
  Item inline_[4];
  Item* items_ = inline_;
  Item* heap_ = nullptr;
  std::size_t n_ = 0, cap_ = 4;
};

template <class T>
inline T load(const void* base, std::size_t off) {
  T v;
  std::memcpy(&v, static_cast<const char*>(base) + off, sizeof(T));
  return v;
}
template <class T>
inline void store(void* base, std::size_t off, T v) {
  std::memcpy(static_cast<char*>(base) + off, &v, sizeof(T));
}
inline std::int32_t ptr_i32(const void* p) { return static_cast<std::int32_t>(reinterpret_cast<std::uintptr_t>(p)); }
template <class T = void>
inline T* i32_ptr(std::int32_t v) { return reinterpret_cast<T*>(static_cast<std::uintptr_t>(static_cast<std::uint32_t>(v))); }
inline std::int32_t f32_i32(float f) { return std::bit_cast<std::int32_t>(f); }
inline float i32_f32(std::int32_t v) { return std::bit_cast<float>(v); }
inline std::int64_t f64_i64(double f) { return std::bit_cast<std::int64_t>(f); }
inline double i64_f64(std::int64_t v) { return std::bit_cast<double>(v); }
inline void* alloc(std::size_t size, std::size_t align) { return size ? cabi_realloc(nullptr, 0, align, size) : nullptr; }
inline void free(void* p, std::size_t size) { compono_cabi_free(p, size); }

}  // namespace abi
}  // namespace compono
