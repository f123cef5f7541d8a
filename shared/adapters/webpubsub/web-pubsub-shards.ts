import { createHash } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { azureCredential } from "../identity/credential";

/** A Web PubSub hub: by connection string, or by endpoint with the managed identity. */
export type WebPubSubConnection =
  | { readonly connectionString: string; readonly hub: string }
  | { readonly endpoint: string; readonly managedIdentityClientId?: string; readonly hub: string };

/** One Web PubSub instance the displays are spread over. */
export interface WebPubSubShard {
  /** The instance's host (and port), which names it in the placement hash: never a key or token. */
  readonly key: string;
  readonly client: WebPubSubServiceClient;
}

/**
 * The Web PubSub instances (shards) of a deployment. A group — a room's or a floor's — lives on one
 * shard, chosen by rendezvous hashing of the group's name over the shards' host names: the order of
 * the list does not matter, and adding or removing an instance moves only the groups whose best
 * shard it is or was (about 1/N of them).
 */
export class WebPubSubShards {
  readonly all: readonly WebPubSubShard[];

  constructor(shards: readonly WebPubSubShard[]) {
    if (shards.length === 0) throw new Error("Web PubSub needs at least one instance");
    const keys = shards.map((s) => s.key);
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    if (twice !== undefined) throw new Error(`Web PubSub instance ${twice} is listed twice`);
    this.all = shards;
  }

  /** Clients for the connections; none when Web PubSub is not configured (an empty list). */
  static connect(connections: readonly WebPubSubConnection[]): WebPubSubShards | undefined {
    if (connections.length === 0) return undefined;
    return new WebPubSubShards(
      connections.map((connection) => ({ key: shardKey(connection), client: serviceClient(connection) })),
    );
  }

  /** The shard a group lives on. */
  of(group: string): WebPubSubShard {
    return this.all[
      shardIndex(
        group,
        this.all.map((s) => s.key),
      )
    ]!;
  }

  /** The one shard all of `groups` live on; an error when they would be split over several. */
  ofAll(groups: readonly string[]): WebPubSubShard {
    const shards = new Set(groups.map((g) => this.of(g)));
    const [shard, ...others] = shards;
    if (shard === undefined) return this.all[0]!;
    if (others.length > 0) throw new Error("A connection's groups live on different Web PubSub instances.");
    return shard;
  }
}

/**
 * Rendezvous (highest random weight) hashing: each shard scores the group with the first 64 bits of
 * SHA-256 over `key NUL group`; the highest score wins, ties going to the smaller key. Stable across
 * processes and releases, since it depends on nothing but the names.
 */
export function shardIndex(group: string, keys: readonly string[]): number {
  let best = -1;
  let bestScore = -1n;
  keys.forEach((key, i) => {
    const score = createHash("sha256").update(`${key}\u0000${group}`, "utf8").digest().readBigUInt64BE(0);
    if (score > bestScore || (score === bestScore && key < keys[best]!)) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

/** The endpoint of a connection string (`Endpoint=…`), or of an endpoint connection. */
export function endpointOf(connection: WebPubSubConnection): string | undefined {
  if ("endpoint" in connection) return connection.endpoint;
  return /(?:^|;)\s*Endpoint=([^;]+)/i.exec(connection.connectionString)?.[1]?.trim();
}

function shardKey(connection: WebPubSubConnection): string {
  const endpoint = endpointOf(connection);
  try {
    return new URL(endpoint ?? "").host.toLowerCase();
  } catch {
    throw new Error("A Web PubSub connection string has no valid Endpoint");
  }
}

/** The service client of a hub. An `http:` endpoint (the local service) is allowed explicitly. */
function serviceClient(connection: WebPubSubConnection): WebPubSubServiceClient {
  const insecure =
    endpointOf(connection)?.toLowerCase().startsWith("http:") === true
      ? { allowInsecureConnection: true }
      : {};
  if ("connectionString" in connection)
    return new WebPubSubServiceClient(connection.connectionString, connection.hub, insecure);
  return new WebPubSubServiceClient(
    connection.endpoint,
    azureCredential(connection.managedIdentityClientId),
    connection.hub,
    insecure,
  );
}

/** Shards as given, one instance's client as a single shard, or none. */
export function asShards(
  shards: WebPubSubShards | WebPubSubServiceClient | undefined,
): WebPubSubShards | undefined {
  if (shards === undefined || shards instanceof WebPubSubShards) return shards;
  return new WebPubSubShards([{ key: new URL(shards.endpoint).host.toLowerCase(), client: shards }]);
}
