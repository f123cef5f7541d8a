import { escapeHtml } from "../html";
import { headerText, oneLine } from "./text";

/**
 * What a template says, as plain values. The layout is the only place that writes markup: it escapes
 * every value it is given, so no template can inject HTML, whatever a subject or a name contains.
 */
export interface MailContent {
  readonly subject: string;
  /** The line mail clients show beside the subject in the inbox. */
  readonly preheader: string;
  readonly heading: string;
  readonly greeting?: string;
  readonly paragraphs: readonly string[];
  /** Label/value rows: room, time, organizer, reason. */
  readonly details: readonly { readonly label: string; readonly value: string }[];
  readonly action?: { readonly label: string; readonly url: string };
  /** A short line under the action, e.g. why the reader gets this mail. */
  readonly footnote?: string;
}

export interface RenderedMail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface LayoutOptions {
  readonly productName: string;
}

const colors = { text: "#1f2328", muted: "#59636e", accent: "#0f6cbd", border: "#d1d9e0", page: "#f3f4f6" };
const font = "font-family:Segoe UI,Helvetica,Arial,sans-serif;";

/** Renders content as an Outlook-safe, phone-friendly HTML mail (tables, inline styles) and plain text. */
export function renderLayout(content: MailContent, options: LayoutOptions): RenderedMail {
  const subject = headerText(content.subject);
  return { subject, html: html(content, subject, options), text: text(content, options) };
}

function html(c: MailContent, subject: string, o: LayoutOptions): string {
  const e = (v: string): string => escapeHtml(oneLine(v));
  const rows = c.details
    .map(
      (d) =>
        `<tr><td style="${font}padding:6px 12px 6px 0;color:${colors.muted};font-size:14px;vertical-align:top;white-space:nowrap;">${e(d.label)}</td>` +
        `<td style="${font}padding:6px 0;color:${colors.text};font-size:14px;vertical-align:top;">${e(d.value)}</td></tr>`,
    )
    .join("\n");
  const action =
    c.action === undefined
      ? ""
      : `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0 8px 0;"><tr>` +
        `<td bgcolor="${colors.accent}" style="border-radius:4px;">` +
        `<a href="${escapeHtml(safeUrl(c.action.url))}" target="_blank" style="${font}display:inline-block;padding:12px 20px;color:#ffffff;font-size:15px;font-weight:600;text-decoration:none;border-radius:4px;">${e(c.action.label)}</a>` +
        `</td></tr></table>` +
        `<p style="${font}margin:8px 0 0 0;color:${colors.muted};font-size:12px;word-break:break-all;">${e(safeUrl(c.action.url))}</p>`;
  const paragraphs = c.paragraphs
    .map(
      (p) =>
        `<p style="${font}margin:0 0 12px 0;color:${colors.text};font-size:15px;line-height:22px;">${e(p)}</p>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:${colors.page};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${e(c.preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${colors.page}">
<tr><td align="center" style="padding:16px 8px;">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="max-width:600px;border:1px solid ${colors.border};border-radius:6px;">
<tr><td style="${font}padding:16px 24px;border-bottom:1px solid ${colors.border};color:${colors.accent};font-size:16px;font-weight:700;">${e(o.productName)}</td></tr>
<tr><td style="padding:24px;">
<h1 style="${font}margin:0 0 16px 0;color:${colors.text};font-size:20px;line-height:28px;font-weight:600;">${e(c.heading)}</h1>
${c.greeting === undefined ? "" : `<p style="${font}margin:0 0 12px 0;color:${colors.text};font-size:15px;line-height:22px;">${e(c.greeting)}</p>`}
${paragraphs}
${rows === "" ? "" : `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 0 0;">\n${rows}\n</table>`}
${action}
</td></tr>
${c.footnote === undefined ? "" : `<tr><td style="${font}padding:12px 24px 20px 24px;border-top:1px solid ${colors.border};color:${colors.muted};font-size:12px;line-height:18px;">${e(c.footnote)}</td></tr>`}
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}

function text(c: MailContent, o: LayoutOptions): string {
  const lines: string[] = [oneLine(c.heading), ""];
  if (c.greeting !== undefined) lines.push(oneLine(c.greeting), "");
  for (const p of c.paragraphs) lines.push(oneLine(p), "");
  if (c.details.length > 0) {
    for (const d of c.details) lines.push(`${oneLine(d.label)}: ${oneLine(d.value)}`);
    lines.push("");
  }
  if (c.action !== undefined) lines.push(`${oneLine(c.action.label)}: ${safeUrl(c.action.url)}`, "");
  if (c.footnote !== undefined) lines.push("--", oneLine(c.footnote), "");
  lines.push(oneLine(o.productName));
  return `${lines.join("\n")}\n`;
}

/** Links only ever point at http(s); anything else (javascript:, data:) becomes about:blank. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.toString() : "about:blank";
  } catch {
    return "about:blank";
  }
}
