import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { DEMO_APPS } from "../../../dev/m365";
import { startLocalStack, type LocalStack } from "../../../dev/stack";
import { renderSignedInPage, renderTablesPage } from "../../../dev/start-page";
import { CookieJar, get, signIn, startAuthStack, type AuthStack } from "../auth/helpers";

/**
 * What a person finds from the start page of `npm start`: the Azurite link leads to a page they can
 * read (not Azurite's empty 400), and after signing in they land on a page saying who they are.
 */
describe("the start page's Azurite link", () => {
  let local: LocalStack;
  beforeAll(async () => {
    local = await startLocalStack({ port: 0, timers: false, logger: memoryLogger() });
  }, 60_000);
  afterAll(async () => {
    await local.stop();
  });

  it("leads to a page listing the app's tables with their rows", async () => {
    const start = await (await fetch(`${local.host.baseUrl}/`)).text();
    const href = /<a href="([^"]+)">Azurite Table service/.exec(start)?.[1];
    expect(href).toBe("/local/tables");
    const response = await fetch(`${local.host.baseUrl}${href}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const page = await response.text();
    expect(page).toContain("<h1>Tables in Azurite</h1>");
    // The demo integration and the system mail sender are stored at start.
    expect(/<code>\w*settings<\/code><\/td><td class="n">(\d+)<\/td>/.exec(page)?.[1]).toBe("2");
    expect(page).toContain("Azure Storage Explorer");
  });

  it("points the sign-in links at the signed-in page", async () => {
    const start = await (await fetch(`${local.host.baseUrl}/`)).text();
    const signIns = [...start.matchAll(/href="(\/api\/auth\/login[^"]*)"/g)].map((m) =>
      new URL(m[1]!.replace(/&amp;/g, "&"), local.host.baseUrl).searchParams.get("returnTo"),
    );
    expect(signIns.length).toBeGreaterThanOrEqual(2);
    expect(new Set(signIns)).toEqual(new Set(["/signed-in"]));
  });
});

describe("the signed-in page", () => {
  let stack: AuthStack;
  let pages: RunningHost;
  beforeAll(async () => {
    stack = await startAuthStack();
    stack.sim.control.addUser({
      userPrincipalName: "stella.start@contoso.example",
      displayName: "Stella Start",
      mail: "stella.start@contoso.example",
    });
    await stack.configure("application", DEMO_APPS.applicationPermission);
    // The pages as the local stack serves them, beside the app.
    pages = await startHost({
      functions: [],
      port: 0,
      env: {},
      logger: memoryLogger(),
      timers: false,
      pages: [
        { path: "/signed-in", render: ({ cookie }) => renderSignedInPage(stack.host.baseUrl, cookie) },
        {
          path: "/local/tables",
          render: () => renderTablesPage(inject("tablesConnectionString"), stack.prefix),
        },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await pages.stop();
    await stack.stop();
  });

  it("says who signed in and what to try next", async () => {
    const jar = new CookieJar();
    const callback = await signIn(stack, jar, "stella.start@contoso.example", "/signed-in");
    expect(callback.headers.get("location")).toBe(`${stack.host.baseUrl}/signed-in`);
    const response = await get(`${pages.baseUrl}/signed-in`, jar);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("<h1>Signed in as Stella Start</h1>");
    expect(page).toContain("<code>stella.start@contoso.example</code> · not a ONES admin");
    expect(page).toContain('href="/api/me"');
  });

  it("tells a visitor without a session to sign in", async () => {
    const page = await (await get(`${pages.baseUrl}/signed-in`)).text();
    expect(page).toContain("<h1>You are not signed in</h1>");
  });

  it("lists only this deployment's tables", async () => {
    const page = await (await get(`${pages.baseUrl}/local/tables`)).text();
    const names = [...page.matchAll(/<code>(\w+)<\/code><\/td>/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith(stack.prefix))).toBe(true);
    expect(names).toContain(`${stack.prefix}settings`);
  });
});
