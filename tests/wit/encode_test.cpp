// Component-type encoding: byte-for-byte against wit-component (through jco's
// `componentEmbed`), and end to end: a clang-built core module carrying our
// `component-type:<world>` section goes through `jco new`, and `jco wit`
// prints the same world back.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "common.h"

using namespace wit_test;
using namespace compono::wit;

namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint32_t leb(const Bytes& b, std::size_t& i) {
  std::uint32_t v = 0;
  int shift = 0;
  while (i < b.size()) {
    std::uint8_t c = b[i++];
    v |= static_cast<std::uint32_t>(c & 0x7f) << shift;
    shift += 7;
    if (!(c & 0x80)) break;
  }
  return v;
}

struct Section {
  std::uint8_t id;
  std::string name;  // custom sections
  Bytes whole;       // id + size + content
  Bytes payload;     // custom: after the name
};

std::vector<Section> sections(const Bytes& b) {
  std::vector<Section> out;
  std::size_t i = 8;
  while (i < b.size()) {
    std::size_t start = i;
    Section s;
    s.id = b[i++];
    std::uint32_t n = leb(b, i);
    if (i + n > b.size()) break;
    std::size_t end = i + n;
    if (s.id == 0) {
      std::size_t j = i;
      std::uint32_t ln = leb(b, j);
      s.name.assign(reinterpret_cast<const char*>(&b[j]), ln);
      s.payload.assign(b.begin() + static_cast<long>(j + ln), b.begin() + static_cast<long>(end));
    }
    s.whole.assign(b.begin() + static_cast<long>(start), b.begin() + static_cast<long>(end));
    out.push_back(std::move(s));
    i = end;
  }
  return out;
}

Bytes read_bytes(const fs::path& p) {
  std::string s = slurp(p);
  return Bytes(s.begin(), s.end());
}

// The component-type payload of a core module, without the `producers` section.
Bytes component_type_of(const Bytes& module) {
  for (auto& s : sections(module)) {
    if (s.id != 0 || s.name.rfind("component-type", 0) != 0) continue;
    Bytes out(s.payload.begin(), s.payload.begin() + 8);
    for (auto& inner : sections(s.payload))
      if (!(inner.id == 0 && inner.name == "producers")) out.insert(out.end(), inner.whole.begin(), inner.whole.end());
    return out;
  }
  return {};
}

fs::path jco_tools() {
  return fs::path(COMPONO_SOURCE_DIR) / ".tools/node_modules/@bytecodealliance/jco-transpile/dist/wasm-tools.js";
}
fs::path jco_bin() { return fs::path(COMPONO_SOURCE_DIR) / ".tools/node_modules/.bin/jco"; }
bool have(const char* cmd) { return std::system((std::string(cmd) + " >/dev/null 2>&1").c_str()) == 0; }

fs::path temp_dir(const char* name) {
  fs::path d = fs::temp_directory_path() / (std::string("compono-wit-") + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST(WitEncode, HeaderAndSections) {
  auto l = load_string("t.wit", "package a:b@1.0.0;\nworld w { export f: func(x: list<u8>) -> string; }\n");
  ASSERT_TRUE(l) << l.error().message;
  auto w = l->resolve.select_world(l->main, "w");
  ASSERT_TRUE(w);
  auto bytes = encode_world_type(l->resolve, *w);
  ASSERT_TRUE(bytes) << bytes.error().message;
  const Bytes& b = *bytes;
  ASSERT_GT(b.size(), 8u);
  EXPECT_EQ(Bytes(b.begin(), b.begin() + 8), (Bytes{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}));
  auto secs = sections(b);
  ASSERT_EQ(secs.size(), 3u);
  EXPECT_EQ(secs[0].name, "wit-component-encoding");
  EXPECT_EQ(secs[0].payload, (Bytes{0x04, 0x00}));
  EXPECT_EQ(secs[1].id, 7);
  EXPECT_EQ(secs[2].id, 11);
  std::string all(b.begin(), b.end());
  EXPECT_NE(all.find("a:b/w@1.0.0"), std::string::npos);

  Bytes module = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto embedded = embed_world_type(l->resolve, *w, module);
  ASSERT_TRUE(embedded);
  auto ms = sections(*embedded);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].name, "component-type:w");
  EXPECT_EQ(ms[0].payload, b);
  EXPECT_FALSE(embed_world_type(l->resolve, *w, Bytes{1, 2, 3}));
}

// Every world of wasi-0.2 and of the parser-ui pass cases, encoded by us and
// by wit-component: the bytes must be identical (wit-component also adds a
// `producers` section, which is left out of the comparison).
TEST(WitEncode, MatchesWitComponentByteForByte) {
  if (!have("node --version")) GTEST_SKIP() << "node is not installed";
  if (!fs::exists(jco_tools())) GTEST_SKIP() << "jco is not installed (run scripts/setup.sh): " << jco_tools();
  fs::path tmp = temp_dir("embed");
  struct Job {
    std::string label, wit;
    Loaded loaded;
    WorldId world;
    fs::path out;
  };
  std::vector<Job> jobs;
  nlohmann::json list = nlohmann::json::array();
  auto add_all = [&](const fs::path& wit, const Options& o, const std::vector<std::string>& features) {
    auto l = load_path(wit.string(), o);
    if (!l) return;
    for (auto& [wname, wid] : l->resolve.packages[l->main].worlds) {
      Job j;
      j.label = wit.filename().string() + ":" + wname;
      j.wit = wit.string();
      j.world = wid;
      j.out = tmp / (std::to_string(jobs.size()) + ".wasm");
      const PackageName& pn = l->resolve.packages[l->main].name;
      auto esc = [](const std::string& n) {
        for (const char* k : {"async", "type", "world", "interface", "package", "use", "func", "resource", "record"})
          if (n == k) return "%" + n;
        return n;
      };
      std::string spec = esc(pn.ns) + ":" + esc(pn.name) + "/" + esc(wname) + (pn.version.empty() ? "" : "@" + pn.version);
      list.push_back({{"wit", j.wit}, {"world", spec}, {"features", features}, {"out", j.out.string()}});
      j.loaded = *l;
      jobs.push_back(std::move(j));
    }
  };
  add_all(wasi_dir(), {}, {});
  for (auto& c : cases_in(parser_ui())) {
    if ((c.extension() != ".wit" && !fs::is_directory(c)) || has_binary_deps(c)) continue;
    add_all(c, ui_options(), {"active"});
  }
  ASSERT_GT(jobs.size(), 50u);
  fs::path jobs_file = tmp / "jobs.json";
  {
    std::FILE* f = std::fopen(jobs_file.c_str(), "w");
    ASSERT_TRUE(f);
    std::string s = list.dump();
    std::fwrite(s.data(), 1, s.size(), f);
    std::fclose(f);
  }
  std::string cmd = "node '" + (fs::path(COMPONO_SOURCE_DIR) / "tests/wit/jco_embed.mjs").string() + "' '" +
                    jco_tools().string() + "' '" + jobs_file.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  int passed = 0, failed = 0, skipped = 0;
  for (auto& j : jobs) {
    fs::path err = j.out;
    err += ".err";
    if (fs::exists(err)) {
      ++skipped;
      std::printf("  SKIP %s (wit-component rejects it: %s)\n", j.label.c_str(), slurp(err).substr(0, 160).c_str());
      continue;
    }
    Bytes theirs = component_type_of(read_bytes(j.out));
    auto mine = encode_world_type(j.loaded.resolve, j.world);
    if (!mine) {
      ++failed;
      ADD_FAILURE() << j.label << ": " << mine.error().message;
      continue;
    }
    if (*mine == theirs) {
      ++passed;
    } else {
      ++failed;
      fs::path mp = j.out;
      mp += ".mine";
      std::FILE* f = std::fopen(mp.c_str(), "wb");
      if (f) {
        std::fwrite(mine->data(), 1, mine->size(), f);
        std::fclose(f);
      }
      ADD_FAILURE() << j.label << ": encoding differs from wit-component (" << mine->size() << " vs " << theirs.size()
                    << " bytes; ours in " << mp << ", theirs in " << j.out << ")";
    }
  }
  std::printf("component-type encoding vs wit-component: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  if (failed == 0) fs::remove_all(tmp);
}

// A C guest built with clang-19 carries our section; `jco new` turns it into
// a component and `jco wit` must print the same world back.
TEST(WitEncode, JcoNewAcceptsEmbeddedModule) {
  if (!have("node --version")) GTEST_SKIP() << "node is not installed";
  if (!fs::exists(jco_bin())) GTEST_SKIP() << "jco is not installed (run scripts/setup.sh)";
  if (!have("clang-19 --version")) GTEST_SKIP() << "clang-19 is not installed";
  fs::path data = fs::path(COMPONO_SOURCE_DIR) / "tests/wit/data/small";
  fs::path tmp = temp_dir("jco-new");
  std::string core = (tmp / "small.wasm").string();
  std::string cc = "clang-19 --target=wasm32-wasi -O2 -nostdlib -Wl,--no-entry -o '" + core + "' '" +
                   (data / "small.c").string() + "'";
  ASSERT_EQ(std::system(cc.c_str()), 0) << cc;

  auto l = load_path((data / "wit").string());
  ASSERT_TRUE(l) << l.error().message;
  auto w = l->resolve.select_world(l->main, "small");
  ASSERT_TRUE(w) << w.error().message;
  auto embedded = embed_world_type(l->resolve, *w, read_bytes(core));
  ASSERT_TRUE(embedded) << embedded.error().message;
  fs::path emb = tmp / "small.embed.wasm";
  {
    std::FILE* f = std::fopen(emb.c_str(), "wb");
    ASSERT_TRUE(f);
    std::fwrite(embedded->data(), 1, embedded->size(), f);
    std::fclose(f);
  }
  fs::path comp = tmp / "small.component.wasm", wit_out = tmp / "printed.wit";
  std::string jco = "'" + jco_bin().string() + "'";
  std::string c1 = jco + " new '" + emb.string() + "' -o '" + comp.string() + "'";
  ASSERT_EQ(std::system(c1.c_str()), 0) << c1;
  std::string c2 = jco + " wit '" + comp.string() + "' > '" + wit_out.string() + "'";
  ASSERT_EQ(std::system(c2.c_str()), 0) << c2;

  // jco prints the component's world (as root:component/root) referring to our
  // interfaces by name: load it together with our package and compare.
  std::string printed = slurp(wit_out);
  std::string combined = printed + "\n" + print_package(l->resolve, l->main, true);
  auto back = load_string("jco-wit.wit", combined);
  ASSERT_TRUE(back) << back.error().message << "\n" << printed;
  const Resolve& a = l->resolve;
  const Resolve& b = back->resolve;
  auto wb = b.select_world(back->main, "");
  ASSERT_TRUE(wb) << wb.error().message;
  const World& wa_ = a.worlds[*w];
  const World& wb_ = b.worlds[*wb];
  auto describe = [](const Resolve& r, const World& wd) {
    std::string s;
    for (int dir = 0; dir < 2; ++dir) {
      for (auto& it : dir == 0 ? wd.imports : wd.exports) {
        s += dir == 0 ? "import " : "export ";
        s += r.item_key(it);
        if (it.kind == WorldItemKind::Function) s += ": " + print_function(r, it.function);
        if (it.kind == WorldItemKind::Interface) {
          for (auto& [n, t] : r.interfaces[it.interface].types) s += "\n  type " + n;
          for (auto& f : r.interfaces[it.interface].functions) s += "\n  " + f.name + ": " + print_function(r, f);
        }
        s += "\n";
      }
    }
    return s;
  };
  EXPECT_EQ(describe(a, wa_), describe(b, wb_)) << printed;
  fs::remove_all(tmp);
}

// decode(encode(world)) encodes to the same bytes, for every world of
// wasi-0.2 and the parser-ui pass cases; the decoded world prints as WIT that
// parses back.
TEST(WitEncode, DecodeRoundTrip) {
  int passed = 0, failed = 0;
  auto check = [&](const fs::path& wit, const Options& o) {
    auto l = load_path(wit.string(), o);
    if (!l) return;
    for (auto& [wname, wid] : l->resolve.packages[l->main].worlds) {
      std::string label = wit.filename().string() + ":" + wname;
      auto bytes = encode_world_type(l->resolve, wid);
      ASSERT_TRUE(bytes) << label;
      auto back = decode_world_type(*bytes);
      if (!back) {
        ++failed;
        ADD_FAILURE() << label << ": decode: " << back.error().to_string();
        continue;
      }
      auto w2 = back->resolve.select_world(back->main, "");
      ASSERT_TRUE(w2) << label << ": " << w2.error().message;
      EXPECT_EQ(back->resolve.worlds[*w2].name, wname);
      auto again = encode_world_type(back->resolve, *w2);
      ASSERT_TRUE(again) << label;
      std::string printed = print_loaded(*back);
      auto reparsed = load_string("decoded.wit", printed, o);
      if (*again != *bytes) {
        ++failed;
        ADD_FAILURE() << label << ": re-encoding the decoded world differs\n" << printed;
      } else if (!reparsed) {
        ++failed;
        ADD_FAILURE() << label << ": decoded world does not print as valid WIT: " << reparsed.error().message << "\n"
                      << printed;
      } else {
        ++passed;
      }
    }
  };
  check(wasi_dir(), {});
  for (auto& c : cases_in(parser_ui()))
    if ((c.extension() == ".wit" || fs::is_directory(c)) && !has_binary_deps(c)) check(c, ui_options());
  std::printf("component-type decode round trip: %d passed, %d failed, 0 skipped\n", passed, failed);
  EXPECT_GT(passed, 70);
}
