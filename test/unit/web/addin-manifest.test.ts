import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { OfficeAddinManifest, validateManifest } from "office-addin-manifest";
import { afterAll, describe, expect, it } from "vitest";
import type { IntegrationSettings, IntegrationStore } from "../../../shared/app/ports/integration-store";
import type { WebFiles } from "../../../shared/app/ports/web-files";
import {
  addinContentSecurityPolicy,
  addinIdFor,
  serveAddinIcon,
  serveAddinManifest,
  serveAddinPage,
} from "../../../shared/app/web/serve-addin";
import { customPropertiesExtendedPropertyId, holdIdOf } from "../../../shared/domain/addin/hold-tag";
import { AppError } from "../../../shared/domain/errors";

/**
 * The add-in's manifest through Microsoft's `office-addin-manifest` package, its icons and the pane's
 * page. The package's full validation of an XML manifest posts it to Microsoft's validation service,
 * which this machine cannot reach: offline the test reads the manifest with the package's own parser
 * (what Office tooling reads from it) and checks it is well-formed; set ONES_MANIFEST_VALIDATION=online
 * to run the service's validation as well.
 */
const dir = mkdtempSync(join(tmpdir(), "ones-addin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (body: Uint8Array) => new TextDecoder().decode(body);
const base = "https://rooms.contoso.example";

function manifestFile(baseUrl = base): string {
  const path = join(dir, `manifest-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(path, serveAddinManifest(baseUrl).body);
  return path;
}

describe("the add-in manifest", () => {
  it("reads in office-addin-manifest as a mail add-in of this deployment", async () => {
    const info = await OfficeAddinManifest.readManifestFile(manifestFile(`${base}/`));
    expect(info).toMatchObject({
      id: addinIdFor(base),
      version: "1.0.0.0",
      providerName: "ONES",
      defaultLocale: "en-US",
      displayName: "ONES rooms",
      hosts: ["Mailbox"],
      officeAppType: "MailApp",
      permissions: "ReadWriteItem",
      iconUrl: `${base}/addin/icon-64.png`,
      highResolutionIconUrl: `${base}/addin/icon-128.png`,
      supportUrl: `${base}/app`,
      manifestType: "xml",
    });
  });

  it("is well-formed, opens the pane from the appointment organizer form, in four languages", () => {
    const xml = text(serveAddinManifest(base).body);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as {
      OfficeApp: Record<string, unknown>;
    };
    const app = doc.OfficeApp;
    // The order the add-in-only schema requires.
    expect(Object.keys(app).filter((k) => !k.startsWith("xmlns") && k !== "xsi:type")).toEqual([
      "Id",
      "Version",
      "ProviderName",
      "DefaultLocale",
      "DisplayName",
      "Description",
      "IconUrl",
      "HighResolutionIconUrl",
      "SupportUrl",
      "Hosts",
      "Requirements",
      "FormSettings",
      "Permissions",
      "Rule",
      "DisableEntityHighlighting",
      "VersionOverrides",
    ]);
    expect(xml).toContain('<ExtensionPoint xsi:type="AppointmentOrganizerCommandSurface">');
    expect(xml).toContain('<Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Edit"/>');
    expect(xml).toContain(`<bt:Url id="paneUrl" DefaultValue="${base}/addin/pane"/>`);
    expect(xml).toContain('<Override Locale="ja-JP" Value="ONES 会議室"/>');
    expect(xml).toContain('<bt:Override Locale="zh-TW" Value="預約 ONES 會議室"/>');
    expect(xml).toContain('<bt:Override Locale="zh-CN" Value="预订 ONES 会议室"/>');
    // Every URL is the deployment's own.
    const urls = [...xml.matchAll(/DefaultValue="(https?:[^"]+)"/g)].map((m) => m[1] ?? "");
    expect(urls.length).toBe(8);
    expect(urls.filter((u) => !u.startsWith(`${base}/`))).toEqual([]);
  });

  it("keeps one id per deployment origin", () => {
    expect(addinIdFor(base)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(addinIdFor(`${base}/`)).toBe(addinIdFor(base));
    expect(addinIdFor("https://rooms.fabrikam.example")).not.toBe(addinIdFor(base));
  });

  it.runIf(process.env.ONES_MANIFEST_VALIDATION === "online")(
    "passes Microsoft's validation service",
    { timeout: 60_000 },
    async () => {
      const result = await validateManifest(manifestFile());
      expect(result.report?.errors ?? []).toEqual([]);
      expect(result.isValid).toBe(true);
    },
  );
});

describe("the hold tag as Exchange stores it", () => {
  it("is read from the add-in's custom-properties extended property", () => {
    expect(customPropertiesExtendedPropertyId("{8C1E2B9A-0F3D-5A6B-9C7D-1E2F3A4B5C6D}")).toBe(
      "String {00020329-0000-0000-C000-000000000046} Name cecp-8c1e2b9a-0f3d-5a6b-9c7d-1e2f3a4b5c6d",
    );
    expect(customPropertiesExtendedPropertyId("urn:uuid:ABC")).toBe(
      "String {00020329-0000-0000-C000-000000000046} Name cecp-abc",
    );
    expect(holdIdOf('{"onesHoldId":"hold-7","other":"x"}')).toBe("hold-7");
    expect(holdIdOf('{"onesHoldId":""}')).toBeUndefined();
    expect(holdIdOf('{"onesHoldId":7}')).toBeUndefined();
    expect(holdIdOf("not json")).toBeUndefined();
    expect(holdIdOf(undefined)).toBeUndefined();
  });
});

describe("the add-in's icons", () => {
  it.each([16, 32, 64, 80, 128])("draws a %i px PNG", (size) => {
    const r = serveAddinIcon(`icon-${size}.png`);
    expect(r.headers["content-type"]).toBe("image/png");
    const png = Buffer.from(r.body);
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    const idat = png.indexOf("IDAT");
    const pixels = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    expect(pixels.length).toBe(size * (1 + size * 4));
  });

  it("has no other sizes", () => {
    expect(() => serveAddinIcon("icon-48.png")).toThrow(AppError);
    expect(() => serveAddinIcon("icon-16.png.map")).toThrow(AppError);
  });
});

describe("the task pane's page", () => {
  const files = (html: string | undefined): WebFiles => ({
    read: (path) =>
      Promise.resolve(
        path === "addin/index.html" && html !== undefined ? new TextEncoder().encode(html) : undefined,
      ),
  });
  const store = (settings: IntegrationSettings | undefined): IntegrationStore =>
    ({ get: () => Promise.resolve(settings) }) as unknown as IntegrationStore;
  const page =
    '<meta name="csp-nonce" nonce="__ONES_CSP_NONCE__"><meta name="ones-entra" data-client-id="__ONES_CLIENT_ID__" data-authority="__ONES_AUTHORITY__">';

  it("carries the registration and a policy admitting Office.js, Entra and framing by Outlook", async () => {
    const settings = {
      name: "x",
      cloud: "global",
      tenantId: "tid-1",
      clientId: 'cid"1',
      mode: "application",
      updatedAt: new Date(0),
    } satisfies IntegrationSettings;
    const r = await serveAddinPage({
      files: files(page),
      nonce: () => "n0nce",
      integration: store(settings),
      cloudOverrides: {},
    });
    expect(text(r.body)).toBe(
      '<meta name="csp-nonce" nonce="n0nce"><meta name="ones-entra" data-client-id="cid&quot;1" data-authority="https://login.microsoftonline.com/tid-1">',
    );
    expect(r.headers["content-security-policy"]).toBe(
      addinContentSecurityPolicy("n0nce", "https://login.microsoftonline.com"),
    );
    expect(r.headers["content-security-policy"]).toContain(
      "script-src 'self' https://appsforoffice.microsoft.com;",
    );
    expect(r.headers["content-security-policy"]).toContain(
      "frame-ancestors 'self' https://outlook.office.com ",
    );
    expect(r.headers["x-frame-options"]).toBeUndefined();
    expect(r.headers["cache-control"]).toBe("no-store");
  });

  it("leaves the registration empty until the integration is set up, and says when not built", async () => {
    const r = await serveAddinPage({
      files: files(page),
      nonce: () => "n",
      integration: store(undefined),
      cloudOverrides: {},
    });
    expect(text(r.body)).toContain('data-client-id="" data-authority=""');
    expect(r.headers["content-security-policy"]).toContain("connect-src 'self';");
    await expect(
      serveAddinPage({
        files: files(undefined),
        nonce: () => "n",
        integration: store(undefined),
        cloudOverrides: {},
      }),
    ).rejects.toMatchObject({ code: "dependency-unavailable" });
  });
});
