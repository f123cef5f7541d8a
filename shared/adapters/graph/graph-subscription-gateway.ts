import { GraphError } from "@microsoft/microsoft-graph-client";
import type { SubscriptionGateway, SubscriptionRequest } from "../../app/ports/room-calendars";
import { maxMinutesFromGraphMessage, roomEventsResource } from "../../domain/calendar/room-subscription";
import { isGraphCallError } from "../../domain/integration/graph-call-error";
import type { GraphClient } from "./graph-client";

interface GraphSubscription {
  readonly id: string;
  readonly expirationDateTime: string;
}

/**
 * Room-calendar subscriptions over `/subscriptions` with the app's token. Every call names the room's
 * mailbox, so it waits for that mailbox's slot in the worker's limiter. When Graph refuses an expiry
 * as too long ("can only be N minutes in the future"), the call is repeated once with N minutes less a
 * margin, and that maximum is kept for this worker's later calls.
 */
export class GraphSubscriptionGateway implements SubscriptionGateway {
  private maxMinutes: number | undefined;

  constructor(
    private readonly client: GraphClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(request: SubscriptionRequest): Promise<{ id: string; expiresAt: string }> {
    const send = (expiresAt: Date) =>
      this.client.post<GraphSubscription>(
        "/subscriptions",
        {
          changeType: "created,updated,deleted",
          resource: roomEventsResource(request.roomEmail),
          notificationUrl: request.notificationUrl,
          lifecycleNotificationUrl: request.lifecycleNotificationUrl,
          clientState: request.clientState,
          expirationDateTime: expiresAt.toISOString(),
          latestSupportedTlsVersion: "v1_2",
        },
        { mailbox: request.roomEmail },
      );
    const created = await this.withinMaximum(request.expiresAt, send);
    return { id: created.id, expiresAt: created.expirationDateTime };
  }

  async renew(id: string, roomEmail: string, expiresAt: Date): Promise<{ expiresAt: string }> {
    const renewed = await this.withinMaximum(expiresAt, (at) =>
      this.client.patch<GraphSubscription>(
        `/subscriptions/${encodeURIComponent(id)}`,
        { expirationDateTime: at.toISOString() },
        { mailbox: roomEmail },
      ),
    );
    return { expiresAt: renewed.expirationDateTime };
  }

  async reauthorize(id: string, roomEmail: string): Promise<void> {
    await this.client.post<unknown>(
      `/subscriptions/${encodeURIComponent(id)}/reauthorize`,
      {},
      { mailbox: roomEmail },
    );
  }

  async remove(id: string, roomEmail: string): Promise<void> {
    try {
      await this.client.delete(`/subscriptions/${encodeURIComponent(id)}`, { mailbox: roomEmail });
    } catch (error) {
      if (isGraphCallError(error) && error.status === 404) return;
      throw error;
    }
  }

  private async withinMaximum<T>(expiresAt: Date, send: (at: Date) => Promise<T>): Promise<T> {
    const capped = this.cap(expiresAt);
    try {
      return await send(capped);
    } catch (error) {
      const max = tooLongMaximum(error);
      if (max === undefined) throw error;
      this.maxMinutes = max;
      return send(this.cap(expiresAt));
    }
  }

  /** The expiry within the maximum Graph told this worker, a minute short of it. */
  private cap(expiresAt: Date): Date {
    if (this.maxMinutes === undefined) return expiresAt;
    const latest = this.now().getTime() + (this.maxMinutes - 1) * 60_000;
    return new Date(Math.min(expiresAt.getTime(), Math.floor(latest / 1000) * 1000));
  }
}

/** N from Graph's 400 "Subscription expiration can only be N minutes in the future". */
function tooLongMaximum(error: unknown): number | undefined {
  if (!isGraphCallError(error) || error.status !== 400) return undefined;
  const cause = error.cause;
  return cause instanceof GraphError ? maxMinutesFromGraphMessage(cause.message) : undefined;
}
