import type { Me } from "../../src/api/types";
import { officeDouble, type DraftAppointment } from "./office-double";

/**
 * The stand-in for Outlook's appointment organizer form on the local stack: a meeting form whose draft
 * the pane (in the frame beside it) reads and changes through the Office.js test double, published on
 * this window for the pane to find.
 */
declare global {
  interface Window {
    onesOfficeDouble?: ReturnType<typeof officeDouble>;
    onesDraft?: DraftAppointment;
  }
}

const form = document.getElementById("meeting") as HTMLFormElement;
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;

const addresses = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter((a) => a.includes("@"))
    .map((emailAddress) => ({ emailAddress, displayName: emailAddress.split("@")[0] ?? emailAddress }));

/** `datetime-local` value of a date, in this browser's zone. */
const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

const start = new Date();
start.setDate(start.getDate() + 1);
start.setHours(10, 0, 0, 0);
const params = new URLSearchParams(location.search);

const draft: DraftAppointment = {
  subject: field("subject").value,
  start: params.has("start") ? new Date(params.get("start") ?? "") : start,
  end: params.has("end") ? new Date(params.get("end") ?? "") : new Date(start.getTime() + 3_600_000),
  organizer: { emailAddress: "", displayName: "" },
  requiredAttendees: addresses(params.get("attendees") ?? ""),
  optionalAttendees: [],
  location: "",
  resources: [],
  customProperties: {},
  mailboxVersion: params.get("mailbox") === "1.5" ? "1.5" : "1.8",
};

function render(): void {
  field("start").value = local(draft.start);
  field("end").value = local(draft.end);
  field("required").value = draft.requiredAttendees.map((r) => r.emailAddress).join("\n");
  field("optional").value = draft.optionalAttendees.map((r) => r.emailAddress).join("\n");
  field("location").value = draft.location;
  field("resources").value = draft.resources.join("; ");
  field("properties").value = Object.entries(draft.customProperties)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  field("itemId").value = draft.itemId ?? "";
}

form.addEventListener("input", () => {
  draft.subject = field("subject").value;
  draft.start = new Date(field("start").value);
  draft.end = new Date(field("end").value);
  draft.requiredAttendees = addresses(field("required").value);
  draft.optionalAttendees = addresses(field("optional").value);
});

let saved = 0;
window.onesDraft = draft;
window.onesOfficeDouble = officeDouble(
  draft,
  () => `stand-in-item-${Date.now().toString(36)}-${++saved}`,
  render,
);
render();

// The organizer is whoever is signed in to ONES on the local stack; the pane opens once that is known.
void fetch("/api/me", { credentials: "same-origin" })
  .then(async (response) => {
    if (!response.ok) return;
    const me = (await response.json()) as Me;
    Object.assign(draft.organizer, { emailAddress: me.email, displayName: me.name });
  })
  .finally(() => {
    (document.getElementById("pane") as HTMLIFrameElement).src = "/addin/pane";
  });
