import { handleCalendarChange } from "../shared/composition/calendar";
import { calendarChangeMessageSchema } from "../shared/domain/calendar/calendar-change";
import { serviceBusFunction, type ServiceBusFunctionDefinition } from "./lib/definition";
import { handleQueue, type QueueDependencies, type RetryPolicy } from "./lib/queue";

export interface CalendarChangesOptions {
  readonly handle?: typeof handleCalendarChange;
  readonly queue?: () => QueueDependencies;
  readonly policy?: RetryPolicy;
}

/**
 * The consumer of `calendar-changes`: reads the room's calendar from Graph (changes since its delta
 * link, or in full) and hands it on; lifecycle answers renew or recreate the room's subscription.
 * Idempotent per message: a copy reads a calendar that is already current.
 */
export function calendarChangesHandler(
  options: CalendarChangesOptions = {},
): ServiceBusFunctionDefinition["handler"] {
  const handle = options.handle ?? handleCalendarChange;
  return handleQueue(
    "calendar-changes",
    calendarChangeMessageSchema,
    async (message, work, context) => {
      const result = await handle(message, (m) => context.log(m));
      context.log(
        `calendar-changes ${work.messageId}: ${message.kind} room ${message.roomId} ${result.outcome}`,
      );
    },
    {
      ...(options.queue === undefined ? {} : { dependencies: options.queue }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
    },
  );
}

export const calendarChanges = serviceBusFunction({
  name: "calendar-changes",
  queueName: "calendar-changes",
  handler: calendarChangesHandler(),
});
