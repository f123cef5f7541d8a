const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for HTML element content and quoted attribute values (mail, the local stack's pages). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => htmlEscapes[c] ?? c);
}
