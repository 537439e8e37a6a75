export const LOC_LEN = 32 + 1 + 1 + 4 + 4 + 4;
export function encodeLoc(pack, e) {
    const b = Buffer.allocUnsafe(LOC_LEN);
    pack.copy(b, 0);
    b[32] = e.type;
    b[33] = e.comp;
    b.writeUInt32LE(e.offset, 34);
    b.writeUInt32LE(e.length, 38);
    b.writeUInt32LE(e.rawLength, 42);
    return b;
}
export function decodeLoc(b) {
    return {
        pack: Buffer.from(b.subarray(0, 32)),
        type: b[32],
        comp: b[33],
        offset: b.readUInt32LE(34),
        length: b.readUInt32LE(38),
        rawLength: b.readUInt32LE(42),
    };
}
//# sourceMappingURL=blob-location.js.map