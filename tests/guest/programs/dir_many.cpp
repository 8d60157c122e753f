// Directory listing larger than wasi-libc's readdir buffer: every entry must
// come back exactly once (fd_readdir cookies, truncated entries), and
// telldir/seekdir/rewinddir must reposition the listing.
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <map>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  std::string pad(50, 'x');
  for (int i = 0; i < n; ++i) {
    std::string name = "/sandbox/f" + std::to_string(i) + "_" + pad;
    FILE* f = fopen(name.c_str(), "w");
    if (!f) { perror(name.c_str()); return 1; }
    fclose(f);
  }
  DIR* d = opendir("/sandbox");
  if (!d) { perror("opendir"); return 1; }
  std::map<std::string, int> seen;
  long mid_pos = -1;
  std::string mid_name;
  int count = 0;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    seen[name]++;
    if (++count == n / 2) mid_pos = telldir(d);
    else if (count == n / 2 + 1) mid_name = name;
  }
  int ok = 1, dups = 0;
  for (int i = 0; i < n; ++i)
    if (seen["f" + std::to_string(i) + "_" + pad] != 1) ok = 0;
  for (auto& [k, v] : seen) if (v != 1) ++dups;
  printf("entries=%d all_once=%d dups=%d dot=%d dotdot=%d\n", (int)seen.size(), ok, dups, (int)seen.count("."),
         (int)seen.count(".."));
  seekdir(d, mid_pos);
  struct dirent* e = readdir(d);
  printf("seekdir_back=%d\n", e && mid_name == e->d_name ? 1 : 0);
  rewinddir(d);
  int again = 0;
  while (readdir(d)) ++again;
  printf("rewind_count=%d\n", again);
  closedir(d);
  return 0;
}
