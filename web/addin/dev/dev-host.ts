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

/** base64url of a string's UTF-8 bytes. */
const base64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

// Send: the local stack creates the meeting in the organizer's calendar in the M365 simulator, as
// Outlook would, with the rooms as resource attendees and the add-in's custom properties.
const sent = document.getElementById("sent") as HTMLOutputElement;
(document.getElementById("send") as HTMLButtonElement).addEventListener("click", () => {
  const meeting = {
    subject: draft.subject,
    start: draft.start.toISOString(),
    end: draft.end.toISOString(),
    organizer: draft.organizer.emailAddress,
    attendees: [...draft.requiredAttendees, ...draft.optionalAttendees].map((r) => r.emailAddress),
    resources: draft.resources,
    location: draft.location,
    customProperties: draft.customProperties,
  };
  sent.textContent = "Sending…";
  void fetch(`/addin/dev-host/send?meeting=${base64url(JSON.stringify(meeting))}`, {
    credentials: "same-origin",
  })
    .then(async (response) => {
      const body = (await response.json()) as { id?: string; iCalUId?: string; error?: number };
      sent.dataset.iCalUId = body.iCalUId ?? "";
      sent.textContent = body.iCalUId === undefined ? `Not sent (${body.error ?? response.status})` : "Sent";
    })
    .catch(() => {
      sent.textContent = "Not sent";
    });
});
