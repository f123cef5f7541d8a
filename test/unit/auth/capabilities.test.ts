import { describe, expect, it } from "vitest";
import {
  capabilities,
  capabilitiesLostWithout,
  capabilityTable,
  hasCapability,
  requireCapability,
} from "../../../shared/domain/integration/capabilities";
import { integrationModes } from "../../../shared/domain/integration/modes";
import { AppError } from "../../../shared/domain/errors";

describe("capability table", () => {
  it("gives the application mode everything but the delegated-only mechanisms", () => {
    const table = capabilityTable("application");
    const unavailable = capabilities.filter((c) => !table[c].available);
    expect(unavailable.sort()).toEqual(["calendar-polling", "room-import"]);
  });

  it("follows the product FAQ: only full modes create bookings in ONES", () => {
    expect(integrationModes.filter((m) => hasCapability(m, "create-booking"))).toEqual([
      "application",
      "delegated",
    ]);
  });

  it("lets every mode reflect Outlook bookings and run device actions and policies", () => {
    for (const mode of integrationModes) {
      for (const c of [
        "outlook-bookings-reflected",
        "walk-in-on-device",
        "extend-on-device",
        "end-on-device",
        "check-in-on-device",
        "booking-policies",
      ] as const) {
        expect(hasCapability(mode, c)).toBe(true);
      }
    }
  });

  it("keeps A1-only features to the application mode", () => {
    for (const c of ["book-for-others", "terms-of-use", "booking-pin", "extra-form-fields"] as const) {
      expect(integrationModes.filter((m) => hasCapability(m, c))).toEqual(["application"]);
    }
  });

  it("matches the permission sets: rooms from /places need Place.Read.All, sync needs User/Group.Read.All", () => {
    expect(integrationModes.filter((m) => hasCapability(m, "room-discovery"))).toEqual([
      "application",
      "application-resource-only",
    ]);
    expect(integrationModes.filter((m) => hasCapability(m, "directory-sync"))).toEqual(["application"]);
    expect(integrationModes.filter((m) => hasCapability(m, "change-notifications"))).toEqual([
      "application",
      "application-resource-only",
    ]);
    expect(integrationModes.filter((m) => hasCapability(m, "calendar-polling"))).toEqual([
      "delegated",
      "delegated-resource-only",
    ]);
  });

  it("refuses with not-available-in-mode naming the mode and the missing permission", () => {
    let error: unknown;
    try {
      requireCapability("delegated", "room-discovery");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("not-available-in-mode");
    expect((error as AppError).detail).toContain("Delegated permission");
    expect((error as AppError).detail).toContain("Place.Read.All");
    expect(() => requireCapability("application", "create-booking")).not.toThrow();
    expect(() => requireCapability("application-resource-only", "create-booking")).toThrow(
      /Calendars\.ReadWrite/,
    );
  });

  it("names what a missing permission takes away", () => {
    expect(capabilitiesLostWithout("application", ["Place.Read.All"])).toEqual(["room-discovery"]);
    expect(capabilitiesLostWithout("application", ["Group.Read.All"])).toEqual(["directory-sync"]);
    expect(capabilitiesLostWithout("delegated", ["Calendars.ReadWrite.Shared"])).toContain("create-booking");
    expect(capabilitiesLostWithout("delegated", [])).toEqual([]);
  });
});
