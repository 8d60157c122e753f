/* wasi02.h - WASI 0.2.12 imports as lowered by the canonical ABI (private to the shim).
 *
 * Each declaration is the core-wasm signature the canonical ABI gives the WIT
 * function: flattened params (borrow/own handles and enums as i32, list and
 * string as (ptr, len)), and a trailing return-area pointer when the flat
 * result would be more than one value.  The return-area structs below follow
 * the canonical ABI memory layout, which for these types is the natural C
 * layout on wasm32.  Lists and strings the host returns are allocated through
 * the exported cabi_realloc (malloc); the shim frees them when len > 0.
 */
#ifndef COMPONO_GUEST_WASI02_H
#define COMPONO_GUEST_WASI02_H

#include <stddef.h>
#include <stdint.h>

#define P2_VER "@0.2.12"
#define P2_IMPORT(mod, name) __attribute__((__import_module__(mod P2_VER), __import_name__(name)))

typedef int32_t p2_handle;

typedef struct { uint8_t* ptr; size_t len; } p2_bytes;
typedef struct { char* ptr; size_t len; } p2_string;
typedef struct { p2_string* ptr; size_t len; } p2_list_string;
typedef struct { p2_string key, value; } p2_env_pair;
typedef struct { p2_env_pair* ptr; size_t len; } p2_list_env;

/* ---- wasi:cli ---- */
P2_IMPORT("wasi:cli/environment", "get-environment") void p2_get_environment(p2_list_env* ret);
P2_IMPORT("wasi:cli/environment", "get-arguments") void p2_get_arguments(p2_list_string* ret);
P2_IMPORT("wasi:cli/exit", "exit") void p2_exit(int32_t is_err);
P2_IMPORT("wasi:cli/exit", "exit-with-code") void p2_exit_with_code(int32_t code);
P2_IMPORT("wasi:cli/stdin", "get-stdin") p2_handle p2_get_stdin(void);
P2_IMPORT("wasi:cli/stdout", "get-stdout") p2_handle p2_get_stdout(void);
P2_IMPORT("wasi:cli/stderr", "get-stderr") p2_handle p2_get_stderr(void);

/* option<own<terminal-input|terminal-output>> */
typedef struct { uint8_t is_some; p2_handle val; } p2_option_handle;
P2_IMPORT("wasi:cli/terminal-stdin", "get-terminal-stdin") void p2_get_terminal_stdin(p2_option_handle* ret);
P2_IMPORT("wasi:cli/terminal-stdout", "get-terminal-stdout") void p2_get_terminal_stdout(p2_option_handle* ret);
P2_IMPORT("wasi:cli/terminal-stderr", "get-terminal-stderr") void p2_get_terminal_stderr(p2_option_handle* ret);
P2_IMPORT("wasi:cli/terminal-input", "[resource-drop]terminal-input") void p2_drop_terminal_input(p2_handle h);
P2_IMPORT("wasi:cli/terminal-output", "[resource-drop]terminal-output") void p2_drop_terminal_output(p2_handle h);

/* ---- wasi:io ---- */
/* variant stream-error { last-operation-failed(own<error>), closed } */
typedef struct { uint8_t tag; p2_handle error; } p2_stream_error;
enum { P2_STREAM_ERROR_FAILED = 0, P2_STREAM_ERROR_CLOSED = 1 };

/* result<list<u8>, stream-error> */
typedef struct {
  uint8_t is_err;
  union { p2_bytes ok; p2_stream_error err; } val;
} p2_result_bytes_stream;
/* result<_, stream-error> */
typedef struct {
  uint8_t is_err;
  p2_stream_error err;
} p2_result_unit_stream;

P2_IMPORT("wasi:io/error", "[resource-drop]error") void p2_drop_error(p2_handle h);
P2_IMPORT("wasi:io/poll", "[resource-drop]pollable") void p2_drop_pollable(p2_handle h);
typedef struct { uint32_t* ptr; size_t len; } p2_list_u32;
P2_IMPORT("wasi:io/poll", "poll") void p2_poll(const p2_handle* in, size_t n, p2_list_u32* ret);
P2_IMPORT("wasi:io/streams", "[resource-drop]input-stream") void p2_drop_input_stream(p2_handle h);
P2_IMPORT("wasi:io/streams", "[resource-drop]output-stream") void p2_drop_output_stream(p2_handle h);
P2_IMPORT("wasi:io/streams", "[method]input-stream.blocking-read")
void p2_input_blocking_read(p2_handle self, uint64_t len, p2_result_bytes_stream* ret);
P2_IMPORT("wasi:io/streams", "[method]input-stream.subscribe") p2_handle p2_input_subscribe(p2_handle self);
P2_IMPORT("wasi:io/streams", "[method]output-stream.blocking-write-and-flush")
void p2_output_blocking_write_and_flush(p2_handle self, const void* ptr, size_t len, p2_result_unit_stream* ret);

/* ---- wasi:clocks ---- */
typedef struct { uint64_t seconds; uint32_t nanoseconds; } p2_datetime;
P2_IMPORT("wasi:clocks/wall-clock", "now") void p2_wall_now(p2_datetime* ret);
P2_IMPORT("wasi:clocks/wall-clock", "resolution") void p2_wall_resolution(p2_datetime* ret);
P2_IMPORT("wasi:clocks/monotonic-clock", "now") uint64_t p2_mono_now(void);
P2_IMPORT("wasi:clocks/monotonic-clock", "resolution") uint64_t p2_mono_resolution(void);
P2_IMPORT("wasi:clocks/monotonic-clock", "subscribe-duration") p2_handle p2_mono_subscribe_duration(uint64_t ns);
P2_IMPORT("wasi:clocks/monotonic-clock", "subscribe-instant") p2_handle p2_mono_subscribe_instant(uint64_t when);

/* ---- wasi:random ---- */
P2_IMPORT("wasi:random/random", "get-random-bytes") void p2_get_random_bytes(uint64_t len, p2_bytes* ret);

/* ---- wasi:filesystem ---- */
typedef struct { p2_handle desc; p2_string path; } p2_preopen;
typedef struct { p2_preopen* ptr; size_t len; } p2_list_preopen;
P2_IMPORT("wasi:filesystem/preopens", "get-directories") void p2_get_directories(p2_list_preopen* ret);

enum {
  P2_DT_UNKNOWN, P2_DT_BLOCK, P2_DT_CHAR, P2_DT_DIRECTORY, P2_DT_FIFO, P2_DT_SYMLINK, P2_DT_REGULAR, P2_DT_SOCKET
};
enum { P2_DF_READ = 1, P2_DF_WRITE = 2, P2_DF_FILE_SYNC = 4, P2_DF_DATA_SYNC = 8, P2_DF_RSYNC = 16, P2_DF_MUTATE_DIR = 32 };

typedef struct { uint8_t is_some; p2_datetime t; } p2_option_datetime;
typedef struct {
  uint8_t type;
  uint64_t link_count;
  uint64_t size;
  p2_option_datetime atim, mtim, ctim;
} p2_descriptor_stat;
typedef struct { uint64_t lower, upper; } p2_hash;

/* result<_, error-code> and result<enum/flags, error-code>: payload byte at offset 1 */
typedef struct { uint8_t is_err; uint8_t val; } p2_result_u8;
/* result<own<X>, error-code> */
typedef struct { uint8_t is_err; union { p2_handle ok; uint8_t err; } val; } p2_result_handle;
/* result<tuple<list<u8>, bool>, error-code> */
typedef struct {
  uint8_t is_err;
  union { struct { p2_bytes data; uint8_t eof; } ok; uint8_t err; } val;
} p2_result_read;
/* result<filesize, error-code> */
typedef struct { uint8_t is_err; union { uint64_t ok; uint8_t err; } val; } p2_result_u64;
/* result<descriptor-stat, error-code> */
typedef struct { uint8_t is_err; union { p2_descriptor_stat ok; uint8_t err; } val; } p2_result_stat;
/* result<metadata-hash-value, error-code> */
typedef struct { uint8_t is_err; union { p2_hash ok; uint8_t err; } val; } p2_result_hash;
/* result<string, error-code> */
typedef struct { uint8_t is_err; union { p2_string ok; uint8_t err; } val; } p2_result_string;
/* result<option<directory-entry>, error-code> */
typedef struct {
  uint8_t is_err;
  union {
    struct { uint8_t is_some; struct { uint8_t type; p2_string name; } entry; } ok;
    uint8_t err;
  } val;
} p2_result_dirent;

#define FS_IMPORT(name) P2_IMPORT("wasi:filesystem/types", name)
FS_IMPORT("[resource-drop]descriptor") void p2_drop_descriptor(p2_handle h);
FS_IMPORT("[resource-drop]directory-entry-stream") void p2_drop_dir_stream(p2_handle h);
FS_IMPORT("[method]descriptor.get-type") void p2_fs_get_type(p2_handle self, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.read")
void p2_fs_read(p2_handle self, uint64_t len, uint64_t offset, p2_result_read* ret);
FS_IMPORT("[method]descriptor.write")
void p2_fs_write(p2_handle self, const void* ptr, size_t len, uint64_t offset, p2_result_u64* ret);
FS_IMPORT("[method]descriptor.stat") void p2_fs_stat(p2_handle self, p2_result_stat* ret);
FS_IMPORT("[method]descriptor.stat-at")
void p2_fs_stat_at(p2_handle self, int32_t path_flags, const char* p, size_t n, p2_result_stat* ret);
FS_IMPORT("[method]descriptor.metadata-hash") void p2_fs_metadata_hash(p2_handle self, p2_result_hash* ret);
FS_IMPORT("[method]descriptor.metadata-hash-at")
void p2_fs_metadata_hash_at(p2_handle self, int32_t path_flags, const char* p, size_t n, p2_result_hash* ret);
FS_IMPORT("[method]descriptor.open-at")
void p2_fs_open_at(p2_handle self, int32_t path_flags, const char* p, size_t n, int32_t open_flags,
                   int32_t desc_flags, p2_result_handle* ret);
FS_IMPORT("[method]descriptor.read-directory") void p2_fs_read_directory(p2_handle self, p2_result_handle* ret);
FS_IMPORT("[method]directory-entry-stream.read-directory-entry")
void p2_fs_read_directory_entry(p2_handle self, p2_result_dirent* ret);
FS_IMPORT("[method]descriptor.create-directory-at")
void p2_fs_create_directory_at(p2_handle self, const char* p, size_t n, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.remove-directory-at")
void p2_fs_remove_directory_at(p2_handle self, const char* p, size_t n, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.unlink-file-at")
void p2_fs_unlink_file_at(p2_handle self, const char* p, size_t n, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.rename-at")
void p2_fs_rename_at(p2_handle self, const char* op, size_t on, p2_handle new_dir, const char* np, size_t nn,
                     p2_result_u8* ret);
FS_IMPORT("[method]descriptor.symlink-at")
void p2_fs_symlink_at(p2_handle self, const char* op, size_t on, const char* np, size_t nn, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.link-at")
void p2_fs_link_at(p2_handle self, int32_t old_flags, const char* op, size_t on, p2_handle new_dir, const char* np,
                   size_t nn, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.readlink-at")
void p2_fs_readlink_at(p2_handle self, const char* p, size_t n, p2_result_string* ret);
FS_IMPORT("[method]descriptor.set-size") void p2_fs_set_size(p2_handle self, uint64_t size, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.sync") void p2_fs_sync(p2_handle self, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.sync-data") void p2_fs_sync_data(p2_handle self, p2_result_u8* ret);
FS_IMPORT("[method]descriptor.advise")
void p2_fs_advise(p2_handle self, uint64_t offset, uint64_t len, int32_t advice, p2_result_u8* ret);
/* new-timestamp flattens to (i32 tag, i64 seconds, i32 nanoseconds) */
FS_IMPORT("[method]descriptor.set-times")
void p2_fs_set_times(p2_handle self, int32_t at, uint64_t as, uint32_t ans, int32_t mt, uint64_t ms, uint32_t mns,
                     p2_result_u8* ret);
FS_IMPORT("[method]descriptor.set-times-at")
void p2_fs_set_times_at(p2_handle self, int32_t path_flags, const char* p, size_t n, int32_t at, uint64_t as,
                        uint32_t ans, int32_t mt, uint64_t ms, uint32_t mns, p2_result_u8* ret);

#endif
