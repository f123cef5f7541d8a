import type { RouteModule } from "./http/router";
import type { SeedHook } from "./control/simulator-control";
import { entraRoutes } from "./entra/routes";
import { directoryRoutes } from "./directory/routes";
import { mailboxSettingsRoutes } from "./directory/mailbox-settings";
import { organizationRoutes } from "./directory/organization";
import { placesRoutes } from "./places/routes";
import { calendarModule } from "./calendar";
import { notificationsModule } from "./notifications";

/**
 * A simulator area: registers its routes and, optionally, loads its part of a tenant seed.
 * To add an area (e.g. calendar/), export one of these from its folder and list it below.
 */
export interface SimulatorModule extends RouteModule {
  onSeed?: SeedHook;
}

export const SIMULATOR_MODULES: SimulatorModule[] = [
  entraRoutes,
  directoryRoutes,
  mailboxSettingsRoutes,
  organizationRoutes,
  placesRoutes,
  calendarModule,
  notificationsModule,
];
