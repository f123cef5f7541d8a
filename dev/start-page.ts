/** A link on the local start page; `detail` is evaluated at each page view (live counts). */
export interface StackLink {
  readonly label: string;
  readonly url?: string;
  readonly detail?: () => string;
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** The page at `/` of `npm start`: what runs on the local stack and where. */
export function renderStartPage(links: readonly StackLink[]): { contentType: string; body: string } {
  const items = links
    .map((link) => {
      const label =
        link.url === undefined
          ? escapeHtml(link.label)
          : `<a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a>`;
      const detail =
        link.detail === undefined ? "" : `<div class="detail">${escapeHtml(link.detail())}</div>`;
      return `<li>${label}${detail}</li>`;
    })
    .join("\n");
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ONES for Microsoft 365 · local stack</title>
<style>
 body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
 h1{font-size:1.5rem} li{margin:.4rem 0} .detail{color:#57606a;font-size:.875rem} code{background:#f3f4f6;padding:0 .25rem}
</style></head>
<body>
<h1>ONES for Microsoft 365 — local stack</h1>
<p>Everything below runs on this machine, on loopback. The app's API is under <code>/api</code>.</p>
<ul>
<li><a href="/api/health">/api/health</a><div class="detail">reachability of each dependency, and the app version</div></li>
${items}
<li><a href="/addin/dev-host">Outlook add-in in a stand-in meeting form</a><div class="detail">the task pane with a test double of Office.js; sign in first</div></li>
</ul>
</body></html>`;
  return { contentType: "text/html; charset=utf-8", body };
}
