// Confinement at the WASI 0.2 level: every path below reaches the host's
// wasi:filesystem/types open-at/stat-at/... relative to the /sandbox preopen
// descriptor, and each one that would leave it must fail.  The test sets up
// on the host: sandbox/ok.txt, sandbox/esc -> ../outside (relative symlink
// leaving the preopen), sandbox/abs -> <absolute path of outside/secret.txt>,
// and outside/secret.txt next to the sandbox.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void refused(int rc, const char* what) { printf("%s: %s\n", what, rc < 0 ? "refused" : "ALLOWED"); }

int main() {
  struct stat st;
  int fd = open("/sandbox/ok.txt", O_RDONLY);
  char buf[64] = {0};
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  printf("inside: %s\n", n > 0 ? buf : strerror(errno));
  if (fd >= 0) close(fd);
  refused(open("/sandbox/../outside/secret.txt", O_RDONLY), "dotdot-open");
  refused(stat("/sandbox/../outside/secret.txt", &st), "dotdot-stat");
  refused(open("/sandbox/esc/secret.txt", O_RDONLY), "relative-symlink-open");
  refused(stat("/sandbox/esc/secret.txt", &st), "relative-symlink-stat");
  refused(open("/sandbox/abs", O_RDONLY), "absolute-symlink-open");
  refused(open("/sandbox/sub/../../outside/secret.txt", O_RDONLY), "nested-dotdot-open");
  refused(open("/sandbox/../outside/new.txt", O_WRONLY | O_CREAT, 0644), "dotdot-create");
  refused(mkdir("/sandbox/../outside/newdir", 0755), "dotdot-mkdir");
  refused(unlink("/sandbox/../outside/secret.txt"), "dotdot-unlink");
  refused(rename("/sandbox/ok.txt", "/sandbox/../outside/moved.txt"), "dotdot-rename");
  refused(symlink("x", "/sandbox/../outside/link"), "dotdot-symlink");
  refused(open("/etc/passwd", O_RDONLY), "no-preopen");
  // `..` that stays inside is fine
  fd = open("/sandbox/sub/../ok.txt", O_RDONLY);
  printf("dotdot-inside: %s\n", fd >= 0 ? "ok" : strerror(errno));
  return 0;
}
