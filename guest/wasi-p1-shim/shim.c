/* shim.c - WASI preview 1 implemented on WASI 0.2 imports.
 *
 * wasi-libc calls preview-1 functions through undefined symbols named
 * __imported_wasi_snapshot_preview1_<fn> that carry wasm import attributes.
 * Defining those symbols here makes wasm-ld resolve them at link time, so the
 * final core module imports only WASI 0.2 interfaces (see wasi02.h) and needs
 * no adapter module.  The wasi:cli/run entry for command components is in
 * command.c (a separate object, so library-style components can use the shim
 * without a main).
 *
 * Coverage: args, environ, clocks, random, proc_exit, sched_yield, stdio
 * streams, files and directories on preopens, poll_oneoff for clocks and
 * stdio.  Sockets, fd_allocate and rights changes return ENOTSUP.
 *
 * State: one small growable fd table (16 entries to start).  Every buffer the
 * host returns through cabi_realloc is freed before returning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "compono_guest/cabi.h"
#include "wasi02.h"

typedef int32_t i32;
typedef int64_t i64;

#define P1(name) __imported_wasi_snapshot_preview1_##name
#define P1_FN(ret, name) __attribute__((__visibility__("default"))) ret P1(name)

/* ------------------------------------------------------------------ utils */

static void free_bytes(p2_bytes b) { compono_cabi_free(b.ptr, b.len); }
static void free_string(p2_string s) { compono_cabi_free(s.ptr, s.len); }

/* wasi:filesystem error-code (declaration order) -> preview-1 errno */
static const uint8_t k_errno_of_fs[] = {
    __WASI_ERRNO_ACCES,    __WASI_ERRNO_AGAIN,       __WASI_ERRNO_ALREADY,  __WASI_ERRNO_BADF,
    __WASI_ERRNO_BUSY,     __WASI_ERRNO_DEADLK,      __WASI_ERRNO_DQUOT,    __WASI_ERRNO_EXIST,
    __WASI_ERRNO_FBIG,     __WASI_ERRNO_ILSEQ,       __WASI_ERRNO_INPROGRESS, __WASI_ERRNO_INTR,
    __WASI_ERRNO_INVAL,    __WASI_ERRNO_IO,          __WASI_ERRNO_ISDIR,    __WASI_ERRNO_LOOP,
    __WASI_ERRNO_MLINK,    __WASI_ERRNO_MSGSIZE,     __WASI_ERRNO_NAMETOOLONG, __WASI_ERRNO_NODEV,
    __WASI_ERRNO_NOENT,    __WASI_ERRNO_NOLCK,       __WASI_ERRNO_NOMEM,    __WASI_ERRNO_NOSPC,
    __WASI_ERRNO_NOTDIR,   __WASI_ERRNO_NOTEMPTY,    __WASI_ERRNO_NOTRECOVERABLE, __WASI_ERRNO_NOTSUP,
    __WASI_ERRNO_NOTTY,    __WASI_ERRNO_NXIO,        __WASI_ERRNO_OVERFLOW, __WASI_ERRNO_PERM,
    __WASI_ERRNO_PIPE,     __WASI_ERRNO_ROFS,        __WASI_ERRNO_SPIPE,    __WASI_ERRNO_TXTBSY,
    __WASI_ERRNO_XDEV,
};
static i32 fs_errno(uint8_t code) {
  return code < sizeof k_errno_of_fs ? k_errno_of_fs[code] : __WASI_ERRNO_IO;
}

/* result<_, error-code> -> 0 or errno */
static i32 unit_errno(const p2_result_u8* r) { return r->is_err ? fs_errno(r->val) : 0; }

static uint8_t filetype_of(uint8_t p2_type) {
  switch (p2_type) {
    case P2_DT_BLOCK: return __WASI_FILETYPE_BLOCK_DEVICE;
    case P2_DT_CHAR: return __WASI_FILETYPE_CHARACTER_DEVICE;
    case P2_DT_DIRECTORY: return __WASI_FILETYPE_DIRECTORY;
    case P2_DT_SYMLINK: return __WASI_FILETYPE_SYMBOLIC_LINK;
    case P2_DT_REGULAR: return __WASI_FILETYPE_REGULAR_FILE;
    case P2_DT_SOCKET: return __WASI_FILETYPE_SOCKET_STREAM;
    default: return __WASI_FILETYPE_UNKNOWN;
  }
}

/* A stream error: drop the error resource if any; closed -> *closed = 1. */
static i32 stream_errno(p2_stream_error e, int* closed) {
  if (e.tag == P2_STREAM_ERROR_FAILED) {
    p2_drop_error(e.error);
    return __WASI_ERRNO_IO;
  }
  if (closed) *closed = 1;
  return __WASI_ERRNO_PIPE;
}

/* --------------------------------------------------------------- fd table */

enum { K_FREE = 0, K_STDIN, K_STDOUT, K_STDERR, K_FILE, K_DIR };

typedef struct {
  uint8_t kind;
  uint8_t append;       /* FDFLAGS_APPEND */
  uint8_t has_stream;   /* stdio stream handle fetched */
  uint8_t tty;          /* stdio: 0 unknown, 1 terminal, 2 not a terminal */
  i32 handle;           /* descriptor (K_FILE/K_DIR) or stream (stdio) */
  uint64_t pos;         /* file position (K_FILE) */
  char* preopen;        /* preopen name (K_DIR from get-directories), else NULL */
  size_t preopen_len;
  /* readdir state (K_DIR) */
  i32 dir_stream;       /* directory-entry-stream, -1 when none */
  uint64_t dir_cookie;  /* cookie of the next entry the stream yields */
} fd_entry;

static fd_entry* g_fds;
static uint32_t g_nfds;
static int g_inited;

static int fds_grow(uint32_t want) {
  if (want <= g_nfds) return 1;
  uint32_t n = g_nfds ? g_nfds : 16;
  while (n < want) n *= 2;
  fd_entry* t = (fd_entry*)realloc(g_fds, n * sizeof(fd_entry));
  if (!t) return 0;
  memset(t + g_nfds, 0, (n - g_nfds) * sizeof(fd_entry));
  g_fds = t;
  g_nfds = n;
  return 1;
}

static void fds_init(void);

static i32 fd_alloc(void) {
  fds_init();
  for (uint32_t i = 3; i < g_nfds; ++i)
    if (g_fds[i].kind == K_FREE) return (i32)i;
  uint32_t i = g_nfds < 3 ? 3 : g_nfds;
  if (!fds_grow(i + 1)) return -1;
  return (i32)i;
}

/* Stdio entries first; the preopens (fds 3..) are fetched from the host only
 * when a descriptor >= 3 is first used, so stdio-only programs never ask. */
static void fds_init_stdio(void) {
  if (g_nfds) return;
  if (!fds_grow(16)) __builtin_trap();
  g_fds[0].kind = K_STDIN;
  g_fds[1].kind = K_STDOUT;
  g_fds[2].kind = K_STDERR;
}

static void fds_init(void) {
  fds_init_stdio();
  if (g_inited) return;
  g_inited = 1;
  p2_list_preopen pre;
  p2_get_directories(&pre);
  for (size_t k = 0; k < pre.len; ++k) {
    i32 fd = fd_alloc();
    if (fd < 0) __builtin_trap();
    fd_entry* e = &g_fds[fd];
    memset(e, 0, sizeof *e);
    e->kind = K_DIR;
    e->handle = pre.ptr[k].desc;
    e->dir_stream = -1;
    e->preopen_len = pre.ptr[k].path.len;
    e->preopen = (char*)malloc(e->preopen_len + 1);
    if (!e->preopen) __builtin_trap();
    memcpy(e->preopen, pre.ptr[k].path.ptr, e->preopen_len);
    e->preopen[e->preopen_len] = 0;
    free_string(pre.ptr[k].path);
  }
  compono_cabi_free(pre.ptr, pre.len * sizeof(p2_preopen));
}

static fd_entry* fd_get(i32 fd) {
  if (fd >= 3) fds_init();
  else fds_init_stdio();
  if (fd < 0 || (uint32_t)fd >= g_nfds || g_fds[fd].kind == K_FREE) return NULL;
  return &g_fds[fd];
}

static fd_entry* fd_get_fs(i32 fd) {
  fd_entry* e = fd_get(fd);
  return (e && (e->kind == K_FILE || e->kind == K_DIR)) ? e : NULL;
}

static i32 stdio_stream(fd_entry* e) {
  if (!e->has_stream) {
    e->handle = e->kind == K_STDIN ? p2_get_stdin() : e->kind == K_STDOUT ? p2_get_stdout() : p2_get_stderr();
    e->has_stream = 1;
  }
  return e->handle;
}

/* Stdio is a character device (so isatty() holds and stdout is line
 * buffered) only when the host says it is a terminal. */
static int stdio_is_tty(fd_entry* e) {
  if (!e->tty) {
    p2_option_handle t;
    if (e->kind == K_STDIN) p2_get_terminal_stdin(&t);
    else if (e->kind == K_STDOUT) p2_get_terminal_stdout(&t);
    else p2_get_terminal_stderr(&t);
    if (t.is_some) {
      if (e->kind == K_STDIN) p2_drop_terminal_input(t.val);
      else p2_drop_terminal_output(t.val);
    }
    e->tty = t.is_some ? 1 : 2;
  }
  return e->tty == 1;
}

static void dir_stream_reset(fd_entry* e) {
  if (e->dir_stream >= 0) p2_drop_dir_stream(e->dir_stream);
  e->dir_stream = -1;
  e->dir_cookie = 0;
}

static void fd_release(fd_entry* e) {
  switch (e->kind) {
    case K_STDIN:
      if (e->has_stream) p2_drop_input_stream(e->handle);
      break;
    case K_STDOUT:
    case K_STDERR:
      if (e->has_stream) p2_drop_output_stream(e->handle);
      break;
    case K_FILE:
    case K_DIR:
      dir_stream_reset(e);
      p2_drop_descriptor(e->handle);
      break;
  }
  free(e->preopen);
  memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------- args and environ */

P1_FN(i32, args_sizes_get)(i32 argc_out, i32 size_out) {
  p2_list_string a;
  p2_get_arguments(&a);
  size_t total = 0;
  for (size_t i = 0; i < a.len; ++i) {
    total += a.ptr[i].len + 1;
    free_string(a.ptr[i]);
  }
  compono_cabi_free(a.ptr, a.len * sizeof(p2_string));
  *(uint32_t*)argc_out = (uint32_t)a.len;
  *(uint32_t*)size_out = (uint32_t)total;
  return 0;
}

P1_FN(i32, args_get)(i32 argv_out, i32 buf_out) {
  p2_list_string a;
  p2_get_arguments(&a);
  char** argv = (char**)argv_out;
  char* buf = (char*)buf_out;
  for (size_t i = 0; i < a.len; ++i) {
    argv[i] = buf;
    memcpy(buf, a.ptr[i].ptr, a.ptr[i].len);
    buf[a.ptr[i].len] = 0;
    buf += a.ptr[i].len + 1;
    free_string(a.ptr[i]);
  }
  compono_cabi_free(a.ptr, a.len * sizeof(p2_string));
  return 0;
}

P1_FN(i32, environ_sizes_get)(i32 count_out, i32 size_out) {
  p2_list_env v;
  p2_get_environment(&v);
  size_t total = 0;
  for (size_t i = 0; i < v.len; ++i) {
    total += v.ptr[i].key.len + v.ptr[i].value.len + 2;
    free_string(v.ptr[i].key);
    free_string(v.ptr[i].value);
  }
  compono_cabi_free(v.ptr, v.len * sizeof(p2_env_pair));
  *(uint32_t*)count_out = (uint32_t)v.len;
  *(uint32_t*)size_out = (uint32_t)total;
  return 0;
}

P1_FN(i32, environ_get)(i32 env_out, i32 buf_out) {
  p2_list_env v;
  p2_get_environment(&v);
  char** env = (char**)env_out;
  char* buf = (char*)buf_out;
  for (size_t i = 0; i < v.len; ++i) {
    env[i] = buf;
    memcpy(buf, v.ptr[i].key.ptr, v.ptr[i].key.len);
    buf += v.ptr[i].key.len;
    *buf++ = '=';
    memcpy(buf, v.ptr[i].value.ptr, v.ptr[i].value.len);
    buf += v.ptr[i].value.len;
    *buf++ = 0;
    free_string(v.ptr[i].key);
    free_string(v.ptr[i].value);
  }
  compono_cabi_free(v.ptr, v.len * sizeof(p2_env_pair));
  return 0;
}

/* ------------------------------------------------------ clocks and random */

P1_FN(i32, clock_res_get)(i32 id, i32 out) {
  uint64_t r;
  if (id == __WASI_CLOCKID_REALTIME) {
    p2_datetime d;
    p2_wall_resolution(&d);
    r = d.seconds * 1000000000ull + d.nanoseconds;
  } else if (id == __WASI_CLOCKID_MONOTONIC) {
    r = p2_mono_resolution();
  } else {
    return __WASI_ERRNO_INVAL;
  }
  *(uint64_t*)out = r;
  return 0;
}

static uint64_t wall_now_ns(void) {
  p2_datetime d;
  p2_wall_now(&d);
  return d.seconds * 1000000000ull + d.nanoseconds;
}

P1_FN(i32, clock_time_get)(i32 id, i64 precision, i32 out) {
  (void)precision;
  if (id == __WASI_CLOCKID_REALTIME) *(uint64_t*)out = wall_now_ns();
  else if (id == __WASI_CLOCKID_MONOTONIC) *(uint64_t*)out = p2_mono_now();
  else return __WASI_ERRNO_INVAL;
  return 0;
}

P1_FN(i32, random_get)(i32 buf, i32 len) {
  uint8_t* dst = (uint8_t*)buf;
  size_t left = (uint32_t)len;
  while (left > 0) {
    size_t want = left > 65536 ? 65536 : left;
    p2_bytes b;
    p2_get_random_bytes(want, &b);
    size_t n = b.len < want ? b.len : want;
    memcpy(dst, b.ptr, n);
    free_bytes(b);
    if (n == 0) return __WASI_ERRNO_IO;
    dst += n;
    left -= n;
  }
  return 0;
}

P1_FN(i32, sched_yield)(void) { return 0; }

/* ------------------------------------------------------------ proc_exit */

/* 0 -> exit(ok); 1 -> exit(err); 2..255 -> exit-with-code; others -> exit(err). */
P1_FN(_Noreturn void, proc_exit)(i32 code) {
  if (code == 0) p2_exit(0);
  else if (code > 1 && code <= 255) p2_exit_with_code(code);
  else p2_exit(1);
  __builtin_trap();
}

/* ----------------------------------------------------------------- fd ops */

P1_FN(i32, fd_close)(i32 fd) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  fd_release(e);
  return 0;
}

P1_FN(i32, fd_renumber)(i32 from, i32 to) {
  fd_entry* f = fd_get(from);
  fd_entry* t = fd_get(to);
  if (!f || !t) return __WASI_ERRNO_BADF;
  if (from == to) return 0;
  fd_release(t);
  *t = *f;
  memset(f, 0, sizeof *f);
  return 0;
}

static i32 stat_type(fd_entry* e, uint8_t* type) {
  if (e->kind == K_DIR) { *type = __WASI_FILETYPE_DIRECTORY; return 0; }
  if (e->kind != K_FILE) {
    *type = stdio_is_tty(e) ? __WASI_FILETYPE_CHARACTER_DEVICE : __WASI_FILETYPE_UNKNOWN;
    return 0;
  }
  p2_result_u8 r;
  p2_fs_get_type(e->handle, &r);
  if (r.is_err) return fs_errno(r.val);
  *type = filetype_of(r.val);
  return 0;
}

P1_FN(i32, fd_fdstat_get)(i32 fd, i32 out) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  __wasi_fdstat_t* st = (__wasi_fdstat_t*)out;
  memset(st, 0, sizeof *st);
  i32 err = stat_type(e, &st->fs_filetype);
  if (err) return err;
  if (e->kind == K_FILE || e->kind == K_DIR) {
    st->fs_rights_base = ~(__wasi_rights_t)0;
    st->fs_rights_inheriting = ~(__wasi_rights_t)0;
    if (e->append) st->fs_flags |= __WASI_FDFLAGS_APPEND;
  } else {
    /* stdio: no seek/tell rights, so isatty() holds for a terminal */
    st->fs_rights_base = e->kind == K_STDIN ? __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_POLL_FD_READWRITE
                                            : __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_POLL_FD_READWRITE;
  }
  return 0;
}

P1_FN(i32, fd_fdstat_set_flags)(i32 fd, i32 flags) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  if (flags & ~__WASI_FDFLAGS_APPEND) return __WASI_ERRNO_NOTSUP;
  if (e->kind != K_FILE) return flags ? __WASI_ERRNO_NOTSUP : 0;
  e->append = (flags & __WASI_FDFLAGS_APPEND) != 0;
  return 0;
}

P1_FN(i32, fd_fdstat_set_rights)(i32 fd, i64 base, i64 inheriting) {
  (void)base; (void)inheriting;
  return fd_get(fd) ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_BADF;
}

P1_FN(i32, fd_prestat_get)(i32 fd, i32 out) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  if (!e->preopen) return __WASI_ERRNO_BADF;
  __wasi_prestat_t* p = (__wasi_prestat_t*)out;
  p->tag = __WASI_PREOPENTYPE_DIR;
  p->u.dir.pr_name_len = e->preopen_len;
  return 0;
}

P1_FN(i32, fd_prestat_dir_name)(i32 fd, i32 path, i32 len) {
  fd_entry* e = fd_get(fd);
  if (!e || !e->preopen) return __WASI_ERRNO_BADF;
  if ((size_t)(uint32_t)len < e->preopen_len) return __WASI_ERRNO_NAMETOOLONG;
  memcpy((char*)path, e->preopen, e->preopen_len);
  return 0;
}

/* Writes to an output stream in blocking-write-and-flush chunks (<= 4096 bytes). */
static i32 stream_write(i32 stream, const uint8_t* p, size_t n, size_t* written) {
  *written = 0;
  while (n > 0) {
    size_t chunk = n > 4096 ? 4096 : n;
    p2_result_unit_stream r;
    p2_output_blocking_write_and_flush(stream, p, chunk, &r);
    if (r.is_err) return stream_errno(r.err, NULL);
    p += chunk;
    n -= chunk;
    *written += chunk;
  }
  return 0;
}

static i32 file_size(fd_entry* e, uint64_t* size) {
  p2_result_stat r;
  p2_fs_stat(e->handle, &r);
  if (r.is_err) return fs_errno(r.val.err);
  *size = r.val.ok.size;
  return 0;
}

/* Writes all iovecs at `*offset` (advanced); stops at the first short write. */
static i32 file_write(fd_entry* e, const __wasi_ciovec_t* iov, size_t n, uint64_t* offset, size_t* total) {
  *total = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = iov[i].buf;
    size_t left = iov[i].buf_len;
    while (left > 0) {
      p2_result_u64 r;
      p2_fs_write(e->handle, p, left, *offset, &r);
      if (r.is_err) return *total ? 0 : fs_errno(r.val.err);
      uint64_t w = r.val.ok;
      if (w == 0) return 0;
      *offset += w;
      *total += (size_t)w;
      p += w;
      left -= (size_t)w;
    }
  }
  return 0;
}

P1_FN(i32, fd_write)(i32 fd, i32 iovs, i32 n, i32 nwritten) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  const __wasi_ciovec_t* iov = (const __wasi_ciovec_t*)iovs;
  size_t total = 0;
  if (e->kind == K_STDOUT || e->kind == K_STDERR) {
    i32 s = stdio_stream(e);
    for (i32 i = 0; i < n; ++i) {
      size_t w;
      i32 err = stream_write(s, iov[i].buf, iov[i].buf_len, &w);
      total += w;
      if (err) {
        if (total) break;
        return err;
      }
    }
  } else if (e->kind == K_FILE) {
    if (e->append) {
      i32 err = file_size(e, &e->pos);
      if (err) return err;
    }
    i32 err = file_write(e, iov, (size_t)n, &e->pos, &total);
    if (err) return err;
  } else {
    return __WASI_ERRNO_BADF;
  }
  *(uint32_t*)nwritten = (uint32_t)total;
  return 0;
}

P1_FN(i32, fd_pwrite)(i32 fd, i32 iovs, i32 n, i64 offset, i32 nwritten) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  if (e->kind == K_DIR) return __WASI_ERRNO_ISDIR;
  if (e->kind != K_FILE) return __WASI_ERRNO_SPIPE;
  if (offset < 0) return __WASI_ERRNO_INVAL;
  uint64_t off = (uint64_t)offset;
  size_t total;
  i32 err = file_write(e, (const __wasi_ciovec_t*)iovs, (size_t)n, &off, &total);
  if (err) return err;
  *(uint32_t*)nwritten = (uint32_t)total;
  return 0;
}

/* Reads into the iovecs from `*offset` (advanced); stops at EOF or a short read. */
static i32 file_read(fd_entry* e, const __wasi_iovec_t* iov, size_t n, uint64_t* offset, size_t* total) {
  *total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (iov[i].buf_len == 0) continue;
    p2_result_read r;
    p2_fs_read(e->handle, iov[i].buf_len, *offset, &r);
    if (r.is_err) return *total ? 0 : fs_errno(r.val.err);
    size_t got = r.val.ok.data.len < iov[i].buf_len ? r.val.ok.data.len : iov[i].buf_len;
    memcpy(iov[i].buf, r.val.ok.data.ptr, got);
    free_bytes(r.val.ok.data);
    *offset += got;
    *total += got;
    if (got < iov[i].buf_len) break;
  }
  return 0;
}

P1_FN(i32, fd_read)(i32 fd, i32 iovs, i32 n, i32 nread) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  const __wasi_iovec_t* iov = (const __wasi_iovec_t*)iovs;
  size_t total = 0;
  if (e->kind == K_STDIN) {
    i32 s = stdio_stream(e);
    /* one blocking read into the first non-empty iovec */
    for (i32 i = 0; i < n; ++i) {
      if (iov[i].buf_len == 0) continue;
      p2_result_bytes_stream r;
      p2_input_blocking_read(s, iov[i].buf_len, &r);
      if (r.is_err) {
        int closed = 0;
        i32 err = stream_errno(r.val.err, &closed);
        if (!closed) return err;
        break; /* closed: end of file */
      }
      size_t got = r.val.ok.len < iov[i].buf_len ? r.val.ok.len : iov[i].buf_len;
      memcpy(iov[i].buf, r.val.ok.ptr, got);
      free_bytes(r.val.ok);
      total = got;
      break;
    }
  } else if (e->kind == K_FILE) {
    i32 err = file_read(e, iov, (size_t)n, &e->pos, &total);
    if (err) return err;
  } else if (e->kind == K_DIR) {
    return __WASI_ERRNO_ISDIR;
  } else {
    return __WASI_ERRNO_BADF;
  }
  *(uint32_t*)nread = (uint32_t)total;
  return 0;
}

P1_FN(i32, fd_pread)(i32 fd, i32 iovs, i32 n, i64 offset, i32 nread) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  if (e->kind == K_DIR) return __WASI_ERRNO_ISDIR;
  if (e->kind != K_FILE) return __WASI_ERRNO_SPIPE;
  if (offset < 0) return __WASI_ERRNO_INVAL;
  uint64_t off = (uint64_t)offset;
  size_t total;
  i32 err = file_read(e, (const __wasi_iovec_t*)iovs, (size_t)n, &off, &total);
  if (err) return err;
  *(uint32_t*)nread = (uint32_t)total;
  return 0;
}

P1_FN(i32, fd_seek)(i32 fd, i64 offset, i32 whence, i32 out) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  if (e->kind != K_FILE) return e->kind == K_DIR ? __WASI_ERRNO_BADF : __WASI_ERRNO_SPIPE;
  int64_t base;
  switch (whence) {
    case __WASI_WHENCE_SET: base = 0; break;
    case __WASI_WHENCE_CUR: base = (int64_t)e->pos; break;
    case __WASI_WHENCE_END: {
      uint64_t size;
      i32 err = file_size(e, &size);
      if (err) return err;
      base = (int64_t)size;
      break;
    }
    default: return __WASI_ERRNO_INVAL;
  }
  if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return __WASI_ERRNO_INVAL;
  e->pos = (uint64_t)(base + offset);
  *(uint64_t*)out = e->pos;
  return 0;
}

P1_FN(i32, fd_tell)(i32 fd, i32 out) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  if (e->kind != K_FILE) return e->kind == K_DIR ? __WASI_ERRNO_BADF : __WASI_ERRNO_SPIPE;
  *(uint64_t*)out = e->pos;
  return 0;
}

static uint64_t ns_of(const p2_option_datetime* t) {
  return t->is_some ? t->t.seconds * 1000000000ull + t->t.nanoseconds : 0;
}

static void fill_filestat(__wasi_filestat_t* out, const p2_descriptor_stat* s, uint64_t ino) {
  memset(out, 0, sizeof *out);
  out->ino = ino;
  out->filetype = filetype_of(s->type);
  out->nlink = s->link_count;
  out->size = s->size;
  out->atim = ns_of(&s->atim);
  out->mtim = ns_of(&s->mtim);
  out->ctim = ns_of(&s->ctim);
}

P1_FN(i32, fd_filestat_get)(i32 fd, i32 out) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  __wasi_filestat_t* st = (__wasi_filestat_t*)out;
  if (e->kind != K_FILE && e->kind != K_DIR) {
    memset(st, 0, sizeof *st);
    return stat_type(e, &st->filetype);
  }
  p2_result_stat r;
  p2_fs_stat(e->handle, &r);
  if (r.is_err) return fs_errno(r.val.err);
  p2_result_hash h;
  p2_fs_metadata_hash(e->handle, &h);
  fill_filestat(st, &r.val.ok, h.is_err ? 0 : h.val.ok.lower);
  return 0;
}

P1_FN(i32, fd_filestat_set_size)(i32 fd, i64 size) {
  fd_entry* e = fd_get_fs(fd);
  if (!e) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_set_size(e->handle, (uint64_t)size, &r);
  return unit_errno(&r);
}

/* A preview-1 timestamp + fstflags as a flattened new-timestamp variant
 * (tag 0 no-change, 1 now, 2 timestamp(datetime)). */
typedef struct { i32 tag; uint64_t s; uint32_t ns; } new_ts;
static new_ts new_timestamp(i64 t, int set, int now) {
  new_ts r = {now ? 1 : set ? 2 : 0, (uint64_t)t / 1000000000u, (uint32_t)((uint64_t)t % 1000000000u)};
  return r;
}

P1_FN(i32, fd_filestat_set_times)(i32 fd, i64 atim, i64 mtim, i32 fst) {
  fd_entry* e = fd_get_fs(fd);
  if (!e) return __WASI_ERRNO_BADF;
  new_ts a = new_timestamp(atim, fst & __WASI_FSTFLAGS_ATIM, fst & __WASI_FSTFLAGS_ATIM_NOW);
  new_ts m = new_timestamp(mtim, fst & __WASI_FSTFLAGS_MTIM, fst & __WASI_FSTFLAGS_MTIM_NOW);
  p2_result_u8 r;
  p2_fs_set_times(e->handle, a.tag, a.s, a.ns, m.tag, m.s, m.ns, &r);
  return unit_errno(&r);
}

P1_FN(i32, fd_advise)(i32 fd, i64 offset, i64 len, i32 advice) {
  fd_entry* e = fd_get_fs(fd);
  if (!e) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_advise(e->handle, (uint64_t)offset, (uint64_t)len, advice, &r);
  return unit_errno(&r);
}

P1_FN(i32, fd_allocate)(i32 fd, i64 offset, i64 len) {
  (void)offset; (void)len;
  return fd_get(fd) ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_BADF;
}

P1_FN(i32, fd_sync)(i32 fd) {
  fd_entry* e = fd_get_fs(fd);
  if (!e) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_sync(e->handle, &r);
  return unit_errno(&r);
}

P1_FN(i32, fd_datasync)(i32 fd) {
  fd_entry* e = fd_get_fs(fd);
  if (!e) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_sync_data(e->handle, &r);
  return unit_errno(&r);
}

/* ------------------------------------------------------------- readdir */

/* Appends one dirent (header + name, possibly truncated) at buf[*used]. */
static void put_dirent(uint8_t* buf, size_t cap, size_t* used, uint64_t next, uint64_t ino, uint8_t type,
                       const char* name, size_t name_len) {
  __wasi_dirent_t d;
  memset(&d, 0, sizeof d);
  d.d_next = next;
  d.d_ino = ino;
  d.d_namlen = (uint32_t)name_len;
  d.d_type = type;
  size_t n = sizeof d < cap - *used ? sizeof d : cap - *used;
  memcpy(buf + *used, &d, n);
  *used += n;
  n = name_len < cap - *used ? name_len : cap - *used;
  memcpy(buf + *used, name, n);
  *used += n;
}

P1_FN(i32, fd_readdir)(i32 fd, i32 bufp, i32 buf_len, i64 cookie, i32 used_out) {
  fd_entry* e = fd_get(fd);
  if (!e) return __WASI_ERRNO_BADF;
  if (e->kind != K_DIR) return __WASI_ERRNO_NOTDIR;
  uint8_t* buf = (uint8_t*)bufp;
  size_t cap = (uint32_t)buf_len, used = 0;
  uint64_t want = (uint64_t)cookie;
  /* cookies 0 and 1 are "." and ".."; entry k of the stream has cookie k + 2 */
  while (want < 2 && used < cap) {
    put_dirent(buf, cap, &used, want + 1, 0, __WASI_FILETYPE_DIRECTORY, "..", want + 1);
    ++want;
  }
  if (used >= cap) {
    *(uint32_t*)used_out = (uint32_t)used;
    return 0;
  }
  /* (re)position the stream so it yields the entry with cookie `want` */
  if (e->dir_stream < 0 || e->dir_cookie > want) {
    dir_stream_reset(e);
    p2_result_handle r;
    p2_fs_read_directory(e->handle, &r);
    if (r.is_err) return fs_errno(r.val.err);
    e->dir_stream = r.val.ok;
    e->dir_cookie = 2;
  }
  while (used < cap) {
    p2_result_dirent r;
    p2_fs_read_directory_entry(e->dir_stream, &r);
    if (r.is_err) return fs_errno(r.val.err);
    if (!r.val.ok.is_some) break;
    p2_string name = r.val.ok.entry.name;
    uint64_t this_cookie = e->dir_cookie++;
    if (this_cookie >= want) {
      p2_result_hash h;
      p2_fs_metadata_hash_at(e->handle, 0, name.ptr, name.len, &h);
      put_dirent(buf, cap, &used, this_cookie + 1, h.is_err ? 0 : h.val.ok.lower, filetype_of(r.val.ok.entry.type),
                 name.ptr, name.len);
    }
    free_string(name);
  }
  /* If the last entry was truncated the caller comes back with its cookie,
   * which is below dir_cookie, and the stream is reopened above. */
  *(uint32_t*)used_out = (uint32_t)used;
  return 0;
}

/* ------------------------------------------------------------- paths */

#define PATH_ARGS i32 path, i32 path_len
#define PATH_PTR (const char*)path, (size_t)(uint32_t)path_len

P1_FN(i32, path_open)(i32 fd, i32 dirflags, PATH_ARGS, i32 oflags, i64 rights_base, i64 rights_inh, i32 fdflags,
                      i32 fd_out) {
  (void)rights_inh;
  fd_entry* d = fd_get(fd);
  if (!d) return __WASI_ERRNO_BADF;
  if (d->kind != K_DIR) return __WASI_ERRNO_NOTDIR;
  i32 dflags = 0;
  uint64_t rb = (uint64_t)rights_base;
  if (rb & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)) dflags |= P2_DF_READ;
  if (rb & (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)) dflags |= P2_DF_WRITE;
  if (fdflags & __WASI_FDFLAGS_APPEND) dflags |= P2_DF_WRITE;
  if (oflags & __WASI_OFLAGS_TRUNC) dflags |= P2_DF_WRITE;
  if (fdflags & __WASI_FDFLAGS_SYNC) dflags |= P2_DF_FILE_SYNC;
  if (fdflags & __WASI_FDFLAGS_DSYNC) dflags |= P2_DF_DATA_SYNC;
  if (fdflags & __WASI_FDFLAGS_RSYNC) dflags |= P2_DF_RSYNC;
  if ((oflags & __WASI_OFLAGS_DIRECTORY) && (dflags & P2_DF_WRITE)) {
    dflags &= ~P2_DF_WRITE;
    dflags |= P2_DF_MUTATE_DIR;
  }
  i32 nfd = fd_alloc();
  if (nfd < 0) return __WASI_ERRNO_NFILE;
  p2_result_handle r;
  /* preview-1 oflags bits (creat, directory, excl, trunc) equal open-flags */
  p2_fs_open_at(g_fds[fd].handle, dirflags & __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, PATH_PTR, oflags & 0xf, dflags, &r);
  if (r.is_err) return fs_errno(r.val.err);
  fd_entry* e = &g_fds[nfd]; /* fd_alloc may have moved the table; index again */
  memset(e, 0, sizeof *e);
  e->handle = r.val.ok;
  e->dir_stream = -1;
  e->append = (fdflags & __WASI_FDFLAGS_APPEND) != 0;
  p2_result_u8 t;
  p2_fs_get_type(e->handle, &t);
  e->kind = (!t.is_err && t.val == P2_DT_DIRECTORY) ? K_DIR : K_FILE;
  *(uint32_t*)fd_out = (uint32_t)nfd;
  return 0;
}

P1_FN(i32, path_filestat_get)(i32 fd, i32 flags, PATH_ARGS, i32 out) {
  fd_entry* d = fd_get_fs(fd);
  if (!d) return __WASI_ERRNO_BADF;
  i32 pf = flags & __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
  p2_result_stat r;
  p2_fs_stat_at(d->handle, pf, PATH_PTR, &r);
  if (r.is_err) return fs_errno(r.val.err);
  p2_result_hash h;
  p2_fs_metadata_hash_at(d->handle, pf, PATH_PTR, &h);
  fill_filestat((__wasi_filestat_t*)out, &r.val.ok, h.is_err ? 0 : h.val.ok.lower);
  return 0;
}

P1_FN(i32, path_filestat_set_times)(i32 fd, i32 flags, PATH_ARGS, i64 atim, i64 mtim, i32 fst) {
  fd_entry* d = fd_get_fs(fd);
  if (!d) return __WASI_ERRNO_BADF;
  new_ts a = new_timestamp(atim, fst & __WASI_FSTFLAGS_ATIM, fst & __WASI_FSTFLAGS_ATIM_NOW);
  new_ts m = new_timestamp(mtim, fst & __WASI_FSTFLAGS_MTIM, fst & __WASI_FSTFLAGS_MTIM_NOW);
  p2_result_u8 r;
  p2_fs_set_times_at(d->handle, flags & __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, PATH_PTR, a.tag, a.s, a.ns, m.tag, m.s,
                     m.ns, &r);
  return unit_errno(&r);
}

P1_FN(i32, path_create_directory)(i32 fd, PATH_ARGS) {
  fd_entry* d = fd_get_fs(fd);
  if (!d) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_create_directory_at(d->handle, PATH_PTR, &r);
  return unit_errno(&r);
}

P1_FN(i32, path_remove_directory)(i32 fd, PATH_ARGS) {
  fd_entry* d = fd_get_fs(fd);
  if (!d) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_remove_directory_at(d->handle, PATH_PTR, &r);
  return unit_errno(&r);
}

P1_FN(i32, path_unlink_file)(i32 fd, PATH_ARGS) {
  fd_entry* d = fd_get_fs(fd);
  if (!d) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_unlink_file_at(d->handle, PATH_PTR, &r);
  return unit_errno(&r);
}

P1_FN(i32, path_rename)(i32 fd, i32 old_path, i32 old_len, i32 new_fd, i32 new_path, i32 new_len) {
  fd_entry* d = fd_get_fs(fd);
  fd_entry* nd = fd_get_fs(new_fd);
  if (!d || !nd) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_rename_at(d->handle, (const char*)old_path, (uint32_t)old_len, nd->handle, (const char*)new_path,
                  (uint32_t)new_len, &r);
  return unit_errno(&r);
}

P1_FN(i32, path_symlink)(i32 old_path, i32 old_len, i32 fd, i32 new_path, i32 new_len) {
  fd_entry* d = fd_get_fs(fd);
  if (!d) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_symlink_at(d->handle, (const char*)old_path, (uint32_t)old_len, (const char*)new_path, (uint32_t)new_len,
                   &r);
  return unit_errno(&r);
}

P1_FN(i32, path_link)(i32 old_fd, i32 old_flags, i32 old_path, i32 old_len, i32 new_fd, i32 new_path,
                      i32 new_len) {
  fd_entry* d = fd_get_fs(old_fd);
  fd_entry* nd = fd_get_fs(new_fd);
  if (!d || !nd) return __WASI_ERRNO_BADF;
  p2_result_u8 r;
  p2_fs_link_at(d->handle, old_flags & __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, (const char*)old_path,
                (uint32_t)old_len, nd->handle, (const char*)new_path, (uint32_t)new_len, &r);
  return unit_errno(&r);
}

P1_FN(i32, path_readlink)(i32 fd, PATH_ARGS, i32 buf, i32 buf_len, i32 used_out) {
  fd_entry* d = fd_get_fs(fd);
  if (!d) return __WASI_ERRNO_BADF;
  p2_result_string r;
  p2_fs_readlink_at(d->handle, PATH_PTR, &r);
  if (r.is_err) return fs_errno(r.val.err);
  size_t n = r.val.ok.len < (uint32_t)buf_len ? r.val.ok.len : (uint32_t)buf_len;
  memcpy((char*)buf, r.val.ok.ptr, n);
  free_string(r.val.ok);
  *(uint32_t*)used_out = (uint32_t)n;
  return 0;
}

/* ------------------------------------------------------------- poll */

P1_FN(i32, poll_oneoff)(i32 in, i32 out, i32 nsubs, i32 nevents_out) {
  const __wasi_subscription_t* subs = (const __wasi_subscription_t*)in;
  __wasi_event_t* ev = (__wasi_event_t*)out;
  if (nsubs <= 0) return __WASI_ERRNO_INVAL;
  size_t n = (uint32_t)nsubs, nev = 0;
  /* pass 1: events that are ready without waiting (errors, writes, files) */
  for (size_t i = 0; i < n; ++i) {
    const __wasi_subscription_t* s = &subs[i];
    uint16_t err = 0;
    int ready = 0;
    if (s->u.tag == __WASI_EVENTTYPE_CLOCK) {
      i32 id = (i32)s->u.u.clock.id;
      if (id != __WASI_CLOCKID_REALTIME && id != __WASI_CLOCKID_MONOTONIC) { err = __WASI_ERRNO_INVAL; ready = 1; }
    } else if (s->u.tag == __WASI_EVENTTYPE_FD_READ || s->u.tag == __WASI_EVENTTYPE_FD_WRITE) {
      fd_entry* e = fd_get((i32)s->u.u.fd_read.file_descriptor);
      if (!e) { err = __WASI_ERRNO_BADF; ready = 1; }
      else if (!(s->u.tag == __WASI_EVENTTYPE_FD_READ && e->kind == K_STDIN)) ready = 1;
    } else {
      err = __WASI_ERRNO_INVAL;
      ready = 1;
    }
    if (ready) {
      memset(&ev[nev], 0, sizeof ev[nev]);
      ev[nev].userdata = s->userdata;
      ev[nev].error = err;
      ev[nev].type = s->u.tag;
      ++nev;
    }
  }
  if (nev > 0) {
    *(uint32_t*)nevents_out = (uint32_t)nev;
    return 0;
  }
  /* pass 2: everything left is a clock or a stdin read; block on pollables */
  p2_handle* polls = (p2_handle*)malloc(n * sizeof(p2_handle));
  if (!polls) return __WASI_ERRNO_NOMEM;
  for (size_t i = 0; i < n; ++i) {
    const __wasi_subscription_t* s = &subs[i];
    if (s->u.tag == __WASI_EVENTTYPE_CLOCK) {
      uint64_t t = s->u.u.clock.timeout;
      int abs = (s->u.u.clock.flags & __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) != 0;
      if (s->u.u.clock.id == __WASI_CLOCKID_MONOTONIC) {
        polls[i] = abs ? p2_mono_subscribe_instant(t) : p2_mono_subscribe_duration(t);
      } else {
        uint64_t now = wall_now_ns();
        polls[i] = p2_mono_subscribe_duration(abs ? (t > now ? t - now : 0) : t);
      }
    } else {
      polls[i] = p2_input_subscribe(stdio_stream(fd_get((i32)s->u.u.fd_read.file_descriptor)));
    }
  }
  p2_list_u32 ready;
  p2_poll(polls, n, &ready);
  for (size_t k = 0; k < ready.len; ++k) {
    uint32_t i = ready.ptr[k];
    if (i >= n) continue;
    memset(&ev[nev], 0, sizeof ev[nev]);
    ev[nev].userdata = subs[i].userdata;
    ev[nev].type = subs[i].u.tag;
    if (subs[i].u.tag == __WASI_EVENTTYPE_FD_READ) ev[nev].fd_readwrite.nbytes = 1;
    ++nev;
  }
  compono_cabi_free(ready.ptr, ready.len * sizeof(uint32_t));
  for (size_t i = 0; i < n; ++i) p2_drop_pollable(polls[i]);
  free(polls);
  *(uint32_t*)nevents_out = (uint32_t)nev;
  return 0;
}

/* ------------------------------------------------------------- sockets */

P1_FN(i32, sock_accept)(i32 fd, i32 flags, i32 out) {
  (void)flags; (void)out;
  return fd_get(fd) ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_BADF;
}
P1_FN(i32, sock_recv)(i32 fd, i32 a, i32 b, i32 c, i32 d, i32 e) {
  (void)a; (void)b; (void)c; (void)d; (void)e;
  return fd_get(fd) ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_BADF;
}
P1_FN(i32, sock_send)(i32 fd, i32 a, i32 b, i32 c, i32 d) {
  (void)a; (void)b; (void)c; (void)d;
  return fd_get(fd) ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_BADF;
}
P1_FN(i32, sock_shutdown)(i32 fd, i32 how) {
  (void)how;
  return fd_get(fd) ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_BADF;
}
