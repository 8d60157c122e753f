// Exercises the filesystem through wasi-libc: create/write/append/read a file,
// seek/tell, stat, mkdir, rename, readdir, unlink, rmdir, and error paths, all
// inside the preopened directory /sandbox.  Prints one line per step.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

static void check(bool ok, const char* what) {
  printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
}

int main() {
  FILE* f = fopen("/sandbox/data.txt", "w");
  check(f != nullptr, "fopen-w");
  if (!f) return 1;
  fprintf(f, "line one\n");
  fprintf(f, "line %s\n", "two");
  check(fclose(f) == 0, "fclose-w");

  f = fopen("/sandbox/data.txt", "a");
  check(f != nullptr, "fopen-a");
  fputs("line three\n", f);
  fclose(f);

  f = fopen("/sandbox/data.txt", "r");
  check(f != nullptr, "fopen-r");
  char buf[256];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  printf("read %zu bytes\n%s", n, buf);
  check(fseek(f, 5, SEEK_SET) == 0, "fseek");
  printf("ftell=%ld\n", ftell(f));
  char word[8] = {0};
  size_t w = fread(word, 1, 3, f);
  printf("at 5: %zu <%s>\n", w, word);
  fseek(f, -6, SEEK_END);
  char tail[8] = {0};
  fread(tail, 1, 5, f);
  printf("tail <%s>\n", tail);
  fclose(f);

  struct stat st;
  check(stat("/sandbox/data.txt", &st) == 0, "stat");
  printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);

  // pread/pwrite on a raw fd
  int fd = open("/sandbox/data.txt", O_RDWR);
  check(fd >= 0, "open-rdwr");
  check(pwrite(fd, "LINE", 4, 0) == 4, "pwrite");
  char p[5] = {0};
  check(pread(fd, p, 4, 9) == 4, "pread");
  printf("pread <%s>\n", p);
  check(ftruncate(fd, 14) == 0, "ftruncate");
  check(fstat(fd, &st) == 0, "fstat");
  printf("fstat size=%lld\n", (long long)st.st_size);
  close(fd);

  check(mkdir("/sandbox/sub", 0755) == 0, "mkdir");
  check(mkdir("/sandbox/sub", 0755) != 0 && errno == EEXIST, "mkdir-again-EEXIST");
  f = fopen("/sandbox/sub/inner.txt", "w");
  fputs("inner\n", f);
  fclose(f);
  check(rename("/sandbox/sub/inner.txt", "/sandbox/sub/moved.txt") == 0, "rename");
  check(stat("/sandbox/sub", &st) == 0 && S_ISDIR(st.st_mode), "stat-dir");

  DIR* d = opendir("/sandbox");
  check(d != nullptr, "opendir");
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(name + (e->d_type == DT_DIR ? "/" : ""));
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  printf("ls /sandbox:");
  for (auto& s : names) printf(" %s", s.c_str());
  printf("\n");

  check(symlink("data.txt", "/sandbox/link") == 0, "symlink");
  char target[64] = {0};
  ssize_t tl = readlink("/sandbox/link", target, sizeof target - 1);
  printf("readlink=%zd <%s>\n", tl, tl > 0 ? target : "");
  check(lstat("/sandbox/link", &st) == 0 && S_ISLNK(st.st_mode), "lstat-link");
  check(stat("/sandbox/link", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 14, "stat-through-link");
  check(unlink("/sandbox/link") == 0, "unlink-link");

  struct timespec times[2] = {{1000000000, 0}, {1234567890, 500000000}};
  check(utimensat(AT_FDCWD, "/sandbox/data.txt", times, 0) == 0, "utimensat");
  check(stat("/sandbox/data.txt", &st) == 0, "stat-times");
  printf("mtime=%lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

  check(open("/sandbox/missing.txt", O_RDONLY) < 0 && errno == ENOENT, "open-missing-ENOENT");
  check(rmdir("/sandbox/sub") != 0 && errno == ENOTEMPTY, "rmdir-nonempty-ENOTEMPTY");
  check(unlink("/sandbox/sub/moved.txt") == 0, "unlink");
  check(rmdir("/sandbox/sub") == 0, "rmdir");
  check(open("/elsewhere/x", O_RDONLY) < 0, "outside-preopen-fails");

  // error paths and the calls that map to nothing in WASI 0.2
  check(write(99, "x", 1) < 0 && errno == EBADF, "write-bad-fd-EBADF");
  check(lseek(1, 0, SEEK_CUR) < 0 && errno == ESPIPE, "lseek-stdout-ESPIPE");
  int dfd = open("/sandbox", O_RDONLY | O_DIRECTORY);
  check(dfd >= 0, "open-dir");
  char c;
  check(read(dfd, &c, 1) < 0 && errno == EISDIR, "read-dir-EISDIR");
  close(dfd);
  check(fstat(dfd, &st) < 0 && errno == EBADF, "fstat-closed-EBADF");
  fd = open("/sandbox/data.txt", O_WRONLY);
  check(posix_fallocate(fd, 0, 100) == ENOTSUP, "fallocate-ENOTSUP");
  check(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0, "fadvise");
  check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync");
  check(shutdown(fd, SHUT_RDWR) < 0 && errno == ENOTSUP, "shutdown-ENOTSUP");
  close(fd);
  fd = open("/sandbox/data.txt", O_WRONLY | O_APPEND);
  check(fd >= 0 && (fcntl(fd, F_GETFL) & O_APPEND) != 0, "fcntl-getfl-append");
  check(write(fd, "+", 1) == 1, "append-write");
  close(fd);
  check(stat("/sandbox/data.txt", &st) == 0 && st.st_size == 15, "append-size-15");
  // fd_filestat_set_times -> descriptor.set-times.  Only the call is checked:
  // jco 1.30's preview2-shim hands milliseconds to futimes() (which takes
  // seconds) for this method, so the resulting times are the host's bug.
  // The path variant (utimensat above, set-times-at) is checked by value.
  fd = open("/sandbox/data.txt", O_RDONLY);
  struct timespec ft[2] = {{0, UTIME_OMIT}, {2000000000, 7}};
  check(futimens(fd, ft) == 0, "futimens");
  close(fd);

  f = fopen("/sandbox/out.txt", "w");
  fputs("written by the guest\n", f);
  fclose(f);
  return 0;
}
