import type { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { DisplayConnections } from "../../app/ports/display-connections";
import { AppError } from "../../domain/errors";

/** The `DisplayConnections` port on Azure Web PubSub (or the local service). */
export class WebPubSubDisplayConnections implements DisplayConnections {
  constructor(private readonly client: WebPubSubServiceClient | undefined) {}

  async clientUrl(request: {
    readonly userId: string;
    readonly groups: readonly string[];
    readonly expiresInMinutes: number;
  }): Promise<string | undefined> {
    const client = this.client;
    if (client === undefined) return undefined;
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

  async closeUserConnections(userId: string, reason: string): Promise<void> {
    if (this.client === undefined) return;
    await this.client.closeUserConnections(userId, { reason });
  }
}
