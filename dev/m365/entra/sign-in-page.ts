import type { UserRecord } from "../store/types";

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The simulated Microsoft sign-in page: lists the tenant's people (room mailboxes excluded) as buttons;
 * choosing one posts the original authorize parameters back with `sim_user`. No passwords: it is a
 * local demo tenant.
 */
export function renderSignInPage(opts: {
  action: string;
  params: Record<string, string>;
  users: UserRecord[];
  total: number;
  tenantName: string;
  appName: string;
}): string {
  const hidden = Object.entries(opts.params)
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join("");
  const buttons = opts.users
    .map(
      (u) =>
        `<li><button type="submit" name="sim_user" value="${escape(u.id)}" data-upn="${escape(u.data.userPrincipalName)}">` +
        `<strong>${escape(u.data.displayName)}</strong><span>${escape(u.data.userPrincipalName)}</span></button></li>`,
    )
    .join("");
  const more =
    opts.total > opts.users.length
      ? `<p>${opts.total - opts.users.length} more people: type a sign-in name above.</p>`
      : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:40px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 4px}p.sub{color:#555;margin:0 0 16px}
ul{list-style:none;padding:0;margin:0;max-height:420px;overflow:auto}
li button{display:flex;flex-direction:column;align-items:flex-start;width:100%;border:0;background:none;padding:8px 4px;cursor:pointer;text-align:left}
li button:hover{background:#f0f6ff}li span{color:#666;font-size:13px}
.hint{display:flex;gap:8px;margin:12px 0}.hint input{flex:1;padding:6px}
</style></head>
<body><main>
<h1>Sign in</h1>
<p class="sub">to <strong>${escape(opts.appName)}</strong> · ${escape(opts.tenantName)} (ONES M365 simulator)</p>
<form method="post" action="${escape(opts.action)}">${hidden}
<div class="hint"><input name="login_hint_input" placeholder="someone@example.com" aria-label="Sign-in name"><button type="submit" name="sim_action" value="hint">Next</button></div>
<ul>${buttons}</ul>${more}
</form></main></body></html>`;
}

/** `response_mode=form_post`: an auto-submitting form to the redirect URI. */
export function renderFormPost(redirectUri: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join("");
  return (
    `<!doctype html><html><head><title>Working...</title></head><body onload="document.forms[0].submit()">` +
    `<form method="post" action="${escape(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`
  );
}

export function renderErrorPage(code: number, message: string): string {
  return (
    `<!doctype html><html><head><title>Sign in error</title></head><body><main><h1>Sorry, but we’re having trouble signing you in.</h1>` +
    `<p>AADSTS${code}: ${escape(message)}</p></main></body></html>`
  );
}
