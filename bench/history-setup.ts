// Imported first by bench/diff-log.ts: the repositories there are built
// in-process from the TypeScript sources, and mostly hold small tree objects,
// so zstd runs on the calling thread (no compression worker pool to start).
process.env.STRATA_COMPRESS_WORKERS ??= '0';
export {};
