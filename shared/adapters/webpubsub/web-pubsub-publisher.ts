import { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { DependencyProbe } from "../../app/ports/dependency-probe";
import {
  floorGroup,
  roomGroup,
  type RealtimePublisher,
  type ScheduleSnapshot,
} from "../../app/ports/realtime-publisher";
import type { Settings } from "../../config";
import { AppError } from "../../domain/errors";
import { azureCredential } from "../identity/credential";

/** The group the health probe asks about; nobody joins it, so the answer is "no" (HTTP 404), which is fine. */
const HEALTH_GROUP = "health";

/** The `RealtimePublisher` port on Azure Web PubSub (or the local service, which speaks the same REST API). */
export class WebPubSubRealtimePublisher implements RealtimePublisher {
  constructor(private readonly client: WebPubSubServiceClient | undefined) {}

  /**
   * By connection string (the local stack), else by `WEBPUBSUB_ENDPOINT` with the managed identity
   * (`AZURE_CLIENT_ID`). Neither set: not configured, and snapshots are dropped, since no display can
   * connect either. An `http:` endpoint (the local service) is allowed explicitly.
   */
  static fromSettings(settings: Settings): WebPubSubRealtimePublisher {
    return new WebPubSubRealtimePublisher(webPubSubClientFromSettings(settings));
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
 * The service client by connection string (the local stack), else by `WEBPUBSUB_ENDPOINT` with the
 * managed identity (`AZURE_CLIENT_ID`). Neither set: undefined (not configured). An `http:` endpoint
 * (the local service) is allowed explicitly.
 */
export function webPubSubClientFromSettings(settings: Settings): WebPubSubServiceClient | undefined {
  const hub = settings.WEBPUBSUB_HUB;
  if (settings.WEBPUBSUB_CONNECTION_STRING !== undefined) {
    const endpoint = /(?:^|;)\s*Endpoint=([^;]+)/i.exec(settings.WEBPUBSUB_CONNECTION_STRING)?.[1];
    return new WebPubSubServiceClient(settings.WEBPUBSUB_CONNECTION_STRING, hub, insecureIfHttp(endpoint));
  }
  if (settings.WEBPUBSUB_ENDPOINT !== undefined) {
    return new WebPubSubServiceClient(
      settings.WEBPUBSUB_ENDPOINT,
      azureCredential(settings.AZURE_CLIENT_ID),
      hub,
      insecureIfHttp(settings.WEBPUBSUB_ENDPOINT),
    );
  }
  return undefined;
}

function insecureIfHttp(endpoint: string | undefined): { allowInsecureConnection?: boolean } {
  return endpoint?.trim().toLowerCase().startsWith("http:") === true ? { allowInsecureConnection: true } : {};
}
