// scanDir: one directory's names and every entry's lstat in one call, run on
// libuv's thread pool (so a walk can lstat on one core while JS hashes on the
// other). Names are sorted by strcmp, as libuv's scandir (fs.readdirSync)
// sorts them, and returned as one block of (u16le length, bytes) pairs: the
// form the listing digest hashes. Everything comes back in one ArrayBuffer. Stats come from statx relative to the
// directory's fd (no path walk per entry), in the field layout of
// src/fs/dir-entry.ts (STAT_SLOTS, EXTRA_SLOTS) with the values Node's
// fs.lstatSync({bigint:true}) gives (dev and rdev as makedev(major, minor)).
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <node_api.h>

#define STAT_SLOTS 9
#define EXTRA_SLOTS 3

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char* path;
  bool atime;
  int err; // errno of opening or reading the directory itself
  size_t n;
  // one allocation: slots (n * STAT_SLOTS i64), extra (n * EXTRA_SLOTS i64), errs (n i32: 0 or the
  // errno of the entry's statx), then the length-prefixed names; handed to JS as one ArrayBuffer
  char* mem;
  size_t mem_len;
  int64_t* slots;
  int64_t* extra;
  int32_t* errs;
  char* names;
  size_t names_len;
} scan_t;

static int cmp_names(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void scan_execute(napi_env env, void* data) {
  (void)env;
  scan_t* s = data;
  int fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) { s->err = errno; return; }
  DIR* d = fdopendir(fd);
  if (!d) { s->err = errno; close(fd); return; }
  size_t cap = 64, n = 0;
  char** list = malloc(cap * sizeof *list);
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(d);
    if (!e) { if (errno) s->err = errno; break; }
    const char* nm = e->d_name;
    if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
    if (n == cap) list = realloc(list, (cap *= 2) * sizeof *list);
    list[n++] = strdup(nm);
  }
  if (!s->err) {
    qsort(list, n, sizeof *list, cmp_names);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += 2 + strlen(list[i]);
    s->mem_len = n * (STAT_SLOTS + EXTRA_SLOTS) * 8 + n * 4 + total;
    s->mem = calloc(s->mem_len ? s->mem_len : 1, 1);
    s->slots = (int64_t*)s->mem;
    s->extra = s->slots + n * STAT_SLOTS;
    s->errs = (int32_t*)(s->extra + n * EXTRA_SLOTS);
    s->names = (char*)(s->errs + n);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
      size_t len = strlen(list[i]);
      s->names[o] = (char)(len & 0xff);
      s->names[o + 1] = (char)(len >> 8);
      memcpy(s->names + o + 2, list[i], len);
      o += 2 + len;
      struct statx st;
      if (statx(dirfd(d), list[i], AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0) {
        s->errs[i] = errno ? errno : EIO;
        continue;
      }
      int64_t* v = s->slots + i * STAT_SLOTS;
      v[0] = (int64_t)makedev(st.stx_dev_major, st.stx_dev_minor);
      v[1] = (int64_t)st.stx_ino;
      v[2] = st.stx_mode;
      v[3] = st.stx_uid;
      v[4] = st.stx_gid;
      v[5] = (int64_t)makedev(st.stx_rdev_major, st.stx_rdev_minor);
      v[6] = (int64_t)st.stx_size;
      v[7] = (int64_t)st.stx_mtime.tv_sec * 1000000000LL + st.stx_mtime.tv_nsec;
      v[8] = (int64_t)st.stx_ctime.tv_sec * 1000000000LL + st.stx_ctime.tv_nsec;
      int64_t* x = s->extra + i * EXTRA_SLOTS;
      x[0] = s->atime && S_ISREG(st.stx_mode) ? (int64_t)st.stx_atime.tv_sec * 1000000000LL + st.stx_atime.tv_nsec : 0;
      x[1] = st.stx_nlink;
      x[2] = (int64_t)st.stx_blocks;
    }
    s->n = n;
    s->names_len = total;
  }
  for (size_t i = 0; i < n; i++) free(list[i]);
  free(list);
  closedir(d);
}

static void free_block(napi_env env, void* data, void* hint) { (void)env; (void)hint; free(data); }

static void scan_complete(napi_env env, napi_status status, void* data) {
  scan_t* s = data;
  if (status != napi_ok || s->err) {
    int err = status != napi_ok ? EIO : s->err;
    const char* name = strerrorname_np(err);
    char msg[512];
    snprintf(msg, sizeof msg, "%s: %s, scandir '%.400s'", name ? name : "EIO", strerror(err), s->path);
    napi_value code, message, error;
    napi_create_string_utf8(env, name ? name : "EIO", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, code, message, &error);
    napi_set_named_property(env, error, "code", code);
    napi_reject_deferred(env, s->deferred, error);
    free(s->mem);
  } else {
    size_t n = s->n;
    napi_value ab, out, v;
    if (napi_create_external_arraybuffer(env, s->mem, s->mem_len, free_block, NULL, &ab) != napi_ok) {
      // external memory may be refused (V8 sandbox): copy it then
      void* copy;
      napi_create_arraybuffer(env, s->mem_len, &copy, &ab);
      memcpy(copy, s->mem, s->mem_len);
      free(s->mem);
    }
    napi_create_object(env, &out);
    size_t o = 0;
    napi_create_typedarray(env, napi_bigint64_array, n * STAT_SLOTS, ab, o, &v);
    napi_set_named_property(env, out, "slots", v);
    o += n * STAT_SLOTS * 8;
    napi_create_typedarray(env, napi_bigint64_array, n * EXTRA_SLOTS, ab, o, &v);
    napi_set_named_property(env, out, "extra", v);
    o += n * EXTRA_SLOTS * 8;
    napi_create_typedarray(env, napi_int32_array, n, ab, o, &v);
    napi_set_named_property(env, out, "errs", v);
    o += n * 4;
    napi_create_typedarray(env, napi_uint8_array, s->names_len, ab, o, &v);
    napi_set_named_property(env, out, "names", v);
    napi_create_uint32(env, (uint32_t)n, &v);
    napi_set_named_property(env, out, "count", v);
    napi_resolve_deferred(env, s->deferred, out);
  }
  napi_delete_async_work(env, s->work);
  free(s->path);
  free(s);
}

// scanDir(path: Buffer, atime: boolean): Promise<{names, slots, extra, errs, count}>
napi_value scan_dir(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void* data;
  size_t len;
  if (argc < 1 || napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return NULL;
  }
  scan_t* s = calloc(1, sizeof *s);
  s->path = malloc(len + 1);
  memcpy(s->path, data, len);
  s->path[len] = 0;
  if (argc > 1) napi_get_value_bool(env, argv[1], &s->atime);
  napi_value promise, name;
  napi_create_promise(env, &s->deferred, &promise);
  napi_create_string_utf8(env, "strata.scanDir", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, scan_execute, scan_complete, s, &s->work);
  napi_queue_async_work(env, s->work);
  return promise;
}
