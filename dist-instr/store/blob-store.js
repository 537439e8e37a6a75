// The narrow interface through which every repository file (config, packs,
// snapshot manifests) is written and read. It is what a local directory and,
// later, an S3-compatible object store have in common: immutable named
// objects, put-if-absent, ranged reads, listing and deletion. Nothing else of
// the repository may depend on local-filesystem behaviour.
export {};
//# sourceMappingURL=blob-store.js.map