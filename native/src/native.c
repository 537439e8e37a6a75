// strata-native: the few Linux calls Node 20 lacks. utimensat with
// nanoseconds (files, directories, symlinks), lseek SEEK_DATA/SEEK_HOLE, and
// the l*xattr family (never following symlinks); and AEAD decryption into a
// given buffer (aead.c); a directory's names and lstats in one call (scandir.c). Paths and names are Buffers
// (raw bytes); errors are thrown as Error with .code = the errno name.
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <node_api.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, "E_NATIVE", #call " failed"); return NULL; } } while (0)

static napi_value throw_errno(napi_env env, int err, const char* what) {
  char msg[256];
  const char* name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, message, error;
  napi_create_string_utf8(env, name ? name : "EIO", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

// NUL-terminated copy of a Buffer argument (caller frees)
static char* cstr(napi_env env, napi_value v) {
  void* data; size_t len;
  if (napi_get_buffer_info(env, v, &data, &len) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  char* s = malloc(len + 1);
  memcpy(s, data, len);
  s[len] = 0;
  return s;
}

static int get_ts(napi_env env, napi_value v, struct timespec* ts) {
  int64_t ns; bool lossless;
  if (napi_get_value_bigint_int64(env, v, &ns, &lossless) != napi_ok) { napi_throw_type_error(env, NULL, "expected a BigInt"); return -1; }
  int64_t sec = ns / 1000000000LL, rem = ns % 1000000000LL;
  if (rem < 0) { rem += 1000000000LL; sec -= 1; }
  ts->tv_sec = sec; ts->tv_nsec = rem;
  return 0;
}

// utimens(path: Buffer, atimeNs: bigint, mtimeNs: bigint, nofollow: boolean)
static napi_value utimens(napi_env env, napi_callback_info info) {
  size_t argc = 4; napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  struct timespec ts[2];
  if (get_ts(env, argv[1], &ts[0]) || get_ts(env, argv[2], &ts[1])) return NULL;
  bool nofollow = false;
  napi_get_value_bool(env, argv[3], &nofollow);
  char* p = cstr(env, argv[0]);
  if (!p) return NULL;
  int r = utimensat(AT_FDCWD, p, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
  int err = errno;
  free(p);
  if (r != 0) return throw_errno(env, err, "utimensat");
  return NULL;
}

// futimens(fd: number, atimeNs: bigint, mtimeNs: bigint)
static napi_value futimens_(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  struct timespec ts[2];
  if (get_ts(env, argv[1], &ts[0]) || get_ts(env, argv[2], &ts[1])) return NULL;
  if (futimens(fd, ts) != 0) return throw_errno(env, errno, "futimens");
  return NULL;
}

// seek(fd: number, offset: number, hole: boolean) -> number; -1 when there is no more data (ENXIO)
static napi_value seek(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd; int64_t off; bool hole;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int64(env, argv[1], &off));
  CHECK(napi_get_value_bool(env, argv[2], &hole));
  off_t r = lseek(fd, (off_t)off, hole ? SEEK_HOLE : SEEK_DATA);
  if (r < 0 && errno != ENXIO) return throw_errno(env, errno, hole ? "lseek SEEK_HOLE" : "lseek SEEK_DATA");
  napi_value out;
  CHECK(napi_create_int64(env, r < 0 ? -1 : (int64_t)r, &out));
  return out;
}

// llistxattr(path: Buffer) -> Buffer of NUL-terminated names
static napi_value llist(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char* p = cstr(env, argv[0]);
  if (!p) return NULL;
  char stackbuf[4096];
  char* buf = stackbuf; ssize_t cap = sizeof stackbuf, n;
  for (;;) {
    n = llistxattr(p, buf, cap);
    if (n >= 0 || errno != ERANGE) break;
    ssize_t need = llistxattr(p, NULL, 0);
    if (need < 0) { n = -1; break; }
    if (buf != stackbuf) free(buf);
    cap = need + 256; buf = malloc(cap);
  }
  int err = errno;
  free(p);
  if (n < 0) { if (buf != stackbuf) free(buf); return throw_errno(env, err, "llistxattr"); }
  napi_value out;
  napi_create_buffer_copy(env, n, buf, NULL, &out);
  if (buf != stackbuf) free(buf);
  return out;
}

// lgetxattr(path: Buffer, name: Buffer) -> Buffer
static napi_value lget(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char* p = cstr(env, argv[0]);
  if (!p) return NULL;
  char* name = cstr(env, argv[1]);
  if (!name) { free(p); return NULL; }
  char stackbuf[4096];
  char* buf = stackbuf; ssize_t cap = sizeof stackbuf, n;
  for (;;) {
    n = lgetxattr(p, name, buf, cap);
    if (n >= 0 || errno != ERANGE) break;
    ssize_t need = lgetxattr(p, name, NULL, 0);
    if (need < 0) { n = -1; break; }
    if (buf != stackbuf) free(buf);
    cap = need + 256; buf = malloc(cap);
  }
  int err = errno;
  free(p); free(name);
  if (n < 0) { if (buf != stackbuf) free(buf); return throw_errno(env, err, "lgetxattr"); }
  napi_value out;
  napi_create_buffer_copy(env, n, buf, NULL, &out);
  if (buf != stackbuf) free(buf);
  return out;
}

// lsetxattr(path: Buffer, name: Buffer, value: Buffer)
static napi_value lset(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void* val; size_t len;
  CHECK(napi_get_buffer_info(env, argv[2], &val, &len));
  char* p = cstr(env, argv[0]);
  if (!p) return NULL;
  char* name = cstr(env, argv[1]);
  if (!name) { free(p); return NULL; }
  int r = lsetxattr(p, name, val, len, 0);
  int err = errno;
  free(p); free(name);
  if (r != 0) return throw_errno(env, err, "lsetxattr");
  return NULL;
}

// lremovexattr(path: Buffer, name: Buffer)
static napi_value lremove(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char* p = cstr(env, argv[0]);
  if (!p) return NULL;
  char* name = cstr(env, argv[1]);
  if (!name) { free(p); return NULL; }
  int r = lremovexattr(p, name);
  int err = errno;
  free(p); free(name);
  if (r != 0) return throw_errno(env, err, "lremovexattr");
  return NULL;
}

napi_value aead_open(napi_env env, napi_callback_info info);
napi_value aead_seal(napi_env env, napi_callback_info info);
napi_value aead_available(napi_env env, napi_callback_info info);
napi_value scan_dir(napi_env env, napi_callback_info info);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"utimens", NULL, utimens, NULL, NULL, NULL, napi_default, NULL},
    {"futimens", NULL, futimens_, NULL, NULL, NULL, napi_default, NULL},
    {"seek", NULL, seek, NULL, NULL, NULL, napi_default, NULL},
    {"llistxattr", NULL, llist, NULL, NULL, NULL, napi_default, NULL},
    {"lgetxattr", NULL, lget, NULL, NULL, NULL, napi_default, NULL},
    {"lsetxattr", NULL, lset, NULL, NULL, NULL, napi_default, NULL},
    {"lremovexattr", NULL, lremove, NULL, NULL, NULL, napi_default, NULL},
    {"aeadOpen", NULL, aead_open, NULL, NULL, NULL, napi_default, NULL},
    {"aeadSeal", NULL, aead_seal, NULL, NULL, NULL, napi_default, NULL},
    {"aeadAvailable", NULL, aead_available, NULL, NULL, NULL, napi_default, NULL},
    {"scanDir", NULL, scan_dir, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
