import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../../shared/domain/html";
import { headerText, oneLine } from "../../../shared/domain/mail/text";
import { safeUrl } from "../../../shared/domain/mail/layout";
import { renderMail, type MailTemplate } from "../../../shared/domain/mail/templates";
import { hostileExamples, hostileStrings, now } from "./fixtures";

const ctx = { appBaseUrl: "https://ones.contoso.com", productName: "ONES", now };

/** The markup skeleton of an HTML document: every tag name and attribute name, in order. */
function skeleton(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*\/?>/g)].map(
    (m) =>
      `${m[1] ?? ""}${[...(m[2] ?? "").matchAll(/([a-zA-Z-]+)=/g)].map((a) => ` ${a[1] ?? ""}`).join("")}`,
  );
}

describe("escaping: no template can be made to inject markup, headers or lines", () => {
  const benign = hostileExamples("Team sync");

  for (const hostile of hostileStrings) {
    describe(JSON.stringify(hostile), () => {
      const rendered = hostileExamples(hostile).map((t) => ({
        t,
        m: renderMail(t, { ...ctx, recipientName: hostile }),
      }));

      it.each(rendered.map((r, i) => [r.t.kind, i] as const))(
        "%s: the HTML has exactly the markup of a benign mail",
        (_kind, i) => {
          const hostileMail = rendered[i]!.m;
          const benignMail = renderMail(benign[i] as MailTemplate, { ...ctx, recipientName: "Team sync" });
          expect(skeleton(hostileMail.html)).toEqual(skeleton(benignMail.html));
          expect(hostileMail.html).not.toMatch(
            /<script|<img|<form|<input|<b>|<[^>]*\son(error|mouseover|click)=/i,
          );
        },
      );

      it.each(rendered.map((r, i) => [r.t.kind, i] as const))(
        "%s: the subject is one header line and the text has no injected line",
        (_kind, i) => {
          const m = rendered[i]!.m;
          // eslint-disable-next-line no-control-regex -- asserting their absence
          expect(m.subject).not.toMatch(/[\r\n\u0000-\u001f]/);
          expect(m.subject.length).toBeLessThanOrEqual(200);
          expect(m.text).not.toMatch(/\r/);
          expect(m.text.split("\n").some((line) => /^Bcc:/i.test(line))).toBe(false);
          expect(m.text.split("\n").some((line) => line.startsWith("<b>"))).toBe(false);
        },
      );
    });
  }

  it("escapes the five HTML specials and the backtick", () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;",
    );
  });

  it("flattens control characters and Unicode line separators to single spaces", () => {
    expect(oneLine("a\r\nb\tc\u0000d\u2028e\u0085f   g")).toBe("a b c d e f g");
  });

  it("keeps subjects to 200 characters without a CR or LF", () => {
    const long = headerText(`${"x".repeat(300)}\r\nBcc: a@b`);
    expect([...long]).toHaveLength(200);
    expect(long.endsWith("…")).toBe(true);
    expect(headerText("Budget\r\nBcc: attacker@evil.example")).toBe("Budget Bcc: attacker@evil.example");
  });

  it("lets links be http(s) only", () => {
    expect(safeUrl("javascript:alert(1)")).toBe("about:blank");
    expect(safeUrl("data:text/html,<script>")).toBe("about:blank");
    expect(safeUrl("https://ones.contoso.com/app?x=1")).toBe("https://ones.contoso.com/app?x=1");
  });

  it("puts ids into links encoded, so an id cannot leave its path segment", () => {
    const t = hostileExamples('x" onclick="alert(1)').find((x) => x.kind === "display-offline")!;
    const m = renderMail(t, ctx);
    expect(m.html).not.toContain('" onclick="');
    expect(m.text).toContain("display=x%22+onclick%3D%22alert%281%29");
  });
});
