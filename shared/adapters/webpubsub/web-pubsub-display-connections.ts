import type { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { DisplayConnections } from "../../app/ports/display-connections";
import { AppError } from "../../domain/errors";
import { asShards, type WebPubSubShards } from "./web-pubsub-shards";

/**
 * The `DisplayConnections` port on Azure Web PubSub (or the local service), over one or several
 * instances: a client URL points at the instance its groups live on.
 */
export class WebPubSubDisplayConnections implements DisplayConnections {
  private readonly shards: WebPubSubShards | undefined;

  constructor(shards: WebPubSubShards | WebPubSubServiceClient | undefined) {
    this.shards = asShards(shards);
  }

  async clientUrl(request: {
    readonly userId: string;
    readonly groups: readonly string[];
    readonly expiresInMinutes: number;
  }): Promise<string | undefined> {
    const shards = this.shards;
    if (shards === undefined) return undefined;
    // A connection lives on one instance, so all its groups must: a programming error otherwise.
    const client = shards.ofAll(request.groups).client;
    try {
      // No `roles`: the connection may neither send to nor join or leave any group itself.
      const token = await client.getClientAccessToken({
        userId: request.userId,
        groups: [...request.groups],
        expirationTimeInMinutes: request.expiresInMinutes,
      });
      return token.url;
    } catch (error) {
      throw new AppError("dependency-unavailable", "Live updates are unavailable right now.", {
        cause: error,
        retryable: true,
      });
    }
  }

  /** On every instance: the device may still hold a connection on one its group has left. */
  async closeUserConnections(userId: string, reason: string): Promise<void> {
    const shards = this.shards;
    if (shards === undefined) return;
    await Promise.all(shards.all.map((shard) => shard.client.closeUserConnections(userId, { reason })));
  }
}
