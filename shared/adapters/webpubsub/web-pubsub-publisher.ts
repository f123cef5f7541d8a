import type { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { DependencyProbe } from "../../app/ports/dependency-probe";
import {
  floorGroup,
  roomGroup,
  type RealtimePublisher,
  type ScheduleSnapshot,
} from "../../app/ports/realtime-publisher";
import { AppError } from "../../domain/errors";
import { asShards, WebPubSubShards, type WebPubSubConnection } from "./web-pubsub-shards";

export type { WebPubSubConnection } from "./web-pubsub-shards";

/** The group the health probe asks about; nobody joins it, so the answer is "no" (HTTP 404), which is fine. */
const HEALTH_GROUP = "health";

/** Why a display's connection on an instance its group no longer lives on is closed. */
const MOVED = "The display's live updates moved to another Web PubSub instance.";

/**
 * The `RealtimePublisher` port on Azure Web PubSub (or the local service, which speaks the same REST
 * API), over one or several instances: each group's message goes to the instance its group lives on
 * (`WebPubSubShards`).
 *
 * When the instances change, a group may move. Its displays stay connected to the old instance until
 * told otherwise, so the first message to a group in this process's life also closes the group's
 * connections on every other instance: their clients reconnect through negotiate, which hands out the
 * group's new instance, and fetch the schedule they missed. On an unchanged layout this closes nothing.
 */
export class WebPubSubRealtimePublisher implements RealtimePublisher {
  private readonly shards: WebPubSubShards | undefined;
  /** Groups whose connections on other instances were closed already. */
  private readonly swept = new Set<string>();

  constructor(shards: WebPubSubShards | WebPubSubServiceClient | undefined) {
    this.shards = asShards(shards);
  }

  /**
   * One client per instance: by connection string (the local stack), else by endpoint with the
   * managed identity. None: not configured, and snapshots are dropped, since no display can connect
   * either.
   */
  static connect(connections: readonly WebPubSubConnection[]): WebPubSubRealtimePublisher {
    return new WebPubSubRealtimePublisher(WebPubSubShards.connect(connections));
  }

  async publishSchedule(
    snapshot: ScheduleSnapshot,
    where: { readonly floorId?: string | null } = {},
  ): Promise<void> {
    const shards = this.shards;
    if (shards === undefined) return;
    const groups = [roomGroup(snapshot.roomId)];
    if (where.floorId !== undefined && where.floorId !== null) groups.push(floorGroup(where.floorId));
    try {
      await Promise.all(
        groups.map(async (group) => {
          await Promise.all([shards.of(group).client.group(group).sendToAll(snapshot), this.sweep(group)]);
        }),
      );
    } catch (error) {
      throw new AppError("dependency-unavailable", "The room's schedule could not be sent to its displays.", {
        cause: error,
        retryable: true,
      });
    }
  }

  probe(): DependencyProbe {
    const shards = this.shards;
    return {
      name: "webPubSub",
      required: false,
      // An authenticated call to every instance: proves each answers and accepts our key or identity.
      check:
        shards === undefined
          ? undefined
          : async (signal) =>
              void (await Promise.all(
                shards.all.map((shard) => shard.client.groupExists(HEALTH_GROUP, { abortSignal: signal })),
              )),
    };
  }

  /** Closes the group's connections on the instances it does not live on (once; best effort). */
  private async sweep(group: string): Promise<void> {
    const shards = this.shards;
    if (shards === undefined || shards.all.length < 2 || this.swept.has(group)) return;
    const home = shards.of(group);
    try {
      await Promise.all(
        shards.all
          .filter((shard) => shard !== home)
          .map((shard) => shard.client.group(group).closeAllConnections({ reason: MOVED })),
      );
      this.swept.add(group);
    } catch {
      // Tried again with the group's next message; the message itself does not depend on it.
    }
  }
}
