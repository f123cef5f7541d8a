import { inject } from "vitest";
import type { RunningHost } from "../../../dev/host";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { resetServices } from "../../../shared/composition";
import { getServices } from "../../../shared/composition/services";
import { resetSettings } from "../../../shared/config";
import { startHttpHost } from "../../support/http-host";
import { storeRooms, testRoom } from "./rooms";

export interface DisplayStack {
  readonly wps: RunningWebPubSub;
  readonly host: RunningHost;
  stop(): Promise<void>;
}

/**
 * The app's HTTP functions on the local host with Azurite (a table prefix of its own) and the local
 * Web PubSub service; three rooms on floor `hq-4`. `process.env` is the app's settings.
 */
export async function startDisplayStack(): Promise<DisplayStack> {
  const wps = await startWebPubSub();
  const host = await startHttpHost();
  Object.assign(process.env, {
    TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
    TABLE_PREFIX: `disp${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
    SERVICEBUS:
      "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
    APP_BASE_URL: host.baseUrl,
    WEBPUBSUB_CONNECTION_STRING: wps.connectionString,
    WEBPUBSUB_HUB: "displays",
  });
  resetSettings();
  await resetServices();
  await storeRooms(getServices().tables, [
    testRoom("zugspitze@contoso.com", "Zugspitze 4.01", "hq-4"),
    testRoom("watzmann@contoso.com", "Watzmann 4.02", "hq-4"),
    testRoom("brocken@contoso.com", "Brocken 4.03", "hq-4"),
  ]);
  return {
    wps,
    host,
    async stop() {
      await host.stop();
      await resetServices();
      await wps.stop();
    },
  };
}
