import { TableServiceClient, TableClient } from "@azure/data-tables";
import { escapeHtml } from "../shared/domain/html";

/** A link on the local start page; `detail` is evaluated at each page view (live counts). */
export interface StackLink {
  readonly label: string;
  readonly url?: string;
  readonly detail?: () => string;
}

export interface PageContent {
  readonly contentType: string;
  readonly body: string;
}

/** The page shell every local page shares. */
function html(title: string, content: string): PageContent {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
 body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
 h1{font-size:1.5rem} li{margin:.4rem 0} .detail{color:#57606a;font-size:.875rem} code{background:#f3f4f6;padding:0 .25rem}
 table{border-collapse:collapse} td,th{padding:.2rem .8rem .2rem 0;text-align:left} td.n{text-align:right}
</style></head>
<body>
${content}
</body></html>`;
  return { contentType: "text/html; charset=utf-8", body };
}

/** The page at `/` of `npm start`: what runs on the local stack and where. */
export function renderStartPage(links: readonly StackLink[]): PageContent {
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
  return html(
    "ONES for Microsoft 365 · local stack",
    `<h1>ONES for Microsoft 365 — local stack</h1>
<p>Everything below runs on this machine, on loopback. The app's API is under <code>/api</code>.
After signing in, <a href="/signed-in">/signed-in</a> shows who you are.</p>
<ul>
<li><a href="/api/health">/api/health</a><div class="detail">reachability of each dependency, and the app version</div></li>
${items}
<li><a href="/addin/dev-host">Outlook add-in in a stand-in meeting form</a><div class="detail">the task pane with a test double of Office.js; sign in first</div></li>
</ul>`,
  );
}

/**
 * `/local/tables`: the app's tables in Azurite with their row counts, and how to browse them (Azurite
 * itself answers a browser with an empty 400: it speaks only the Table service's REST API).
 */
export async function renderTablesPage(connectionString: string, prefix: string): Promise<PageContent> {
  const service = TableServiceClient.fromConnectionString(connectionString, {
    allowInsecureConnection: true,
  });
  const rows: string[] = [];
  for await (const table of service.listTables()) {
    const name = table.name ?? "";
    if (!name.toLowerCase().startsWith(prefix.toLowerCase())) continue;
    const client = TableClient.fromConnectionString(connectionString, name, {
      allowInsecureConnection: true,
    });
    let count = 0;
    for await (const _ of client.listEntities({ queryOptions: { select: ["RowKey"] } })) {
      if (++count >= ROW_COUNT_LIMIT) break;
    }
    rows.push(
      `<tr><td><code>${escapeHtml(name)}</code></td><td class="n">${count >= ROW_COUNT_LIMIT ? `${ROW_COUNT_LIMIT}+` : count}</td></tr>`,
    );
  }
  const endpoint = /TableEndpoint=([^;]+)/.exec(connectionString)?.[1] ?? "";
  return html(
    "ONES · tables in Azurite",
    `<h1>Tables in Azurite</h1>
<p><a href="/">Back to the start page</a></p>
${rows.length === 0 ? "<p>No tables yet: they are created when the app first writes to them.</p>" : `<table><tr><th>table</th><th>rows</th></tr>\n${rows.join("\n")}</table>`}
<p>Azurite (the local Azure Storage emulator) serves the Table service's REST API at
<code>${escapeHtml(endpoint)}</code>, which a browser cannot read directly. To look inside the tables,
open <a href="https://learn.microsoft.com/azure/storage/storage-explorer/vs-azure-tools-storage-manage-with-storage-explorer">Azure Storage Explorer</a>
and attach to the local emulator (Connect → Local storage emulator, table port ${escapeHtml(new URL(endpoint || "http://127.0.0.1:10002").port)}).
Secrets and tokens in these tables are sealed; sessions and sign-ins are stored under hashes.</p>`,
  );
}

/** Tables are counted up to this many rows. */
const ROW_COUNT_LIMIT = 10_000;

/** What `/api/me` answers, as far as the signed-in page shows it. */
interface MeSummary {
  readonly name: string;
  readonly email: string;
  readonly isAdmin: boolean;
  readonly mode?: string;
  readonly needsSignIn: boolean;
}

/**
 * `/signed-in`: where the start page's sign-in links lead, until the web app exists. Says who is signed
 * in (from `/api/me` with the browser's session cookie) and what to try next.
 */
export async function renderSignedInPage(
  appBaseUrl: string,
  cookie: string | undefined,
): Promise<PageContent> {
  const response = await fetch(`${appBaseUrl}/api/me`, { headers: cookie === undefined ? {} : { cookie } });
  if (response.status !== 200) {
    return html(
      "ONES · not signed in",
      `<h1>You are not signed in</h1>
<p>Sign in from the <a href="/">start page</a> as a person of the demo tenant.</p>`,
    );
  }
  const me = (await response.json()) as MeSummary;
  const next = me.isAdmin
    ? `<li><a href="/api/admin/integration">/api/admin/integration</a>: the Microsoft 365 integration (mode, admin group)</li>
<li><a href="/api/admin/sync">/api/admin/sync</a>: the state of the room and directory syncs</li>
<li><a href="/api/integration/capabilities">/api/integration/capabilities</a>: what this mode lets ONES do</li>`
    : `<li><a href="/api/integration/capabilities">/api/integration/capabilities</a>: what this mode lets ONES do</li>`;
  return html(
    "ONES · signed in",
    `<h1>Signed in as ${escapeHtml(me.name)}</h1>
<p><code>${escapeHtml(me.email)}</code> · ${me.isAdmin ? "a ONES admin" : "not a ONES admin"}${me.mode === undefined ? "" : ` · integration mode <code>${escapeHtml(me.mode)}</code>`}</p>
${me.needsSignIn ? "<p><strong>ONES needs you to sign in again</strong> before it can act in your calendar.</p>" : ""}
<p>The ONES web app is not part of this build yet. Until then, try the API in this browser:</p>
<ul>
<li><a href="/api/me">/api/me</a>: everything ONES knows about your sign-in</li>
${next}
</ul>
<form method="post" action="/api/auth/logout"><button type="submit">Sign out</button></form>
<p><a href="/">Back to the start page</a></p>`,
  );
}
