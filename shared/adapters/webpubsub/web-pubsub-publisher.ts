import { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { DependencyProbe } from "../../app/ports/dependency-probe";
import {
  floorGroup,
  roomGroup,
  type RealtimePublisher,
  type ScheduleSnapshot,
} from "../../app/ports/realtime-publisher";
import { AppError } from "../../domain/errors";
import { azureCredential } from "../identity/credential";

/** The group the health probe asks about; nobody joins it, so the answer is "no" (HTTP 404), which is fine. */
const HEALTH_GROUP = "health";

/** A Web PubSub hub: by connection string, or by endpoint with the managed identity. */
export type WebPubSubConnection =
  | { readonly connectionString: string; readonly hub: string }
  | { readonly endpoint: string; readonly managedIdentityClientId?: string; readonly hub: string };

/** The `RealtimePublisher` port on Azure Web PubSub (or the local service, which speaks the same REST API). */
export class WebPubSubRealtimePublisher implements RealtimePublisher {
  constructor(private readonly client: WebPubSubServiceClient | undefined) {}

  /**
   * By connection string (the local stack), else by endpoint with the managed identity. Neither: not
   * configured, and snapshots are dropped, since no display can connect either. An `http:` endpoint
   * (the local service) is allowed explicitly.
   */
  static connect(connection: WebPubSubConnection | undefined): WebPubSubRealtimePublisher {
    return new WebPubSubRealtimePublisher(webPubSubServiceClient(connection));
  }

  async publishSchedule(
    snapshot: ScheduleSnapshot,
    where: { readonly floorId?: string | null } = {},
  ): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    const groups = [roomGroup(snapshot.roomId)];
    if (where.floorId !== undefined && where.floorId !== null) groups.push(floorGroup(where.floorId));
    try {
      await Promise.all(groups.map((group) => client.group(group).sendToAll(snapshot)));
    } catch (error) {
      throw new AppError("dependency-unavailable", "The room's schedule could not be sent to its displays.", {
        cause: error,
        retryable: true,
      });
    }
  }

  probe(): DependencyProbe {
    const client = this.client;
    return {
      name: "webPubSub",
      required: false,
      // An authenticated call: proves the endpoint answers and accepts our key or identity.
      check:
        client === undefined
          ? undefined
          : async (signal) => void (await client.groupExists(HEALTH_GROUP, { abortSignal: signal })),
    };
  }
}

/**
 * The service client of a hub: by connection string, or by endpoint with the managed identity; none when
 * Web PubSub is not configured. An `http:` endpoint (the local service) is allowed explicitly.
 */
export function webPubSubServiceClient(
  connection: WebPubSubConnection | undefined,
): WebPubSubServiceClient | undefined {
  if (connection === undefined) return undefined;
  if ("connectionString" in connection) {
    const endpoint = /(?:^|;)\s*Endpoint=([^;]+)/i.exec(connection.connectionString)?.[1];
    return new WebPubSubServiceClient(connection.connectionString, connection.hub, insecureIfHttp(endpoint));
  }
  return new WebPubSubServiceClient(
    connection.endpoint,
    azureCredential(connection.managedIdentityClientId),
    connection.hub,
    insecureIfHttp(connection.endpoint),
  );
}

function insecureIfHttp(endpoint: string | undefined): { allowInsecureConnection?: boolean } {
  return endpoint?.trim().toLowerCase().startsWith("http:") === true ? { allowInsecureConnection: true } : {};
}
