import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import { TableDisplayStore, TablePairingCodeStore } from "../adapters/tables/table-displays";
import { TableRoomStore } from "../adapters/tables/table-rooms";
import { FolderDisplayPageFiles } from "../adapters/web/display-page-files";
import { WebPubSubDisplayConnections } from "../adapters/webpubsub/web-pubsub-display-connections";
import { displayPageFile as pageFile, liveOriginOf } from "../app/displays/display-page";
import * as displays from "../app/displays/displays";
import type { DisplayDependencies, DisplayHealthDependencies } from "../app/displays/displays";
import { PAIRING_ALPHABET, PAIRING_CODE_LENGTH } from "../domain/displays/display";
import { webPubSubEndpointsFromSettings, webPubSubShardsFromSettings } from "./adapters";
import { autoRelease as autoReleaseUseCase, type AutoReleaseResult } from "../app/displays/auto-release";
import {
  deviceAction as deviceActionUseCase,
  type DeviceActionInput,
  type DeviceActionResult,
} from "../app/displays/device-actions";
import { bookingDependencies, roomScheduleSnapshot } from "./bookings";
import { getServices, type Services } from "./services";

/**
 * The display use cases, ready to call: each builds (once per worker) its dependencies from the
 * lazily created services. Handlers import only these functions.
 * Schedule snapshots are the booking engine's (the same version it publishes on every change).
 */

const wiring = new WeakMap<Services, DisplayDependencies>();

function wiringOf(services: Services): DisplayDependencies {
  let deps = wiring.get(services);
  if (deps === undefined) {
    deps = {
      displays: new TableDisplayStore(services.tables),
      pairing: new TablePairingCodeStore(services.tables),
      rooms: new TableRoomStore(services.tables),
      connections: new WebPubSubDisplayConnections(webPubSubShardsFromSettings(services.settings)),
      snapshots: { current: roomScheduleSnapshot },
      now: services.now,
      newId: () => randomUUID(),
      newSecret: () => randomBytes(32).toString("base64url"),
      newPairingCode: () =>
        Array.from(
          { length: PAIRING_CODE_LENGTH },
          () => PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)],
        ).join(""),
      hash: (value) => createHash("sha256").update(value, "utf8").digest("hex"),
      silentAfterMs: services.settings.DISPLAY_SILENT_MINUTES * 60_000,
    };
    wiring.set(services, deps);
  }
  return deps;
}

const deps = (): DisplayDependencies => wiringOf(getServices());

function healthDeps(): DisplayHealthDependencies {
  const services = getServices();
  const d = wiringOf(services);
  return {
    displays: d.displays,
    rooms: d.rooms,
    workQueue: services.workQueue,
    adminEmails: async () => (await services.integrationSecretInfo.get()).adminEmails,
    now: services.now,
    silentAfterMs: d.silentAfterMs,
  };
}

type Tail<F> = F extends (first: never, ...rest: infer R) => infer O ? (...rest: R) => O : never;

export const listDisplays: Tail<typeof displays.listDisplays> = () => displays.listDisplays(deps());
export const registerDisplay: Tail<typeof displays.registerDisplay> = (input) =>
  displays.registerDisplay(deps(), input);
export const removeDisplay: Tail<typeof displays.removeDisplay> = (id) => displays.removeDisplay(deps(), id);
export const issuePairingCode: Tail<typeof displays.issuePairingCode> = (id) =>
  displays.issuePairingCode(deps(), id);
export const pairDisplay: Tail<typeof displays.pairDisplay> = (input) => displays.pairDisplay(deps(), input);
export const displayHeartbeat: Tail<typeof displays.displayHeartbeat> = (credential, pageVersion) =>
  displays.displayHeartbeat(deps(), credential, pageVersion);
export const negotiateDisplay: Tail<typeof displays.negotiateDisplay> = (credential) =>
  displays.negotiateDisplay(deps(), credential);
export const displaySchedule: Tail<typeof displays.displaySchedule> = (credential) =>
  displays.displaySchedule(deps(), credential);
/** A room display's on-the-spot action, through the booking engine (reservation, Graph, snapshot). */
export const deviceAction = (credential: string, input: DeviceActionInput): Promise<DeviceActionResult> =>
  deviceActionUseCase(
    {
      displays: deps(),
      bookings: bookingDependencies(),
      roomWriters: () => getServices().graphTokens.usersWithToken(),
    },
    credential,
    input,
  );

/** Releases the no-shows of rooms that require check-in (the `auto-release` timer). */
export const autoRelease = (): Promise<AutoReleaseResult> => autoReleaseUseCase(bookingDependencies());

export const checkDisplayHealth = (): ReturnType<typeof displays.checkDisplayHealth> =>
  displays.checkDisplayHealth(healthDeps());

let pageFiles: FolderDisplayPageFiles | undefined;

/** A file of the built display page with its CSP, allowing connections to every Web PubSub instance. */
export const displayPageFile = (name: string): ReturnType<typeof pageFile> => {
  const origins = webPubSubEndpointsFromSettings(getServices().settings)
    .map(liveOriginOf)
    .filter((o) => o !== undefined);
  pageFiles ??= new FolderDisplayPageFiles();
  // One origin per instance, space-separated as connect-src lists them.
  const liveOrigin = origins.length === 0 ? undefined : [...new Set(origins)].join(" ");
  return pageFile({ files: pageFiles, liveOrigin }, name);
};
