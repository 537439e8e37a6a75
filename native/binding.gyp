{
  "targets": [
    {
      "target_name": "strata_native",
      "sources": ["src/native.c", "src/aead.c", "src/scandir.c"],
      "cflags": ["-O2", "-Wall"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    }
  ]
}
