import { processBookingCommand } from "../shared/composition/bookings";
import { bookingCommandSchema } from "../shared/domain/bookings/commands";
import { serviceBusFunction } from "./lib/definition";
import { handleQueue } from "./lib/queue";

/** The consumer of `booking-commands`: writes bookings to Microsoft 365 and reads the rooms' answers. */
export const bookingCommands = serviceBusFunction({
  name: "booking-commands",
  queueName: "booking-commands",
  handler: handleQueue("booking-commands", bookingCommandSchema, async (command, work, context) => {
    const outcome = await processBookingCommand(command, (m) => context.log(m));
    context.log(`booking-commands ${work.messageId}: ${outcome}`);
  }),
});
