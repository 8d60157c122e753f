// wasi-hello: a C++ program for wasm32-wasi.  It greets its arguments, reads
// an environment variable, and keeps a visit counter in a file inside the
// directory the host lets it see (--dir).  See README.md.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> names(argv + 1, argv + argc);
  if (names.empty()) names.push_back("world");
  const char* greeting = std::getenv("GREETING");
  for (const auto& n : names) std::printf("%s, %s!\n", greeting ? greeting : "Hello", n.c_str());

  // A counter in /data/visits.txt, if the host preopened /data.
  int visits = 0;
  if (FILE* f = std::fopen("/data/visits.txt", "r")) {
    if (std::fscanf(f, "%d", &visits) != 1) visits = 0;
    std::fclose(f);
  }
  if (FILE* f = std::fopen("/data/visits.txt", "w")) {
    std::fprintf(f, "%d\n", ++visits);
    std::fclose(f);
    std::printf("visit number %d\n", visits);
  } else {
    std::printf("no /data directory: run with --dir SOMEDIR::/data to count visits\n");
  }
  // The sandbox holds: nothing outside /data is reachable.
  if (std::fopen("/data/../etc/passwd", "r")) std::printf("escaped the sandbox?!\n");
  return 0;
}
