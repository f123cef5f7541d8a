import type { AsyncCallback, OfficeSurface, Recipient } from "../src/office";

/**
 * A test double of the Office.js surface the pane uses, over a plain appointment: item times,
 * attendees, location, resources, custom properties, saveAsync and getItemIdAsync. The stand-in Outlook
 * host runs the pane against it (and redraws its form on `changed`), and unit tests wrap it in
 * `office-addin-mock`.
 */
export interface DraftAppointment {
  subject: string;
  start: Date;
  end: Date;
  organizer: { emailAddress: string; displayName: string };
  requiredAttendees: Recipient[];
  optionalAttendees: Recipient[];
  location: string;
  /** Rooms added as room locations: the meeting's resource attendees. */
  resources: string[];
  customProperties: Record<string, string>;
  /** Set by the first save. */
  itemId?: string;
  /** Mailbox requirement set the double claims (1.8 has enhancedLocation and getItemIdAsync). */
  mailboxVersion: "1.5" | "1.8";
}

export function officeDouble(
  draft: DraftAppointment,
  newItemId: () => string,
  changed: () => void = () => undefined,
): OfficeSurface {
  const ok = <T>(callback: AsyncCallback<T>, value: T): void =>
    queueMicrotask(() => {
      changed();
      callback({ status: "succeeded", value });
    });
  const recipients = (list: () => Recipient[]) => ({
    getAsync: (cb: AsyncCallback<Recipient[]>) =>
      ok(
        cb,
        list().map((r) => ({ ...r })),
      ),
    addAsync: (added: { emailAddress: string; displayName: string }[], cb: AsyncCallback<void>) => {
      const current = list();
      for (const r of added)
        if (!current.some((c) => c.emailAddress.toLowerCase() === r.emailAddress.toLowerCase()))
          current.push({ ...r, recipientType: "other" });
      ok(cb, undefined);
    },
    setAsync: (replaced: { emailAddress: string; displayName: string }[], cb: AsyncCallback<void>) => {
      list().splice(0, Infinity, ...replaced.map((r) => ({ ...r })));
      ok(cb, undefined);
    },
  });
  const versions = ["1.1", "1.3", "1.5", ...(draft.mailboxVersion === "1.8" ? ["1.8"] : [])];
  return {
    context: {
      mailbox: {
        userProfile: draft.organizer,
        item: {
          start: { getAsync: (cb) => ok(cb, new Date(draft.start)) },
          end: { getAsync: (cb) => ok(cb, new Date(draft.end)) },
          requiredAttendees: recipients(() => draft.requiredAttendees),
          optionalAttendees: recipients(() => draft.optionalAttendees),
          location: {
            getAsync: (cb) => ok(cb, draft.location),
            setAsync: (location, cb) => {
              draft.location = location;
              ok(cb, undefined);
            },
          },
          ...(draft.mailboxVersion === "1.8"
            ? {
                enhancedLocation: {
                  addAsync: (
                    locations: { id: string; type: "room" | "custom" }[],
                    cb: AsyncCallback<void>,
                  ) => {
                    for (const l of locations) {
                      if (l.type === "room" && !draft.resources.includes(l.id)) draft.resources.push(l.id);
                      draft.location = draft.location === "" ? l.id : `${draft.location}; ${l.id}`;
                    }
                    ok(cb, undefined);
                  },
                  removeAsync: (
                    locations: { id: string; type: "room" | "custom" }[],
                    cb: AsyncCallback<void>,
                  ) => {
                    const ids = new Set(locations.map((l) => l.id));
                    draft.resources = draft.resources.filter((r) => !ids.has(r));
                    draft.location = draft.location
                      .split("; ")
                      .filter((l) => l !== "" && !ids.has(l))
                      .join("; ");
                    ok(cb, undefined);
                  },
                },
                getItemIdAsync: (cb: AsyncCallback<string>) =>
                  draft.itemId === undefined
                    ? queueMicrotask(() =>
                        cb({
                          status: "failed",
                          value: "",
                          error: { code: 9049, message: "The item is not saved." },
                        }),
                      )
                    : ok(cb, draft.itemId),
              }
            : {}),
          loadCustomPropertiesAsync: (cb) => {
            const pending = { ...draft.customProperties };
            ok(cb, {
              get: (name) => pending[name],
              set: (name, value) => {
                pending[name] = value;
              },
              remove: (name) => {
                delete pending[name];
              },
              saveAsync: (done) => {
                draft.customProperties = { ...pending };
                ok(done, undefined);
              },
            });
          },
          saveAsync: (cb) => {
            draft.itemId ??= newItemId();
            ok(cb, draft.itemId);
          },
        },
      },
      requirements: {
        isSetSupported: (name, minVersion) =>
          name === "Mailbox" && (minVersion === undefined || versions.includes(minVersion)),
      },
    },
  };
}
