import { describe, expect, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { GraphClient, type GraphCallEvent } from "../../../shared/adapters/graph/graph-client";
import { useDemoSimulator } from "./helpers";

/** The app's Graph client reports each call's status as Graph answered it, not a blanket 200. */
describe("GraphClient call events", () => {
  let sim: RunningM365Simulator;
  let token: string;
  useDemoSimulator((started, demoToken) => {
    sim = started;
    token = demoToken;
  });

  it("reports 200 for a read, 201 for a created event and the error status of a failure", async () => {
    const events: GraphCallEvent[] = [];
    const client = new GraphClient({
      baseUrl: sim.graphBaseUrl,
      token: () => Promise.resolve(token),
      onCall: (event) => events.push(event),
    });
    const organizer = [...sim.control.store.users.values()].find((u) => !u.isRoomMailbox);
    if (organizer === undefined) throw new Error("the demo tenant has no person");
    const start = new Date(Date.UTC(2030, 0, 7, 9)).toISOString().slice(0, 19);
    const end = new Date(Date.UTC(2030, 0, 7, 10)).toISOString().slice(0, 19);

    await client.get(`/users/${organizer.id}`);
    await client.post(`/users/${organizer.id}/events`, {
      subject: "Status check",
      start: { dateTime: start, timeZone: "UTC" },
      end: { dateTime: end, timeZone: "UTC" },
    });
    await expect(client.get("/users/nobody-here@contoso.example")).rejects.toMatchObject({ status: 404 });

    expect(events.map((e) => [e.method, e.status, e.attempt])).toEqual([
      ["GET", 200, 1],
      ["POST", 201, 1],
      ["GET", 404, 1],
    ]);
  });
});
