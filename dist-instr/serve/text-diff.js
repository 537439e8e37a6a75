const MAX_CELLS = 4_000_000;
export function lineDiff(a, b) {
    const x = a.split('\n');
    const y = b.split('\n');
    let pre = 0;
    while (pre < x.length && pre < y.length && x[pre] === y[pre])
        pre++;
    let suf = 0;
    while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf])
        suf++;
    const out = x.slice(0, pre).map((text) => ({ op: ' ', text }));
    const xm = x.slice(pre, x.length - suf);
    const ym = y.slice(pre, y.length - suf);
    if (xm.length * ym.length > MAX_CELLS) {
        for (const text of xm)
            out.push({ op: '-', text });
        for (const text of ym)
            out.push({ op: '+', text });
    }
    else {
        const n = xm.length;
        const m = ym.length;
        const w = m + 1;
        const t = new Uint32Array((n + 1) * w);
        for (let i = n - 1; i >= 0; i--) {
            for (let j = m - 1; j >= 0; j--) {
                t[i * w + j] = xm[i] === ym[j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
            }
        }
        let i = 0;
        let j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && xm[i] === ym[j]) {
                out.push({ op: ' ', text: xm[i] });
                i++;
                j++;
            }
            else if (i < n && (j === m || t[(i + 1) * w + j] >= t[i * w + j + 1]))
                out.push({ op: '-', text: xm[i++] });
            else
                out.push({ op: '+', text: ym[j++] });
        }
    }
    for (const text of x.slice(x.length - suf))
        out.push({ op: ' ', text });
    return out;
}
//# sourceMappingURL=text-diff.js.map