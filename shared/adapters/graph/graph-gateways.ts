import type { GraphTokenProvider } from "../../app/ports/graph-token-provider";
import type { M365Gateways } from "../../app/ports/m365-gateways";
import { GraphClient, type GraphClientOptions } from "./graph-client";
import { GraphDirectoryGateway } from "./graph-directory-gateway";
import { GraphPlacesGateway } from "./graph-places-gateway";
import { GraphRoomCalendarProbe } from "./graph-room-calendar-probe";
import { KeyedSemaphore } from "./limiter";

/**
 * How long a user's access token is reused before the provider is asked again (each ask reads the
 * user's stored cache). MSAL hands out a token only while it has more than five minutes left, so a
 * reused one is always still valid.
 */
const TOKEN_REUSE_MS = 30_000;

/**
 * `get`, asked at most once per `ms` (a failure is not kept); `fresh` asks `renew` and keeps its token
 * in place of the one Graph refused.
 */
function reusedFor(
  ms: number,
  get: () => Promise<string>,
  renew: () => Promise<string>,
): { token: () => Promise<string>; fresh: () => Promise<string> } {
  let kept: { value: Promise<string>; at: number } | undefined;
  const keep = (value: Promise<string>): Promise<string> => {
    kept = { value, at: Date.now() };
    value.catch(() => {
      if (kept?.value === value) kept = undefined;
    });
    return value;
  };
  return {
    token: () => (kept === undefined || Date.now() - kept.at >= ms ? keep(get()) : kept.value),
    fresh: () => keep(renew()),
  };
}

export type GraphClientTuning = Omit<GraphClientOptions, "baseUrl" | "token">;

/**
 * The Graph gateways for one Graph host: app-only calls (directory, places) and per-user calls
 * (delegated room checks), all through `GraphClient`. Every client shares one per-mailbox limiter
 * (`tuning.mailboxes`, else one of these gateways'), so "4 per mailbox" holds across users.
 */
export class GraphGateways implements M365Gateways {
  private appClient: GraphClient | undefined;
  private readonly userClients = new Map<string, GraphClient>();
  private readonly tuning: GraphClientTuning;

  constructor(
    private readonly graphBaseUrl: string,
    private readonly tokens: GraphTokenProvider,
    tuning: GraphClientTuning = {},
  ) {
    this.tuning = { ...tuning, mailboxes: tuning.mailboxes ?? new KeyedSemaphore(tuning.perMailbox ?? 4) };
  }

  app(): GraphClient {
    this.appClient ??= new GraphClient({
      ...this.tuning,
      baseUrl: this.graphBaseUrl,
      token: () => this.tokens.appToken(),
      freshToken: () => this.tokens.appToken({ fresh: true }),
    });
    return this.appClient;
  }

  user(userId: string): GraphClient {
    let client = this.userClients.get(userId);
    if (client === undefined) {
      const tokens = reusedFor(
        TOKEN_REUSE_MS,
        () => this.tokens.userToken(userId),
        () => this.tokens.userToken(userId, { fresh: true }),
      );
      client = new GraphClient({
        ...this.tuning,
        baseUrl: this.graphBaseUrl,
        token: tokens.token,
        freshToken: tokens.fresh,
      });
      // A handful of admins import rooms; keep the map small anyway.
      if (this.userClients.size > 50) this.userClients.clear();
      this.userClients.set(userId, client);
    }
    return client;
  }

  directory(): GraphDirectoryGateway {
    return new GraphDirectoryGateway(this.app());
  }

  places(): GraphPlacesGateway {
    return new GraphPlacesGateway(this.app());
  }

  roomCalendarProbe(): GraphRoomCalendarProbe {
    return new GraphRoomCalendarProbe((userId) => this.user(userId));
  }
}
