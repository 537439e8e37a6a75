export {};
//# sourceMappingURL=source-options.js.map