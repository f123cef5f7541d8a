import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { AesGcmSecretBox, SecretBoxCookieSealer } from "../../../shared/adapters/crypto/aes-gcm-secret-box";
import { sealPendingSignIn } from "../../../shared/app/auth/start-sign-in";
import { authorize, CookieJar, get, startAuthStack, startLogin, type AuthStack } from "./helpers";

/**
 * Starting a sign-in is anonymous, so it must cost the server nothing: the pending sign-in travels
 * sealed in the browser's cookie, and the only row is written when a callback has succeeded (which
 * makes the callback single use). Entra's reasons for refusing a sign-in reach the person.
 */
let stack: AuthStack;
let signIns: TableClient;

beforeAll(async () => {
  stack = await startAuthStack();
  for (const [upn, name] of [
    ["sam.stateless@contoso.example", "Sam Stateless"],
    ["dora.disabled@contoso.example", "Dora Disabled"],
  ] as const) {
    stack.sim.control.addUser({ userPrincipalName: upn, displayName: name, mail: upn });
  }
  await stack.configure("application", DEMO_APPS.applicationPermission);
  signIns = TableClient.fromConnectionString(
    inject("tablesConnectionString"),
    `${stack.prefix}signInRequests`,
    { allowInsecureConnection: true },
  );
  await signIns.createTable();
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

async function rows(): Promise<number> {
  let count = 0;
  for await (const _ of signIns.listEntities()) count++;
  return count;
}

describe("the pending sign-in lives in the browser", () => {
  it("writes nothing for anonymous sign-in starts, and one row per completed sign-in", async () => {
    const before = await rows();
    const returnTo = `/somewhere/${"x".repeat(1500)}`;
    const jars = Array.from({ length: 20 }, () => new CookieJar());
    for (const jar of jars) await startLogin(stack, jar, returnTo);
    expect(await rows()).toBe(before);

    // The cookie is sealed: neither the return address nor the state can be read from it.
    const jar = jars[0]!;
    const cookie = jar.cookies.get("ones_signin") ?? "";
    expect(cookie.length).toBeLessThan(4000);
    expect(cookie).not.toContain("somewhere");

    const callback = await authorize(
      stack,
      await startLogin(stack, jar, returnTo),
      "sam.stateless@contoso.example",
    );
    expect(cookie).not.toContain(new URL(callback).searchParams.get("state"));
    const done = await get(callback, jar);
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe(`${stack.host.baseUrl}${returnTo}`);
    expect(await rows()).toBe(before + 1);
  });

  it("refuses a tampered sign-in cookie and writes nothing", async () => {
    const jar = new CookieJar();
    const callback = await authorize(stack, await startLogin(stack, jar), "sam.stateless@contoso.example");
    const sealed = jar.cookies.get("ones_signin") ?? "";
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith("AA") ? "BB" : "AA"}`;
    const before = await rows();
    const response = await get(callback, undefined, { cookie: `ones_signin=${flipped}` });
    expect(response.status).toBe(401);
    expect(await rows()).toBe(before);
  });

  it("refuses a sign-in cookie past its lifetime", async () => {
    const jar = new CookieJar();
    const callback = await authorize(stack, await startLogin(stack, jar), "sam.stateless@contoso.example");
    const sealer = new SecretBoxCookieSealer(
      new AesGcmSecretBox(process.env.TOKEN_ENCRYPTION_KEY ?? ""),
      "sign-in",
    );
    const late = sealPendingSignIn(sealer, {
      state: new URL(callback).searchParams.get("state") ?? "",
      nonce: "n",
      codeVerifier: "v",
      returnTo: "/",
      expiresAt: new Date(Date.now() - 1000),
    });
    const response = await get(callback, undefined, { cookie: `ones_signin=${late}` });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { detail: string }).detail).toBe(
      "The sign-in took too long. Start again.",
    );
  });
});

describe("Entra's reason for refusing a sign-in", () => {
  it("tells a person whose account is disabled why they were not signed in", async () => {
    stack.sim.control.updateUser("dora.disabled@contoso.example", { accountEnabled: false });
    const jar = new CookieJar();
    const callback = await authorize(stack, await startLogin(stack, jar), "dora.disabled@contoso.example");
    expect(new URL(callback).searchParams.get("error_description")).toMatch(/^AADSTS50057:/);
    const response = await get(callback, jar);
    expect(response.status).toBe(401);
    const problem = (await response.json()) as { detail: string; entraError: string };
    expect(problem.detail).toBe(
      "Your Microsoft 365 account is disabled, so Microsoft Entra ID did not sign you in. Ask your administrator.",
    );
    expect(problem.entraError).toBe("AADSTS50057");
  });

  it("never shows the description text itself, which anyone can put in the URL", async () => {
    const response = await get(
      `${stack.host.baseUrl}/api/auth/callback?error=access_denied&error_description=${encodeURIComponent("AADSTS99999: Call +1 555 0100 to unlock your account")}`,
    );
    expect(response.status).toBe(401);
    const problem = (await response.json()) as { detail: string };
    expect(problem.detail).toBe(
      "Microsoft Entra ID did not sign you in (AADSTS99999). Try again, or ask your administrator.",
    );
  });
});
