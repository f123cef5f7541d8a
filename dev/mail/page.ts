import { escapeHtml as escape } from "../../shared/domain/html";
import type { SinkMessage } from "./store";

const address = (a: { email: string; name?: string }): string =>
  a.name === undefined ? a.email : `${a.name} <${a.email}>`;

/**
 * The dev mailbox: every message the sink holds, newest first, with its text and its HTML rendered in a
 * sandboxed iframe (no scripts, no same-origin access), so a hostile message cannot run anything here.
 */
export function renderMailboxPage(
  messages: readonly SinkMessage[],
  options: { title?: string } = {},
): string {
  const items = [...messages]
    .reverse()
    .map(
      (m) => `<article>
<h2>${escape(m.subject || "(no subject)")}</h2>
<dl>
<dt>From</dt><dd>${escape(address(m.from))}</dd>
<dt>To</dt><dd>${escape(m.to.map(address).join(", "))}</dd>
<dt>Received</dt><dd>${escape(m.receivedAt.toISOString())} via ${m.via}</dd>
<dt>Id</dt><dd><code>${escape(m.id)}</code>${m.headers["x-ones-message-id"] === undefined ? "" : ` · ONES <code>${escape(m.headers["x-ones-message-id"])}</code>`}</dd>
</dl>
${m.html === undefined ? "" : `<iframe sandbox title="HTML body" srcdoc="${escape(m.html)}"></iframe>`}
${m.text === undefined ? "" : `<details${m.html === undefined ? " open" : ""}><summary>Plain text</summary><pre>${escape(m.text)}</pre></details>`}
</article>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(options.title ?? "ONES dev mailbox")}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:16px;background:#f3f4f6;color:#1f2328}
header{display:flex;gap:16px;align-items:center}
article{background:#fff;border:1px solid #d1d9e0;border-radius:6px;padding:12px 16px;margin:12px 0}
h2{font-size:17px;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px;font-size:13px}
dt{color:#59636e}dd{margin:0}
iframe{width:100%;height:520px;border:1px solid #d1d9e0;border-radius:4px;background:#fff}
pre{white-space:pre-wrap;font-size:13px;background:#f6f8fa;padding:8px;border-radius:4px}
</style>
</head>
<body>
<header><h1>${escape(options.title ?? "ONES dev mailbox")}</h1><span>${messages.length} message${messages.length === 1 ? "" : "s"}</span>
<form method="post" action="/messages/clear"><button>Clear</button></form></header>
${items === "" ? "<p>No mail yet.</p>" : items}
</body>
</html>
`;
}
