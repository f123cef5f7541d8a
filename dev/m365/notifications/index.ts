import type { SimulatorModule } from "../modules";
import { registerSubscriptionRoutes } from "./routes";
import { registerNotificationControlRoutes } from "./control";
import { notificationHub } from "./hub";

export { notificationControl, NotificationControl } from "./control";
export type {
  NotificationSettings,
  NotificationFaults,
  DeliveryRecord,
  LifecycleEvent,
  SubscriptionRecord,
} from "./hub";

/** Change notifications: /subscriptions with the validation handshake, delivery, lifecycle events. */
export const notificationsModule: SimulatorModule = {
  name: "notifications",
  register(router) {
    registerSubscriptionRoutes(router);
    registerNotificationControlRoutes(router);
  },
  onSeed(sim) {
    // Creating the hub subscribes it to calendar changes; a reseed drops pending deliveries.
    notificationHub(sim).reset();
  },
};
