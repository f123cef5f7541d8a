import { describe, expect, it } from "vitest";
import { SubscriptionMap, type SubscriptionRecord } from "../../../dev/m365/notifications/hub";

const rec = (id: string, mailboxId: string) =>
  ({ mailboxId, appId: "app", needsReauthorization: false, data: { id } }) as unknown as SubscriptionRecord;

describe("SubscriptionMap", () => {
  it("finds a mailbox's subscriptions in creation order and forgets deleted or moved ones", () => {
    const m = new SubscriptionMap();
    m.set("a", rec("a", "room-1")).set("b", rec("b", "room-2")).set("c", rec("c", "room-1"));
    expect(m.idsFor("room-1")).toEqual(["a", "c"]);
    m.delete("a");
    m.set("b", rec("b", "room-1"));
    expect([m.idsFor("room-1"), m.idsFor("room-2"), m.size]).toEqual([["c", "b"], [], 2]);
    m.clear();
    expect([m.idsFor("room-1"), m.size]).toEqual([[], 0]);
  });
});
