// The "done when" program: prints its arguments and environment, writes a
// file in the preopened directory and reads it back, fails to open a path
// outside the sandbox, and exits with its own code (7).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) std::printf("arg[%zu]=%s\n", i, args[i].c_str());
  for (char** e = environ; *e; ++e) std::printf("env %s\n", *e);

  const char* dir = std::getenv("DATA_DIR");
  std::string base = dir ? dir : "/sandbox";
  std::string path = base + "/note.txt";
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    std::printf("cannot create %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  std::fprintf(f, "written by the guest with %d args\n", argc);
  std::fclose(f);
  char buf[128] = {};
  f = std::fopen(path.c_str(), "r");
  if (!f || !std::fgets(buf, sizeof buf, f)) {
    std::printf("cannot read back %s\n", path.c_str());
    return 1;
  }
  std::fclose(f);
  std::printf("read back: %s", buf);

  for (std::string p : {std::string("../outside"), base + "/../outside", base + "/../outside/secret.txt"}) {
    errno = 0;
    int fd = open(p.c_str(), O_RDONLY);
    if (fd >= 0) std::printf("open %s: OPENED (sandbox escape!)\n", p.c_str());
    else std::printf("open %s: failed errno=%d (%s)\n", p.c_str(), errno, std::strerror(errno));
  }
  std::fflush(stdout);
  return 7;
}
