// WIT lexer and parser: source text -> AstFile (ast.h).
#include <array>
#include <cstring>

#include "wit/ast.h"

namespace compono::wit::detail {

// ---------------------------------------------------------------- source map

std::string SourceMap::where(std::uint32_t file, std::uint32_t offset) const {
  if (file >= files.size()) return "";
  std::string_view text = files[file]->text;
  if (offset > text.size()) offset = static_cast<std::uint32_t>(text.size());
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return files[file]->path + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string SourceMap::format(std::uint32_t file, std::uint32_t offset, std::string_view msg) const {
  if (file >= files.size()) return std::string(msg);
  const SourceFile& f = *files[file];
  std::string_view text = f.text;
  if (offset > text.size()) offset = static_cast<std::uint32_t>(text.size());
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  std::size_t line_end = text.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = text.size();
  std::size_t col = 1;  // count characters, not bytes
  for (std::size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
  std::string out = f.path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
  out += msg;
  std::string_view src = text.substr(line_start, line_end - line_start);
  if (!src.empty() && src.back() == '\r') src.remove_suffix(1);
  if (src.size() > 240) return out;  // keep giant lines out of messages
  std::string ln = std::to_string(line);
  out += "\n " + ln + " | ";
  out += src;
  out += "\n " + std::string(ln.size(), ' ') + " | ";
  for (std::size_t i = line_start; i < offset && i < line_start + src.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    out += text[i] == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

// ---------------------------------------------------------------- semver

namespace {
bool is_num(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
bool is_ident_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool dot_list_ok(std::string_view s, bool numeric_no_lead_zero) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return false;
    for (char c : part)
      if (!is_ident_char(c)) return false;
    if (numeric_no_lead_zero && is_num(part) && part.size() > 1 && part[0] == '0') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}
}  // namespace

bool valid_semver(std::string_view v) {
  std::size_t plus = v.find('+');
  std::string_view build;
  if (plus != std::string_view::npos) {
    build = v.substr(plus + 1);
    v = v.substr(0, plus);
    if (!dot_list_ok(build, false)) return false;
  }
  std::size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    if (!dot_list_ok(v.substr(dash + 1), true)) return false;
    v = v.substr(0, dash);
  }
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = v.find('.', start);
    std::string_view p = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_num(p) || (p.size() > 1 && p[0] == '0') || p.size() > 19) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 3;
}

int compare_versions(std::string_view a, std::string_view b) {
  auto core = [](std::string_view v, std::string_view& pre) {
    std::size_t plus = v.find('+');
    if (plus != std::string_view::npos) v = v.substr(0, plus);
    std::size_t dash = v.find('-');
    pre = dash == std::string_view::npos ? std::string_view{} : v.substr(dash + 1);
    if (dash != std::string_view::npos) v = v.substr(0, dash);
    std::uint64_t n[3] = {0, 0, 0};
    int i = 0;
    for (char c : v) {
      if (c == '.') {
        if (++i > 2) break;
      } else if (c >= '0' && c <= '9') {
        n[i] = n[i] * 10 + static_cast<std::uint64_t>(c - '0');
      }
    }
    return std::array<std::uint64_t, 3>{n[0], n[1], n[2]};
  };
  std::string_view pa, pb;
  auto ca = core(a, pa), cb = core(b, pb);
  if (ca != cb) return ca < cb ? -1 : 1;
  if (pa.empty() != pb.empty()) return pa.empty() ? 1 : -1;
  if (pa == pb) return 0;
  return pa < pb ? -1 : 1;
}

// ---------------------------------------------------------------- lexer

namespace {

enum class Tok : std::uint8_t {
  Eof, Id, ExplicitId, Int,
  LParen, RParen, LBrace, RBrace, Lt, Gt, Comma, Semi, Colon, Dot, Eq, RArrow, Slash, At, Star, Plus, Minus, Underscore,
  // keywords
  KwFirst,
  Use = KwFirst, Type, Func, U8, U16, U32, U64, S8, S16, S32, S64, F32, F64, Char, Record, Resource, Own, Borrow,
  Flags, Variant, Enum, Bool, String, Option, Result, Future, Stream, ErrorContext, List, Static, Interface,
  Tuple, Import, Export, World, Package, Constructor, Include, With, As, Async,
  KwEnd,
};

const char* const kKeywords[] = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "record",
    "resource", "own", "borrow", "flags", "variant", "enum", "bool", "string", "option", "result", "future",
    "stream", "error-context", "list", "static", "interface", "tuple", "import", "export", "world", "package",
    "constructor", "include", "with", "as", "async",
};
static_assert(sizeof(kKeywords) / sizeof(kKeywords[0]) ==
              static_cast<std::size_t>(Tok::KwEnd) - static_cast<std::size_t>(Tok::KwFirst));

struct Token {
  Tok kind = Tok::Eof;
  std::uint32_t start = 0, end = 0;
  std::uint32_t docs_begin = 0, docs_end = 0;  // range in Lexer::docs
};

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::Eof: return "eof";
    case Tok::Id: return "an identifier";
    case Tok::ExplicitId: return "an explicit identifier";
    case Tok::Int: return "an integer";
    case Tok::LParen: return "'('";
    case Tok::RParen: return "')'";
    case Tok::LBrace: return "'{'";
    case Tok::RBrace: return "'}'";
    case Tok::Lt: return "'<'";
    case Tok::Gt: return "'>'";
    case Tok::Comma: return "','";
    case Tok::Semi: return "';'";
    case Tok::Colon: return "':'";
    case Tok::Dot: return "'.'";
    case Tok::Eq: return "'='";
    case Tok::RArrow: return "'->'";
    case Tok::Slash: return "'/'";
    case Tok::At: return "'@'";
    case Tok::Star: return "'*'";
    case Tok::Plus: return "'+'";
    case Tok::Minus: return "'-'";
    case Tok::Underscore: return "'_'";
    default:
      if (t.kind >= Tok::KwFirst && t.kind < Tok::KwEnd)
        return std::string("keyword `") + kKeywords[static_cast<int>(t.kind) - static_cast<int>(Tok::KwFirst)] + "`";
      return "?";
  }
}

std::string describe(Tok k) {
  Token t;
  t.kind = k;
  return describe(t);
}

struct LexError {
  std::uint32_t offset;
  std::string msg;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<std::string_view> docs;

  // Lexes the next token; false (and err) on a lexical error.
  bool next(Token& t, LexError& err) {
    // whitespace and comments
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
        continue;
      }
      if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        std::size_t s = pos_;
        std::size_t e = text_.find('\n', pos_);
        if (e == std::string_view::npos) e = text_.size();
        pos_ = e;
        std::string_view body = text_.substr(s, e - s);
        if (body.size() >= 3 && body[2] == '/' && (body.size() == 3 || body[3] != '/')) {
          docs.push_back(body);
        }
        continue;
      }
      if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        std::size_t s = pos_;
        int depth = 1;
        pos_ += 2;
        while (depth > 0) {
          if (pos_ + 1 >= text_.size()) {
            err = {static_cast<std::uint32_t>(s), "unterminated block comment"};
            return false;
          }
          if (text_[pos_] == '/' && text_[pos_ + 1] == '*') {
            ++depth;
            pos_ += 2;
          } else if (text_[pos_] == '*' && text_[pos_ + 1] == '/') {
            --depth;
            pos_ += 2;
          } else {
            ++pos_;
          }
        }
        std::string_view body = text_.substr(s, pos_ - s);
        if (body.size() >= 5 && body[2] == '*' && body[3] != '*') docs.push_back(body);
        continue;
      }
      break;
    }
    t.docs_begin = doc_mark_;
    t.docs_end = static_cast<std::uint32_t>(docs.size());
    doc_mark_ = t.docs_end;
    t.start = static_cast<std::uint32_t>(pos_);
    if (pos_ >= text_.size()) {
      t.kind = Tok::Eof;
      t.end = t.start;
      return true;
    }
    char c = text_[pos_];
    auto single = [&](Tok k) {
      t.kind = k;
      ++pos_;
      t.end = static_cast<std::uint32_t>(pos_);
      return true;
    };
    switch (c) {
      case '(': return single(Tok::LParen);
      case ')': return single(Tok::RParen);
      case '{': return single(Tok::LBrace);
      case '}': return single(Tok::RBrace);
      case '<': return single(Tok::Lt);
      case '>': return single(Tok::Gt);
      case ',': return single(Tok::Comma);
      case ';': return single(Tok::Semi);
      case ':': return single(Tok::Colon);
      case '.': return single(Tok::Dot);
      case '=': return single(Tok::Eq);
      case '/': return single(Tok::Slash);
      case '@': return single(Tok::At);
      case '*': return single(Tok::Star);
      case '+': return single(Tok::Plus);
      case '-':
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '>') {
          t.kind = Tok::RArrow;
          pos_ += 2;
          t.end = static_cast<std::uint32_t>(pos_);
          return true;
        }
        return single(Tok::Minus);
      default: break;
    }
    if (c >= '0' && c <= '9') {
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      t.kind = Tok::Int;
      t.end = static_cast<std::uint32_t>(pos_);
      return true;
    }
    bool explicit_id = false;
    if (c == '%') {
      explicit_id = true;
      ++pos_;
    }
    std::size_t s = pos_;
    if (pos_ < text_.size() && ((text_[pos_] >= 'a' && text_[pos_] <= 'z') || (text_[pos_] >= 'A' && text_[pos_] <= 'Z') || text_[pos_] == '_')) {
      while (pos_ < text_.size() && (is_ident_char(text_[pos_]) || text_[pos_] == '_')) ++pos_;
      std::string_view word = text_.substr(s, pos_ - s);
      t.end = static_cast<std::uint32_t>(pos_);
      if (word == "_" && !explicit_id) {
        t.kind = Tok::Underscore;
        return true;
      }
      if (const char* why = validate_id(word)) {
        err = {static_cast<std::uint32_t>(s), why};
        return false;
      }
      if (!explicit_id) {
        for (int k = static_cast<int>(Tok::KwFirst); k < static_cast<int>(Tok::KwEnd); ++k) {
          const char* kw = kKeywords[k - static_cast<int>(Tok::KwFirst)];
          if (word.size() == std::strlen(kw) && word == kw) {
            t.kind = static_cast<Tok>(k);
            return true;
          }
        }
      }
      t.kind = explicit_id ? Tok::ExplicitId : Tok::Id;
      return true;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      err = {static_cast<std::uint32_t>(pos_), "invalid character in identifier (only ASCII kebab-case is allowed)"};
      return false;
    }
    err = {static_cast<std::uint32_t>(pos_), std::string("unexpected character '") + c + "'"};
    return false;
  }

  static const char* validate_id(std::string_view w) {
    if (w.empty()) return "empty identifier";
    std::size_t start = 0;
    while (true) {
      std::size_t dash = w.find('-', start);
      std::string_view part = w.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
      if (part.empty()) return "identifiers must be in kebab-case: empty word between '-'";
      if (!((part[0] >= 'a' && part[0] <= 'z') || (part[0] >= 'A' && part[0] <= 'Z')))
        return "identifiers must be in kebab-case: each word must start with a letter";
      bool lower = false, upper = false;
      for (char ch : part) {
        if (ch >= 'a' && ch <= 'z') lower = true;
        else if (ch >= 'A' && ch <= 'Z') upper = true;
        else if (!(ch >= '0' && ch <= '9')) return "identifiers must be in kebab-case";
      }
      if (lower && upper) return "identifiers must be in kebab-case: a word is either all lowercase or all uppercase";
      if (dash == std::string_view::npos) break;
      start = dash + 1;
    }
    return nullptr;
  }

  std::size_t pos() const { return pos_; }
  void set_pos(std::size_t p) { pos_ = p; }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t doc_mark_ = 0;
};

// ---------------------------------------------------------------- parser

struct ParseError {
  std::uint32_t offset;
  std::string msg;
};

constexpr int kMaxTypeDepth = 100;
constexpr int kMaxPackageDepth = 100;

class Parser {
 public:
  Parser(const SourceMap& sm, std::uint32_t file)
      : sm_(sm), file_(file), lex_(sm.files[file]->text) {}

  Result<AstFile> run() {
    if (!advance()) return error();
    AstFile f;
    // optional `package a:b;` header
    Docs docs = take_docs();
    if (cur_.kind == Tok::Package) {
      Token save = cur_;
      std::size_t save_pos = lex_.pos();
      if (!advance()) return error();
      AstPackageName name;
      if (!parse_package_name(name)) return error();
      if (cur_.kind == Tok::Semi) {
        if (!advance()) return error();
        f.package = std::move(name);
        f.package_docs = std::move(docs);
        docs.clear();
      } else {
        // a nested package block: rewind and let the body parser handle it
        lex_.set_pos(save_pos);
        cur_ = save;
      }
    }
    if (!parse_body(f.body, &f.nested, 0, &docs)) return error();
    if (cur_.kind != Tok::Eof) {
      fail_expected("`world`, `interface`, `package` or `use`");
      return error();
    }
    f.body.file = file_;
    return f;
  }

 private:
  const SourceMap& sm_;
  std::uint32_t file_;
  Lexer lex_;
  Token cur_;
  Token prev_;
  ParseError err_{0, ""};

  Failure error() const { return fail(sm_.format(file_, err_.offset, err_.msg)); }

  bool set_err(std::uint32_t off, std::string msg) {
    err_ = {off, std::move(msg)};
    return false;
  }

  bool advance() {
    prev_ = cur_;
    LexError le;
    if (!lex_.next(cur_, le)) return set_err(le.offset, le.msg);
    return true;
  }

  Span span_of(const Token& t) const { return Span{file_, t.start}; }
  std::string_view text_of(const Token& t) const { return lex_.text().substr(t.start, t.end - t.start); }

  bool fail_expected(std::string_view what) {
    return set_err(cur_.start, "expected " + std::string(what) + ", found " + describe(cur_));
  }

  bool expect(Tok k) {
    if (cur_.kind != k) return fail_expected(describe(k));
    return advance();
  }

  bool eat(Tok k, bool& ok) {
    ok = true;
    if (cur_.kind != k) return false;
    ok = advance();
    return true;
  }

  Docs take_docs() {
    if (cur_.docs_begin == cur_.docs_end) return {};
    std::vector<std::string_view> lines;
    for (std::uint32_t i = cur_.docs_begin; i < cur_.docs_end; ++i) {
      std::string_view d = lex_.docs[i];
      std::string_view body;
      if (d.substr(0, 3) == "/**") {
        body = d.substr(3, d.size() - 5);
        // split into lines
        std::size_t s = 0;
        while (true) {
          std::size_t nl = body.find('\n', s);
          std::string_view line = body.substr(s, nl == std::string_view::npos ? std::string_view::npos : nl - s);
          lines.push_back(line);
          if (nl == std::string_view::npos) break;
          s = nl + 1;
        }
        continue;
      }
      body = d.substr(3);
      lines.push_back(body);
    }
    for (auto& l : lines)
      while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) l.remove_suffix(1);
    // drop leading / trailing blank lines of block comments
    while (!lines.empty() && lines.front().empty()) lines.erase(lines.begin());
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::size_t min_ws = std::string_view::npos;
    for (auto l : lines) {
      if (l.empty()) continue;
      std::size_t ws = 0;
      while (ws < l.size() && (l[ws] == ' ' || l[ws] == '\t')) ++ws;
      if (ws < min_ws) min_ws = ws;
    }
    if (min_ws == std::string_view::npos) min_ws = 0;
    Docs out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i) out += '\n';
      if (!lines[i].empty()) out += lines[i].substr(min_ws);
    }
    return out;
  }

  bool is_id(Tok k) const { return k == Tok::Id || k == Tok::ExplicitId; }

  bool parse_id(Ident& id) {
    if (!is_id(cur_.kind)) return fail_expected("an identifier or string");
    id.name = text_of(cur_);
    if (cur_.kind == Tok::ExplicitId) id.name.remove_prefix(1);
    id.span = span_of(cur_);
    return advance();
  }

  // Reads a semver directly from the source at the current token.
  bool parse_version(std::string& out) {
    std::string_view text = lex_.text();
    std::size_t s = cur_.start, e = s;
    while (e < text.size()) {
      char c = text[e];
      if (is_ident_char(c) || c == '+') {
        ++e;
      } else if (c == '.' && e + 1 < text.size() && is_ident_char(text[e + 1])) {
        ++e;
      } else {
        break;
      }
    }
    std::string_view v = text.substr(s, e - s);
    if (v.empty() || !valid_semver(v)) return set_err(cur_.start, "invalid semver version `" + std::string(v) + "`");
    out = std::string(v);
    lex_.set_pos(e);
    return advance();
  }

  // ns:name[:more][/nested]*[@version]
  bool parse_package_name(AstPackageName& out) {
    out.span = span_of(cur_);
    Ident a, b;
    if (!parse_id(a)) return false;
    if (!expect(Tok::Colon)) return false;
    if (!parse_id(b)) return false;
    std::string ns(a.name), name(b.name);
    while (cur_.kind == Tok::Colon) {
      if (!advance()) return false;
      Ident c;
      if (!parse_id(c)) return false;
      ns += ':';
      ns += name;
      name = std::string(c.name);
    }
    while (cur_.kind == Tok::Slash) {
      if (!advance()) return false;
      Ident c;
      if (!parse_id(c)) return false;
      name += '/';
      name += c.name;
    }
    out.name.ns = std::move(ns);
    out.name.name = std::move(name);
    if (cur_.kind == Tok::At) {
      if (!advance()) return false;
      if (!parse_version(out.name.version)) return false;
    }
    return true;
  }

  // `iface` or `ns:pkg/iface[@ver]`; `first` already parsed when given.
  bool parse_use_path(AstUsePath& p, const Ident* first = nullptr) {
    Ident a;
    if (first) {
      a = *first;
    } else if (!parse_id(a)) {
      return false;
    }
    p.span = a.span;
    if (cur_.kind != Tok::Colon) {
      p.foreign = false;
      p.name = a;
      return true;
    }
    if (!advance()) return false;
    p.foreign = true;
    std::vector<Ident> segs;  // after ':'
    Ident b;
    if (!parse_id(b)) return false;
    std::string ns(a.name);
    std::string name(b.name);
    while (cur_.kind == Tok::Colon) {
      if (!advance()) return false;
      Ident c;
      if (!parse_id(c)) return false;
      ns += ':';
      ns += name;
      name = std::string(c.name);
    }
    if (cur_.kind != Tok::Slash) return fail_expected("'/'");
    while (cur_.kind == Tok::Slash) {
      if (!advance()) return false;
      Ident c;
      if (!parse_id(c)) return false;
      segs.push_back(c);
    }
    for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
      name += '/';
      name += segs[i].name;
    }
    p.name = segs.back();
    p.package.name.ns = std::move(ns);
    p.package.name.name = std::move(name);
    p.package.span = a.span;
    if (cur_.kind == Tok::At) {
      if (!advance()) return false;
      if (!parse_version(p.package.name.version)) return false;
    }
    return true;
  }

  // Zero or more `@since(..)`, `@unstable(..)`, `@deprecated(..)`.
  bool parse_gates(Gate& g) {
    while (cur_.kind == Tok::At) {
      g.span = span_of(cur_);
      if (!advance()) return false;
      Ident which;
      if (!parse_id(which)) return false;
      if (!expect(Tok::LParen)) return false;
      Ident key;
      if (which.name == "since" || which.name == "deprecated") {
        if (!parse_id(key)) return false;
        if (key.name != "version")
          return set_err(key.span.offset, "expected `version`, found `" + std::string(key.name) + "`");
        if (!expect(Tok::Eq)) return false;
        std::string v;
        if (!parse_version(v)) return false;
        if (which.name == "since") {
          if (g.stability.kind == Stability::Kind::Unstable)
            return set_err(which.span.offset, "cannot combine `@since` and `@unstable`");
          g.stability.kind = Stability::Kind::Stable;
          g.stability.since = std::move(v);
          g.has_since = true;
        } else {
          g.stability.deprecated = std::move(v);
        }
      } else if (which.name == "unstable") {
        if (!parse_id(key)) return false;
        if (key.name != "feature")
          return set_err(key.span.offset, "expected `feature`, found `" + std::string(key.name) + "`");
        if (!expect(Tok::Eq)) return false;
        Ident f;
        if (!parse_id(f)) return false;
        if (g.stability.kind == Stability::Kind::Stable)
          return set_err(which.span.offset, "cannot combine `@since` and `@unstable`");
        g.stability.kind = Stability::Kind::Unstable;
        g.stability.feature = std::string(f.name);
      } else {
        return set_err(which.span.offset, "unsupported annotation `@" + std::string(which.name) + "`");
      }
      if (!expect(Tok::RParen)) return false;
    }
    return true;
  }

  // Items of a package body until '}' or eof.
  bool parse_body(AstBody& body, std::vector<AstNested>* nested, int depth, Docs* first_docs) {
    body.file = file_;
    bool first = true;
    while (cur_.kind != Tok::Eof && cur_.kind != Tok::RBrace) {
      Docs docs = take_docs();
      if (first && first_docs && docs.empty()) docs = std::move(*first_docs);
      first = false;
      Gate gate;
      if (!parse_gates(gate)) return false;
      switch (cur_.kind) {
        case Tok::Package: {
          Token kw = cur_;
          if (!advance()) return false;
          AstNested n;
          if (!parse_package_name(n.name)) return false;
          if (cur_.kind != Tok::LBrace) return fail_expected("'{'");
          if (depth + 1 >= kMaxPackageDepth) return set_err(kw.start, "package nesting too deep");
          if (!advance()) return false;
          std::vector<AstNested> inner;
          if (!parse_body(n.body, &inner, depth + 1, nullptr)) return false;
          if (!expect(Tok::RBrace)) return false;
          if (depth > 0 || !nested)
            return set_err(n.name.span.offset, "nested packages must be placed at the top-level");
          n.docs = std::move(docs);
          nested->push_back(std::move(n));
          for (auto& x : inner) nested->push_back(std::move(x));
          break;
        }
        case Tok::Use: {
          if (!advance()) return false;
          AstTopUse u;
          u.span = span_of(cur_);
          if (!parse_use_path(u.path)) return false;
          u.as = u.path.name;
          bool ok;
          if (eat(Tok::As, ok)) {
            if (!parse_id(u.as)) return false;
          } else if (!ok) {
            return false;
          }
          if (!expect(Tok::Semi)) return false;
          body.uses.push_back(std::move(u));
          break;
        }
        case Tok::Interface: {
          if (!advance()) return false;
          AstInterface iface;
          iface.docs = std::move(docs);
          iface.gate = std::move(gate);
          if (!parse_id(iface.name)) return false;
          if (!parse_interface_items(iface)) return false;
          body.interfaces.push_back(std::move(iface));
          break;
        }
        case Tok::World: {
          if (!advance()) return false;
          AstWorld w;
          w.docs = std::move(docs);
          w.gate = std::move(gate);
          if (!parse_id(w.name)) return false;
          if (!parse_world_items(w)) return false;
          body.worlds.push_back(std::move(w));
          break;
        }
        default:
          return fail_expected("`world`, `interface`, `package` or `use`");
      }
    }
    return true;
  }

  bool parse_use_item(AstUse& u) {
    // `use` already consumed
    u.span = span_of(cur_);
    if (!parse_use_path(u.path)) return false;
    if (!expect(Tok::Dot)) return false;
    if (!expect(Tok::LBrace)) return false;
    while (cur_.kind != Tok::RBrace) {
      AstUseName n;
      if (!parse_id(n.name)) return false;
      bool ok;
      if (eat(Tok::As, ok)) {
        Ident a;
        if (!parse_id(a)) return false;
        n.as = a;
      } else if (!ok) {
        return false;
      }
      u.names.push_back(n);
      if (cur_.kind == Tok::Comma) {
        if (!advance()) return false;
        continue;
      }
      break;
    }
    if (!expect(Tok::RBrace)) return false;
    return expect(Tok::Semi);
  }

  bool parse_interface_items(AstInterface& iface) {
    if (!expect(Tok::LBrace)) return false;
    while (cur_.kind != Tok::RBrace) {
      if (cur_.kind == Tok::Eof) return fail_expected("`type`, `resource` or `func`");
      Docs docs = take_docs();
      Gate gate;
      if (!parse_gates(gate)) return false;
      if (cur_.kind == Tok::Use) {
        if (!advance()) return false;
        AstUse u;
        u.gate = std::move(gate);
        u.docs = std::move(docs);
        if (!parse_use_item(u)) return false;
        iface.order.push_back({AstInterface::ItemK::Use, static_cast<std::uint32_t>(iface.uses.size())});
        iface.uses.push_back(std::move(u));
        continue;
      }
      AstTypeDef td;
      bool is_type = false;
      if (!parse_typedef(td, is_type)) return false;
      if (is_type) {
        td.docs = std::move(docs);
        td.gate = std::move(gate);
        iface.order.push_back({AstInterface::ItemK::Type, static_cast<std::uint32_t>(iface.types.size())});
        iface.types.push_back(std::move(td));
        continue;
      }
      AstNamedFunc f;
      f.docs = std::move(docs);
      f.gate = std::move(gate);
      if (!is_id(cur_.kind)) return fail_expected("`type`, `resource` or `func`");
      if (!parse_id(f.name)) return false;
      if (!expect(Tok::Colon)) return false;
      if (!parse_func(f.func)) return false;
      if (!expect(Tok::Semi)) return false;
      iface.order.push_back({AstInterface::ItemK::Func, static_cast<std::uint32_t>(iface.funcs.size())});
      iface.funcs.push_back(std::move(f));
    }
    return advance();
  }

  // type / record / variant / enum / flags / resource; sets is_type=false
  // (consuming nothing) if the current token starts none of those.
  bool parse_typedef(AstTypeDef& td, bool& is_type) {
    is_type = true;
    switch (cur_.kind) {
      case Tok::Type:
        if (!advance()) return false;
        td.k = AstTypeDef::K::Alias;
        if (!parse_id(td.name)) return false;
        if (!expect(Tok::Eq)) return false;
        if (!parse_type(td.alias, 0)) return false;
        return expect(Tok::Semi);
      case Tok::Record:
      case Tok::Variant:
      case Tok::Enum:
      case Tok::Flags: {
        Tok kind = cur_.kind;
        td.k = kind == Tok::Record ? AstTypeDef::K::Record
               : kind == Tok::Variant ? AstTypeDef::K::Variant
               : kind == Tok::Enum ? AstTypeDef::K::Enum
                                   : AstTypeDef::K::Flags;
        if (!advance()) return false;
        if (!parse_id(td.name)) return false;
        if (!expect(Tok::LBrace)) return false;
        while (cur_.kind != Tok::RBrace) {
          AstNamedItem item;
          item.docs = take_docs();
          if (!parse_id(item.name)) return false;
          if (kind == Tok::Record) {
            if (!expect(Tok::Colon)) return false;
            item.type.emplace();
            if (!parse_type(*item.type, 0)) return false;
          } else if (kind == Tok::Variant && cur_.kind == Tok::LParen) {
            if (!advance()) return false;
            item.type.emplace();
            if (!parse_type(*item.type, 0)) return false;
            if (!expect(Tok::RParen)) return false;
          }
          td.items.push_back(std::move(item));
          if (cur_.kind == Tok::Comma) {
            if (!advance()) return false;
            continue;
          }
          break;
        }
        if (td.items.empty() && kind == Tok::Enum) return set_err(td.name.span.offset, "empty enum");
        if (td.items.empty() && kind == Tok::Variant) return set_err(td.name.span.offset, "empty variant");
        return expect(Tok::RBrace);
      }
      case Tok::Resource: {
        if (!advance()) return false;
        td.k = AstTypeDef::K::Resource;
        if (!parse_id(td.name)) return false;
        if (cur_.kind == Tok::Semi) return advance();
        if (!expect(Tok::LBrace)) return false;
        while (cur_.kind != Tok::RBrace) {
          AstResourceFunc rf;
          rf.docs = take_docs();
          if (!parse_gates(rf.gate)) return false;
          if (cur_.kind == Tok::Constructor) {
            rf.kind = FunctionKind::Constructor;
            rf.name.span = span_of(cur_);
            rf.func.span = span_of(cur_);
            if (!advance()) return false;
            if (!parse_params(rf.func)) return false;
            if (cur_.kind == Tok::RArrow) {
              if (!advance()) return false;
              rf.func.result.emplace();
              if (!parse_type(*rf.func.result, 0)) return false;
            }
          } else {
            if (!is_id(cur_.kind)) return fail_expected("`constructor` or identifier");
            if (!parse_id(rf.name)) return false;
            if (!expect(Tok::Colon)) return false;
            rf.kind = FunctionKind::Method;
            if (cur_.kind == Tok::Static) {
              rf.kind = FunctionKind::Static;
              if (!advance()) return false;
            }
            if (!parse_func(rf.func)) return false;
          }
          if (!expect(Tok::Semi)) return false;
          td.funcs.push_back(std::move(rf));
        }
        return advance();
      }
      default:
        is_type = false;
        return true;
    }
  }

  bool parse_params(AstFunc& f) {
    if (!expect(Tok::LParen)) return false;
    while (cur_.kind != Tok::RParen) {
      AstParam p;
      if (!parse_id(p.name)) return false;
      if (!expect(Tok::Colon)) return false;
      if (!parse_type(p.type, 0)) return false;
      f.params.push_back(std::move(p));
      if (cur_.kind == Tok::Comma) {
        if (!advance()) return false;
        continue;
      }
      break;
    }
    return expect(Tok::RParen);
  }

  // [async] func (params) [-> type]
  bool parse_func(AstFunc& f) {
    f.span = span_of(cur_);
    if (cur_.kind == Tok::Async) {
      f.is_async = true;
      if (!advance()) return false;
    }
    if (cur_.kind != Tok::Func) return fail_expected("keyword `func`");
    if (!advance()) return false;
    if (!parse_params(f)) return false;
    if (cur_.kind == Tok::RArrow) {
      if (!advance()) return false;
      f.result.emplace();
      if (!parse_type(*f.result, 0)) return false;
    }
    return true;
  }

  bool parse_type(AstType& t, int depth) {
    if (depth >= kMaxTypeDepth) return set_err(cur_.start, "type nesting too deep");
    t.span = span_of(cur_);
    auto prim = [&](Prim p) {
      t.k = AstType::K::Prim;
      t.prim = p;
      return advance();
    };
    auto one_arg = [&](AstType::K k) {
      t.k = k;
      if (!advance()) return false;
      if (!expect(Tok::Lt)) return false;
      t.args.emplace_back();
      if (!parse_type(t.args.back(), depth + 1)) return false;
      return expect(Tok::Gt);
    };
    switch (cur_.kind) {
      case Tok::Bool: return prim(Prim::Bool);
      case Tok::U8: return prim(Prim::U8);
      case Tok::U16: return prim(Prim::U16);
      case Tok::U32: return prim(Prim::U32);
      case Tok::U64: return prim(Prim::U64);
      case Tok::S8: return prim(Prim::S8);
      case Tok::S16: return prim(Prim::S16);
      case Tok::S32: return prim(Prim::S32);
      case Tok::S64: return prim(Prim::S64);
      case Tok::F32: return prim(Prim::F32);
      case Tok::F64: return prim(Prim::F64);
      case Tok::Char: return prim(Prim::Char);
      case Tok::String: return prim(Prim::String);
      case Tok::ErrorContext: return prim(Prim::ErrorContext);
      case Tok::Option: return one_arg(AstType::K::Option);
      case Tok::List: {
        t.k = AstType::K::List;
        if (!advance()) return false;
        if (!expect(Tok::Lt)) return false;
        t.args.emplace_back();
        if (!parse_type(t.args.back(), depth + 1)) return false;
        if (cur_.kind == Tok::Comma) {
          if (!advance()) return false;
          if (cur_.kind != Tok::Int) return fail_expected("fixed-length");
          std::string_view n = text_of(cur_);
          std::uint64_t v = 0;
          for (char c : n) {
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
            if (v > 0xffffffffull) return set_err(cur_.start, "fixed-length list size too large");
          }
          if (v == 0) return set_err(cur_.start, "invalid fixed-length list size: must be greater than zero");
          t.k = AstType::K::FixedList;
          t.length = static_cast<std::uint32_t>(v);
          if (!advance()) return false;
        }
        return expect(Tok::Gt);
      }
      case Tok::Tuple: {
        t.k = AstType::K::Tuple;
        if (!advance()) return false;
        if (!expect(Tok::Lt)) return false;
        while (cur_.kind != Tok::Gt) {
          t.args.emplace_back();
          if (!parse_type(t.args.back(), depth + 1)) return false;
          if (cur_.kind == Tok::Comma) {
            if (!advance()) return false;
            continue;
          }
          break;
        }
        return expect(Tok::Gt);
      }
      case Tok::Result: {
        t.k = AstType::K::Result;
        if (!advance()) return false;
        if (cur_.kind != Tok::Lt) return true;
        if (!advance()) return false;
        if (cur_.kind == Tok::Underscore) {
          if (!advance()) return false;
          if (!expect(Tok::Comma)) return false;
          t.has_err = true;
          t.args.emplace_back();
          if (!parse_type(t.args.back(), depth + 1)) return false;
          return expect(Tok::Gt);
        }
        t.has_ok = true;
        t.args.emplace_back();
        if (!parse_type(t.args.back(), depth + 1)) return false;
        if (cur_.kind == Tok::Comma) {
          if (!advance()) return false;
          t.has_err = true;
          t.args.emplace_back();
          if (!parse_type(t.args.back(), depth + 1)) return false;
        }
        return expect(Tok::Gt);
      }
      case Tok::Future:
      case Tok::Stream: {
        t.k = cur_.kind == Tok::Future ? AstType::K::Future : AstType::K::Stream;
        if (!advance()) return false;
        if (cur_.kind != Tok::Lt) return true;
        if (!advance()) return false;
        t.args.emplace_back();
        if (!parse_type(t.args.back(), depth + 1)) return false;
        return expect(Tok::Gt);
      }
      case Tok::Own:
      case Tok::Borrow: {
        t.k = cur_.kind == Tok::Own ? AstType::K::Own : AstType::K::Borrow;
        if (!advance()) return false;
        if (!expect(Tok::Lt)) return false;
        if (!parse_id(t.name)) return false;
        return expect(Tok::Gt);
      }
      case Tok::Id:
        if (text_of(cur_) == "map") {
          // `map<K, V>` (contextual: `map` alone is an ordinary name)
          Token save = cur_;
          std::size_t save_pos = lex_.pos();
          if (!advance()) return false;
          if (cur_.kind == Tok::Lt) {
            t.k = AstType::K::Map;
            if (!advance()) return false;
            t.args.emplace_back();
            if (!parse_type(t.args.back(), depth + 1)) return false;
            if (!expect(Tok::Comma)) return false;
            t.args.emplace_back();
            if (!parse_type(t.args.back(), depth + 1)) return false;
            return expect(Tok::Gt);
          }
          lex_.set_pos(save_pos);
          cur_ = save;
          // re-lex the token after `map` on the next advance
          t.k = AstType::K::Name;
          return parse_id(t.name);
        }
        [[fallthrough]];
      case Tok::ExplicitId:
        t.k = AstType::K::Name;
        return parse_id(t.name);
      default:
        return fail_expected("a type");
    }
  }

  bool parse_world_items(AstWorld& w) {
    if (!expect(Tok::LBrace)) return false;
    while (cur_.kind != Tok::RBrace) {
      if (cur_.kind == Tok::Eof) return fail_expected("'}'");
      AstWorldItem item;
      item.docs = take_docs();
      if (!parse_gates(item.gate)) return false;
      item.span = span_of(cur_);
      switch (cur_.kind) {
        case Tok::Import:
        case Tok::Export: {
          item.k = cur_.kind == Tok::Import ? AstWorldItem::K::Import : AstWorldItem::K::Export;
          if (!advance()) return false;
          Ident first;
          if (!parse_id(first)) return false;
          if (cur_.kind == Tok::Colon) {
            if (!advance()) return false;
            if (cur_.kind == Tok::Func || cur_.kind == Tok::Async) {
              item.ext = AstWorldItem::Ext::Func;
              item.name = first;
              if (!parse_func(item.func)) return false;
              if (!expect(Tok::Semi)) return false;
            } else if (cur_.kind == Tok::Interface) {
              item.ext = AstWorldItem::Ext::Inline;
              item.name = first;
              if (!advance()) return false;
              item.inline_iface = std::make_unique<AstInterface>();
              item.inline_iface->name = Ident{};
              item.inline_iface->name.span = first.span;
              if (!parse_interface_items(*item.inline_iface)) return false;
              if (cur_.kind == Tok::Semi && !advance()) return false;
            } else {
              // Either `ns:pkg/iface` (a path) or `label: path` (a named interface import).
              Ident second;
              if (!parse_id(second)) return false;
              item.ext = AstWorldItem::Ext::Path;
              if (cur_.kind == Tok::Slash) {
                if (!finish_foreign_path(item.path, first, second)) return false;
              } else {
                item.name = first;
                if (!parse_use_path(item.path, &second)) return false;
              }
              if (!expect(Tok::Semi)) return false;
            }
          } else {
            item.ext = AstWorldItem::Ext::Path;
            if (!parse_use_path(item.path, &first)) return false;
            if (!expect(Tok::Semi)) return false;
          }
          break;
        }
        case Tok::Use: {
          if (!advance()) return false;
          AstUse u;
          u.gate = item.gate;
          u.docs = item.docs;
          if (!parse_use_item(u)) return false;
          item.k = AstWorldItem::K::Use;
          item.index = static_cast<std::uint32_t>(w.uses.size());
          w.uses.push_back(std::move(u));
          break;
        }
        case Tok::Include: {
          item.k = AstWorldItem::K::Include;
          if (!advance()) return false;
          if (!parse_use_path(item.path)) return false;
          if (cur_.kind == Tok::With) {
            if (!advance()) return false;
            if (!expect(Tok::LBrace)) return false;
            while (cur_.kind != Tok::RBrace) {
              Ident a, b;
              if (!parse_id(a)) return false;
              if (!expect(Tok::As)) return false;
              if (!parse_id(b)) return false;
              item.with.push_back({a, b});
              if (cur_.kind == Tok::Comma) {
                if (!advance()) return false;
                continue;
              }
              break;
            }
            if (!expect(Tok::RBrace)) return false;
            if (cur_.kind == Tok::Semi && !advance()) return false;
          } else {
            if (!expect(Tok::Semi)) return false;
          }
          break;
        }
        default: {
          AstTypeDef td;
          bool is_type = false;
          if (!parse_typedef(td, is_type)) return false;
          if (!is_type) return fail_expected("`import`, `export`, `include`, `use`, or type");
          td.docs = item.docs;
          td.gate = item.gate;
          item.k = AstWorldItem::K::Type;
          item.index = static_cast<std::uint32_t>(w.types.size());
          w.types.push_back(std::move(td));
          break;
        }
      }
      w.items.push_back(std::move(item));
    }
    return advance();
  }

  // `a:b[:c]/d[/e][@v]` where `a` and `b` were already read.
  bool finish_foreign_path(AstUsePath& p, const Ident& a, const Ident& b) {
    p.foreign = true;
    p.span = a.span;
    std::string ns(a.name), name(b.name);
    while (cur_.kind == Tok::Colon) {
      if (!advance()) return false;
      Ident c;
      if (!parse_id(c)) return false;
      ns += ':';
      ns += name;
      name = std::string(c.name);
    }
    if (cur_.kind != Tok::Slash) return fail_expected("'/'");
    std::vector<Ident> segs;
    while (cur_.kind == Tok::Slash) {
      if (!advance()) return false;
      Ident c;
      if (!parse_id(c)) return false;
      segs.push_back(c);
    }
    for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
      name += '/';
      name += segs[i].name;
    }
    p.name = segs.back();
    p.package.name.ns = std::move(ns);
    p.package.name.name = std::move(name);
    p.package.span = a.span;
    if (cur_.kind == Tok::At) {
      if (!advance()) return false;
      if (!parse_version(p.package.name.version)) return false;
    }
    return true;
  }
};

}  // namespace

Result<AstFile> parse_file(const SourceMap& sources, std::uint32_t file) {
  Parser p(sources, file);
  return p.run();
}

}  // namespace compono::wit::detail
