// The page's HTML shell and style sheet, served by the server itself (no CDN,
// nothing from outside). The behaviour is in ui/*.ts, compiled to dist/serve/ui/.
export function pageHtml() {
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>strata</title>
<link rel="stylesheet" href="/style.css">
<script type="module" src="/ui/app.js"></script>
</head>
<body>
<header><a href="#/" id="home">strata</a> <span id="repo"></span> <span id="live" title="new snapshots appear without a reload"></span></header>
<main id="view"><p>loading…</p></main>
</body>
</html>
`;
}
export const PAGE_CSS = `
:root { font-family: system-ui, sans-serif; font-size: 14px; color: #1d2329; background: #fafbfc; }
header { padding: 8px 16px; background: #22303c; color: #e8eef3; display: flex; gap: 16px; align-items: baseline; }
header a { color: #fff; font-weight: 600; text-decoration: none; font-size: 16px; }
#live { margin-left: auto; font-size: 12px; opacity: .8; }
main { padding: 12px 16px; }
h2 { font-size: 16px; margin: 16px 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e3e7eb; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: #eef3f7; }
code, .mono, td.id { font-family: ui-monospace, monospace; }
td.mono { white-space: pre; }
a { color: #1a5fb4; }
.crumbs a { margin: 0 2px; }
.bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.err { color: #a51d2d; font-weight: 600; }
.muted { color: #6a7580; }
pre.diff { background: #fff; border: 1px solid #e3e7eb; padding: 6px; overflow: auto; }
pre.diff .add { background: #e6f6e6; display: block; }
pre.diff .del { background: #fbe9eb; display: block; }
.plot { background: #fff; border: 1px solid #e3e7eb; }
.plot .size { fill: none; stroke: #1a5fb4; stroke-width: 2; }
.plot .chg { fill: #e5a50a; }
.preview img { max-width: 480px; max-height: 320px; border: 1px solid #e3e7eb; }
button { font: inherit; }
`;
//# sourceMappingURL=page.js.map