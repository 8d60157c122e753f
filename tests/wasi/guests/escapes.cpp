// Tries to leave the preopened /sandbox in every way the test prepares
// (the host made link_up -> ../outside, link_abs -> <abs outside>, loop_a <-> loop_b).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* name(int e) {
  switch (e) {
    case 0: return "OK";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOENT: return "ENOENT";
    case ELOOP: return "ELOOP";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    default: return std::strerror(e);
  }
}
#define TRY(label, expr)                        \
  do {                                          \
    errno = 0;                                  \
    long r_ = long(expr);                       \
    std::printf("%s: %s\n", label, r_ >= 0 ? "OK" : name(errno)); \
  } while (0)

int main() {
  struct stat st;
  TRY("open ..", open("/sandbox/../outside/secret.txt", O_RDONLY));
  TRY("open a/../..", open("/sandbox/sub/../../outside/secret.txt", O_RDONLY));
  TRY("open rel symlink", open("/sandbox/link_up/secret.txt", O_RDONLY));
  TRY("open abs symlink", open("/sandbox/link_abs/secret.txt", O_RDONLY));
  TRY("open loop", open("/sandbox/loop_a", O_RDONLY));
  TRY("stat rel symlink", stat("/sandbox/link_up", &st));
  TRY("create outside", open("/sandbox/../created.txt", O_WRONLY | O_CREAT, 0644));
  TRY("mkdir outside", mkdir("/sandbox/link_up/newdir", 0755));
  TRY("rename out", rename("/sandbox/file.txt", "/sandbox/../moved.txt"));
  TRY("rename in", rename("/sandbox/link_up/secret.txt", "/sandbox/stolen.txt"));
  TRY("link out", link("/sandbox/file.txt", "/sandbox/link_up/hard.txt"));
  TRY("symlink abs", symlink("/etc/passwd", "/sandbox/abs"));
  TRY("unlink outside", unlink("/sandbox/link_up/secret.txt"));
  TRY("rmdir outside", rmdir("/sandbox/.."));
  TRY("opendir ..", (long)(opendir("/sandbox/..") ? 0 : -1));
  TRY("open inside", open("/sandbox/file.txt", O_RDONLY));
  return 0;
}
