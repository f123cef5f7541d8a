import type { GraphProbes } from "../../app/ports/registration-access";
import type { ProbeOutcome } from "../../domain/integration/permission-report";
import { isGraphCallError } from "../../domain/integration/graph-call-error";
import { GraphClient } from "./graph-client";

interface Collection<T> {
  value?: T[];
}

/**
 * The integration test's probe calls, through `GraphClient` with one fixed token: each reads as little as
 * Graph allows (`$top=1`, `$select`) and answers granted / refused instead of throwing. A test must be
 * quick, so throttling is retried briefly only.
 */
export class GraphRegistrationProbes implements GraphProbes {
  private readonly client: GraphClient;

  constructor(
    graphBaseUrl: string,
    token: string,
    readonly permissions: readonly string[],
  ) {
    this.client = new GraphClient({
      baseUrl: graphBaseUrl,
      token: () => Promise.resolve(token),
      maxAttempts: 2,
      maxRetryAfterSeconds: 2,
    });
  }

  users(): Promise<ProbeOutcome> {
    return this.read("/users?$top=1&$select=id");
  }

  groups(): Promise<ProbeOutcome> {
    return this.read("/groups?$top=1&$select=id");
  }

  async rooms(): Promise<ProbeOutcome & { readonly firstRoom?: string }> {
    try {
      const page = await this.client.get<Collection<{ emailAddress?: string }>>(
        "/places/microsoft.graph.room?$top=1",
      );
      const first = page.value?.[0]?.emailAddress;
      return typeof first === "string" && first !== "" ? { ok: true, firstRoom: first } : { ok: true };
    } catch (error) {
      return failure(error);
    }
  }

  calendar(mailbox: string): Promise<ProbeOutcome> {
    const start = new Date();
    const end = new Date(start.getTime() + 60_000);
    const query = `startDateTime=${start.toISOString()}&endDateTime=${end.toISOString()}&$top=1&$select=id`;
    return this.read(`/users/${encodeURIComponent(mailbox)}/calendarView?${query}`, mailbox);
  }

  async verifiedDomains(): Promise<
    { readonly ok: true; readonly domains: readonly string[] } | Exclude<ProbeOutcome, { ok: true }>
  > {
    try {
      const page = await this.client.get<Collection<{ verifiedDomains?: { name?: string }[] }>>(
        "/organization?$select=id,verifiedDomains",
      );
      const domains = (page.value ?? [])
        .flatMap((o) => o.verifiedDomains ?? [])
        .map((d) => d.name)
        .filter((n): n is string => typeof n === "string" && n !== "")
        .map((n) => n.toLowerCase());
      return { ok: true, domains };
    } catch (error) {
      return failure(error);
    }
  }

  private async read(path: string, mailbox?: string): Promise<ProbeOutcome> {
    try {
      await this.client.get<unknown>(path, mailbox === undefined ? {} : { mailbox });
      return { ok: true };
    } catch (error) {
      return failure(error);
    }
  }
}

function failure(error: unknown): Exclude<ProbeOutcome, { ok: true }> {
  if (!isGraphCallError(error)) return { ok: false, reason: "unavailable" };
  const requestId = error.graphRequestId === undefined ? {} : { graphRequestId: error.graphRequestId };
  const status = error.status === 0 ? {} : { status: error.status };
  const reason =
    error.status === 403
      ? "denied"
      : error.status === 404
        ? "not-found"
        : error.status === 401
          ? "unauthorized"
          : "unavailable";
  return { ok: false, reason, ...status, ...requestId };
}
