// Directory and file operations inside the preopen /sandbox: mkdir,
// create/write, readdir, stat, rename, unlink, symlink/readlink, truncate,
// seek, rmdir.  Every step prints what it observed.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

static void check(const char* what, int r) {
  std::printf("%s: %s\n", what, r == 0 ? "ok" : std::strerror(errno));
}

static void write_file(const char* p, const char* s) {
  FILE* f = std::fopen(p, "w");
  if (!f) { std::printf("fopen %s: %s\n", p, std::strerror(errno)); return; }
  std::fputs(s, f);
  std::fclose(f);
}

static void list(const char* p) {
  DIR* d = opendir(p);
  if (!d) { std::printf("opendir %s: %s\n", p, std::strerror(errno)); return; }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    n += e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : "";
    names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::printf("ls %s:", p);
  for (auto& n : names) std::printf(" %s", n.c_str());
  std::printf("\n");
}

int main() {
  check("mkdir", mkdir("/sandbox/d", 0755));
  write_file("/sandbox/d/a.txt", "alpha");
  write_file("/sandbox/d/b.txt", "bravo!");
  list("/sandbox/d");
  struct stat st;
  check("stat", stat("/sandbox/d/b.txt", &st));
  std::printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);
  check("rename", rename("/sandbox/d/a.txt", "/sandbox/d/c.txt"));
  check("unlink", unlink("/sandbox/d/b.txt"));
  check("symlink", symlink("c.txt", "/sandbox/d/link"));
  char buf[64] = {};
  ssize_t n = readlink("/sandbox/d/link", buf, sizeof buf - 1);
  std::printf("readlink=%s\n", n >= 0 ? buf : std::strerror(errno));
  check("lstat", lstat("/sandbox/d/link", &st));
  std::printf("link is_symlink=%d\n", S_ISLNK(st.st_mode) ? 1 : 0);
  list("/sandbox/d");

  int fd = open("/sandbox/d/link", O_RDWR);
  std::printf("open via link: %s\n", fd >= 0 ? "ok" : std::strerror(errno));
  char rd[16] = {};
  std::printf("read=%zd '%s'\n", read(fd, rd, sizeof rd - 1), rd);
  std::printf("lseek=%lld\n", (long long)lseek(fd, 2, SEEK_SET));
  std::printf("write=%zd\n", write(fd, "PH", 2));
  check("ftruncate", ftruncate(fd, 4));
  check("fstat", fstat(fd, &st));
  std::printf("size=%lld\n", (long long)st.st_size);
  close(fd);

  check("rmdir nonempty", rmdir("/sandbox/d"));
  check("unlink link", unlink("/sandbox/d/link"));
  check("unlink c", unlink("/sandbox/d/c.txt"));
  check("rmdir", rmdir("/sandbox/d"));
  check("stat gone", stat("/sandbox/d", &st));
  // Many entries with long names: readdir needs several fd_readdir calls,
  // resumed by cookie.
  check("mkdir many", mkdir("/sandbox/many", 0755));
  for (int i = 0; i < 300; ++i) {
    char p[128];
    std::snprintf(p, sizeof p, "/sandbox/many/a rather long file name number %03d.txt", i);
    write_file(p, "");
  }
  if (DIR* d = opendir("/sandbox/many")) {
    int files = 0, sum = 0;
    while (dirent* e = readdir(d)) {
      int k;
      if (std::sscanf(e->d_name, "a rather long file name number %d.txt", &k) == 1) {
        ++files;
        sum += k;
      }
    }
    closedir(d);
    std::printf("many: %d files, index sum %d\n", files, sum);
  }
  // Leave one file for the host to check.
  write_file("/sandbox/result.txt", "fs_ops done\n");
  return 0;
}
