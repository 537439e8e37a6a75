// aeadOpen / aeadSeal: AES-256-GCM / ChaCha20-Poly1305 straight into a buffer
// the caller owns, with OpenSSL's EVP API (the OpenSSL node itself is linked
// with: its symbols are resolved from the node process, nothing else is
// linked). node:crypto's Decipher returns every update's output in a fresh
// buffer (for GCM allocated twice and copied once); restoring an encrypted
// repository opens every blob, so that is a fresh allocation per blob piece
// (docs/bench.md, "Encryption cost"). Input and output must not overlap (the
// caller checks; OpenSSL's assembly may read ahead of what it writes).
// aeadOpen returns true when the tag verifies, false otherwise (output then
// holds unauthenticated bytes the caller must not use).
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>
#include <node_api.h>
// without OpenSSL's headers (an unusual node-gyp header set) the addon still builds: aeadAvailable() is false
#if defined(__has_include)
#if __has_include(<openssl/evp.h>)
#include <openssl/evp.h>
#define HAVE_EVP 1
#endif
#endif

napi_value aead_open(napi_env env, napi_callback_info info);
napi_value aead_seal(napi_env env, napi_callback_info info);
napi_value aead_available(napi_env env, napi_callback_info info);

static int bytes_of(napi_env env, napi_value v, unsigned char** data, size_t* len) {
  napi_typedarray_type type; size_t n; void* d; napi_value ab; size_t off;
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) { napi_throw_type_error(env, NULL, "aead: expected a Uint8Array"); return -1; }
  if (napi_get_typedarray_info(env, v, &type, &n, &d, &ab, &off) != napi_ok || type != napi_uint8_array) { napi_throw_type_error(env, NULL, "aead: expected a Uint8Array"); return -1; }
  *data = d; *len = n;
  return 0;
}

// the symbols are there when node was built with its OpenSSL exported (official builds) or linked with a shared one
napi_value aead_available(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
#ifdef HAVE_EVP
  napi_get_boolean(env, dlsym(RTLD_DEFAULT, "EVP_DecryptUpdate") != NULL && dlsym(RTLD_DEFAULT, "EVP_chacha20_poly1305") != NULL, &r);
#else
  napi_get_boolean(env, false, &r);
#endif
  return r;
}

#ifndef HAVE_EVP
napi_value aead_open(napi_env env, napi_callback_info info) { (void)info; napi_throw_error(env, "E_NATIVE", "aeadOpen: built without OpenSSL headers"); return NULL; }
napi_value aead_seal(napi_env env, napi_callback_info info) { (void)info; napi_throw_error(env, "E_NATIVE", "aeadSeal: built without OpenSSL headers"); return NULL; }
#else

// aeadOpen(alg: 0 = aes-256-gcm | 1 = chacha20-poly1305, key[32], iv[12], aad, ciphertext, tag[16], out) -> boolean
napi_value aead_open(napi_env env, napi_callback_info info) {
  size_t argc = 7; napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7) { napi_throw_error(env, "E_NATIVE", "aeadOpen: 7 arguments"); return NULL; }
  int32_t alg;
  if (napi_get_value_int32(env, argv[0], &alg) != napi_ok || (alg != 0 && alg != 1)) { napi_throw_type_error(env, NULL, "aeadOpen: bad algorithm"); return NULL; }
  unsigned char *key, *iv, *aad, *ct, *tag, *out;
  size_t key_len, iv_len, aad_len, ct_len, tag_len, out_len;
  if (bytes_of(env, argv[1], &key, &key_len) || bytes_of(env, argv[2], &iv, &iv_len) || bytes_of(env, argv[3], &aad, &aad_len) ||
      bytes_of(env, argv[4], &ct, &ct_len) || bytes_of(env, argv[5], &tag, &tag_len) || bytes_of(env, argv[6], &out, &out_len)) return NULL;
  if (key_len != 32 || iv_len != 12 || tag_len != 16 || out_len < ct_len || ct_len > 0x7fffffff || aad_len > 0x7fffffff) { napi_throw_range_error(env, NULL, "aeadOpen: bad lengths"); return NULL; }
  if (ct_len > 0 && out < ct + ct_len && ct < out + ct_len) { napi_throw_range_error(env, NULL, "aeadOpen: output overlaps input"); return NULL; }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (!ctx) { napi_throw_error(env, "E_NATIVE", "aeadOpen: out of memory"); return NULL; }
  int ok = EVP_DecryptInit_ex(ctx, alg == 0 ? EVP_aes_256_gcm() : EVP_chacha20_poly1305(), NULL, NULL, NULL) == 1
    && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1
    && EVP_DecryptInit_ex(ctx, NULL, NULL, key, iv) == 1;
  int n = 0;
  if (ok && aad_len > 0) ok = EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1;
  if (ok && ct_len > 0) ok = EVP_DecryptUpdate(ctx, out, &n, ct, (int)ct_len) == 1 && (size_t)n == ct_len;
  if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1;
  int fin = 0;
  bool verified = ok && EVP_DecryptFinal_ex(ctx, out + ct_len, &fin) == 1 && fin == 0;
  EVP_CIPHER_CTX_free(ctx);
  napi_value r;
  napi_get_boolean(env, verified, &r);
  return r;
}

// aeadSeal(alg, key[32], iv[12], aad, plaintext, out, tag[16]): out gets the ciphertext (plaintext's length), tag the tag
napi_value aead_seal(napi_env env, napi_callback_info info) {
  size_t argc = 7; napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7) { napi_throw_error(env, "E_NATIVE", "aeadSeal: 7 arguments"); return NULL; }
  int32_t alg;
  if (napi_get_value_int32(env, argv[0], &alg) != napi_ok || (alg != 0 && alg != 1)) { napi_throw_type_error(env, NULL, "aeadSeal: bad algorithm"); return NULL; }
  unsigned char *key, *iv, *aad, *pt, *out, *tag;
  size_t key_len, iv_len, aad_len, pt_len, out_len, tag_len;
  if (bytes_of(env, argv[1], &key, &key_len) || bytes_of(env, argv[2], &iv, &iv_len) || bytes_of(env, argv[3], &aad, &aad_len) ||
      bytes_of(env, argv[4], &pt, &pt_len) || bytes_of(env, argv[5], &out, &out_len) || bytes_of(env, argv[6], &tag, &tag_len)) return NULL;
  if (key_len != 32 || iv_len != 12 || tag_len != 16 || out_len < pt_len || pt_len > 0x7fffffff || aad_len > 0x7fffffff) { napi_throw_range_error(env, NULL, "aeadSeal: bad lengths"); return NULL; }
  if (pt_len > 0 && ((out < pt + pt_len && pt < out + pt_len) || (tag < pt + pt_len && pt < tag + 16) || (tag < out + pt_len && out < tag + 16))) { napi_throw_range_error(env, NULL, "aeadSeal: buffers overlap"); return NULL; }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (!ctx) { napi_throw_error(env, "E_NATIVE", "aeadSeal: out of memory"); return NULL; }
  int n = 0, fin = 0;
  int ok = EVP_EncryptInit_ex(ctx, alg == 0 ? EVP_aes_256_gcm() : EVP_chacha20_poly1305(), NULL, NULL, NULL) == 1
    && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1
    && EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) == 1;
  if (ok && aad_len > 0) ok = EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1;
  if (ok && pt_len > 0) ok = EVP_EncryptUpdate(ctx, out, &n, pt, (int)pt_len) == 1 && (size_t)n == pt_len;
  if (ok) ok = EVP_EncryptFinal_ex(ctx, out + pt_len, &fin) == 1 && fin == 0;
  if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) { napi_throw_error(env, "E_NATIVE", "aeadSeal: OpenSSL failed"); return NULL; }
  return NULL;
}
#endif
