import { WebPubSubClient } from "@azure/web-pubsub-client";
import { languages, pickLang, translate, type Key, type Lang } from "./i18n";
import {
  applySnapshot,
  dueQueued,
  mergeFetched,
  offeredActions,
  roomState,
  sameDay,
  type QueuedAction,
  type Item,
  type Schedule,
  type ScheduleRoom,
  type Snapshot,
} from "./state";

/**
 * The room and floor display page: pairing, then the live schedule over Web PubSub with the last one
 * kept in local storage, so the page shows something sensible offline and catches up on reconnect.
 */

declare const PAGE_VERSION: string;

const STORE = {
  credential: "ones.display.credential",
  schedule: "ones.display.schedule",
  prefs: "ones.display.prefs",
  queue: "ones.display.queue",
};
/** Minutes a display extends by, and books for (cut at the next meeting by the server). */
const EXTEND_MINUTES = 15;
const BOOK_MINUTES = 30;
/**
 * Every heartbeat is a function execution and two table operations per display: at one display per room
 * that was most of the app's cost. The WebSocket shows a lost connection at once; the heartbeat is for
 * the clock and the display-health timer (silent after DISPLAY_SILENT_MINUTES, 10 by default).
 */
const HEARTBEAT_MS = 5 * 60_000;
const root = document.getElementById("root")!;

interface Prefs {
  lang: Lang;
  hour12: boolean;
}

const prefs = loadPrefs();
const t = (key: Key, values?: Record<string, string>): string => translate(prefs.lang, key, values);
document.documentElement.lang = prefs.lang;

let schedule: Schedule | undefined = readJson<Schedule>(STORE.schedule);
/** Server time minus local time, from the heartbeat: tablets' clocks drift. */
let clockOffsetMs = 0;
let socketOpen = false;
let heartbeatOk = true;
let client: WebPubSubClient | undefined;
/** What the last action (or the queue's flush) came to, shown under the buttons. */
let actionMessage: { text: string; kind: "ok" | "error" | "queued" } | undefined;
let busy = false;

function loadPrefs(): Prefs {
  const query = new URLSearchParams(location.search);
  const saved = readJson<Partial<Prefs>>(STORE.prefs) ?? {};
  const langParam = query.get("lang");
  const lang = langParam !== null ? pickLang(langParam) : (saved.lang ?? pickLang(navigator.language));
  const clockParam = query.get("clock");
  const hour12 = clockParam !== null ? clockParam === "12" : (saved.hour12 ?? false);
  const result = { lang: languages.includes(lang) ? lang : "en", hour12 };
  localStorage.setItem(STORE.prefs, JSON.stringify(result));
  return result;
}

function readJson<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  } catch {
    return undefined;
  }
}

const now = (): Date => new Date(Date.now() + clockOffsetMs);
const credential = (): string | null => localStorage.getItem(STORE.credential);

// API ------------------------------------------------------------------------------------------

class Unpaired extends Error {}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/displays/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${credential() ?? ""}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    cache: "no-store",
  });
  if (response.status === 401) throw new Unpaired();
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

/** A revoked or re-paired device forgets its credential and shows the pairing screen. */
function unpair(): void {
  localStorage.removeItem(STORE.credential);
  localStorage.removeItem(STORE.schedule);
  schedule = undefined;
  void client?.stop();
  client = undefined;
  renderPairing();
}

async function refetch(): Promise<void> {
  try {
    const fetched = await api<Schedule>("GET", "schedule");
    // Merged with the schedule as it is now, after the wait: a push may have arrived meanwhile.
    schedule = mergeFetched(schedule, fetched);
    localStorage.setItem(STORE.schedule, JSON.stringify(schedule));
    render();
  } catch (error) {
    if (error instanceof Unpaired) unpair();
  }
}

async function heartbeat(): Promise<void> {
  try {
    const { serverTime } = await api<{ serverTime: string }>("POST", "heartbeat", {
      pageVersion: PAGE_VERSION,
    });
    clockOffsetMs = Date.parse(serverTime) - Date.now();
    heartbeatOk = true;
  } catch (error) {
    if (error instanceof Unpaired) return unpair();
    heartbeatOk = false;
  }
  render();
}

// Actions ---------------------------------------------------------------------------------------

type Sent = { ok: true } | { ok: false; reason: string } | { ok: "offline" };

async function send(q: QueuedAction): Promise<Sent> {
  let response: Response;
  try {
    response = await fetch(`/api/displays/actions/${q.action}`, {
      method: "POST",
      headers: { authorization: `Bearer ${credential() ?? ""}`, "content-type": "application/json" },
      body: JSON.stringify(q.body),
      cache: "no-store",
    });
  } catch {
    return { ok: "offline" };
  }
  if (response.status === 401) {
    unpair();
    return { ok: false, reason: "unpaired" };
  }
  if (response.ok) return { ok: true };
  if (response.status >= 500 || response.status === 429) return { ok: "offline" };
  const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
  return { ok: false, reason: problem.detail ?? problem.title ?? String(response.status) };
}

const queued = (): QueuedAction[] => readJson<QueuedAction[]>(STORE.queue) ?? [];
const saveQueue = (queue: readonly QueuedAction[]): void =>
  queue.length === 0
    ? localStorage.removeItem(STORE.queue)
    : localStorage.setItem(STORE.queue, JSON.stringify(queue));

async function act(action: QueuedAction["action"], body: Record<string, unknown>): Promise<void> {
  const q: QueuedAction = { action, body, at: now().getTime() };
  if (!socketOpen) {
    saveQueue([...queued(), q]);
    actionMessage = { text: t("actionQueued"), kind: "queued" };
    return render();
  }
  busy = true;
  render();
  const sent = await send(q);
  busy = false;
  if (sent.ok === "offline") {
    saveQueue([...queued(), q]);
    actionMessage = { text: t("actionQueued"), kind: "queued" };
  } else {
    actionMessage = sent.ok
      ? { text: t("actionDone"), kind: "ok" }
      : { text: t("actionRefused", { r: sent.reason }), kind: "error" };
  }
  render();
  if (sent.ok === true) await refetch();
}

/** On reconnect: sends what was asked for offline, in order; says what came of each. */
async function flushQueue(): Promise<void> {
  const { send: toSend, tooLate } = dueQueued(queued(), now().getTime());
  if (toSend.length === 0 && tooLate.length === 0) return;
  const keep: QueuedAction[] = [];
  const messages: string[] = tooLate.map(() => t("actionTooLate"));
  let failed = tooLate.length > 0;
  for (const q of toSend) {
    const sent = await send(q);
    if (sent.ok === "offline") keep.push(q);
    else if (sent.ok) messages.push(t("actionQueuedSent"));
    else {
      failed = true;
      messages.push(t("actionQueuedRefused", { r: sent.reason }));
    }
  }
  saveQueue(keep);
  if (messages.length > 0) actionMessage = { text: messages.join(" "), kind: failed ? "error" : "ok" };
  await refetch();
}

function actionButtons(room: ScheduleRoom, at: Date): HTMLElement {
  const offer = offeredActions(room.snapshot, at);
  const button = (
    key: Key,
    action: QueuedAction["action"],
    enabled: boolean,
    body: () => Record<string, unknown> | undefined,
  ) => {
    const b = el(
      "button",
      { type: "button", "data-action": action, ...(enabled && !busy ? {} : { disabled: "" }) },
      t(key),
    );
    b.addEventListener("click", () => {
      const payload = body();
      if (payload !== undefined) void act(action, payload);
    });
    return b;
  };
  return el(
    "section",
    { class: "actions", "aria-label": t("actions") },
    button("checkIn", "check-in", offer.checkIn !== undefined, () => {
      if (room.snapshot.rules?.pinRequired !== true) return { itemId: offer.checkIn?.id };
      const pin = prompt(t("pinPrompt"));
      return pin === null ? undefined : { itemId: offer.checkIn?.id, pin };
    }),
    button("extend", "extend", offer.extend !== undefined, () => ({
      itemId: offer.extend?.id,
      minutes: EXTEND_MINUTES,
    })),
    button("end", "end", offer.end !== undefined, () => ({ itemId: offer.end?.id })),
    button("bookNow", "book-now", offer.bookNow, () => ({ minutes: BOOK_MINUTES })),
    actionMessage === undefined
      ? undefined
      : el(
          "p",
          {
            class: `message ${actionMessage.kind}`,
            role: "status",
            "aria-live": "polite",
            "data-testid": "action-message",
          },
          actionMessage.text,
        ),
  );
}

// Live updates -----------------------------------------------------------------------------------

/**
 * Watches the WebSockets the client opens, to know at once when the connection drops (the client
 * recovers a dropped reliable connection silently) and when it is back.
 */
function watchSockets(): void {
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("open", () => {
        const wasDown = !socketOpen;
        socketOpen = true;
        render();
        // Back after a drop: whatever was missed beyond what the service redelivers is fetched, and
        // the actions asked for offline are sent (or dropped, saying so).
        if (wasDown && schedule !== undefined) void refetch().then(flushQueue);
      });
      this.addEventListener("close", () => {
        socketOpen = false;
        render();
      });
    }
  }
  window.WebSocket = Watched;
}

async function connect(): Promise<void> {
  client = new WebPubSubClient(
    { getClientAccessUrl: async () => (await api<{ url: string }>("POST", "negotiate")).url },
    {
      reconnectRetryOptions: {
        mode: "Exponential",
        retryDelayInMs: 1_000,
        maxRetryDelayInMs: 30_000,
        maxRetries: Number.MAX_SAFE_INTEGER,
      },
    },
  );
  client.on("server-message", (e) => {
    const data = e.message.data as Partial<Snapshot> | undefined;
    if (schedule === undefined || data?.type !== "schedule") return;
    const { result, gap, schedule: next } = applySnapshot(schedule, data as Snapshot);
    if (result === "applied") {
      schedule = next;
      localStorage.setItem(STORE.schedule, JSON.stringify(schedule));
      render();
    }
    if (gap) void refetch();
  });
  client.on("stopped", () => {
    // Gave up (a refused negotiate): try again from scratch later, unless the device was unpaired.
    if (credential() !== null) setTimeout(() => void startLive(), 30_000);
  });
  await client.start();
}

async function startLive(): Promise<void> {
  try {
    await connect();
  } catch (error) {
    if (error instanceof Unpaired) return unpair();
    setTimeout(() => void startLive(), 10_000);
  }
}

// Rendering --------------------------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== undefined) node.append(child);
  return node;
}

function time(date: Date | string, zone: string): string {
  return new Intl.DateTimeFormat(prefs.lang, {
    hour: "numeric",
    minute: "2-digit",
    // A 24-hour clock says 00:30 after midnight; `hour12: false` alone lets some engines say 24:30.
    ...(prefs.hour12 ? { hour12: true } : { hourCycle: "h23" as const }),
    timeZone: zone,
  }).format(typeof date === "string" ? new Date(date) : date);
}

/** A time, with its weekday when it is not today in the room's zone (the next meeting may be tomorrow's). */
function when(date: Date | string, zone: string, at: Date): string {
  const d = typeof date === "string" ? new Date(date) : date;
  if (sameDay(d, at, zone)) return time(d, zone);
  const weekday = new Intl.DateTimeFormat(prefs.lang, { weekday: "short", timeZone: zone }).format(d);
  return `${weekday} ${time(d, zone)}`;
}

function day(date: Date, zone: string): string {
  return new Intl.DateTimeFormat(prefs.lang, {
    weekday: "long",
    month: "long",
    day: "numeric",
    timeZone: zone,
  }).format(date);
}

const statusWords = { free: "free", busy: "busy", "soon-free": "soonFree" } as const;

function statusLine(room: ScheduleRoom, at: Date): string {
  const s = roomState(room.snapshot.items, at);
  if (s.status === "free")
    return s.until === undefined ? t("freeAllDay") : t("freeUntil", { t: when(s.until, room.timeZone, at) });
  if (s.status === "soon-free") return t("soonFreeAt", { t: when(s.until!, room.timeZone, at) });
  return t("busyUntil", { t: when(s.until!, room.timeZone, at) });
}

function meeting(label: string, item: Item | undefined, zone: string, at: Date, empty: string): HTMLElement {
  return el(
    "section",
    { class: "meeting" },
    el("h2", {}, label),
    item === undefined
      ? el("p", { class: "muted" }, empty)
      : el(
          "div",
          {},
          el("p", { class: "title" }, item.title ?? t("untitled")),
          el(
            "p",
            {},
            `${when(item.start, zone, at)} – ${time(item.end, zone)}${item.organizer ? ` · ${item.organizer}` : ""}`,
          ),
        ),
  );
}

/** The day from 07:00 to 21:00 (or the meetings' span, if wider) with the meetings as blocks. */
function timeline(room: ScheduleRoom, at: Date): HTMLElement {
  const zoneParts = new Intl.DateTimeFormat("en-CA", {
    timeZone: room.timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const hourNow = Number(zoneParts.find((p) => p.type === "hour")?.value ?? "0");
  const startOfHour = at.getTime() - (at.getTime() % 3_600_000);
  const from = startOfHour - Math.max(0, hourNow - 7) * 3_600_000;
  const to = from + 14 * 3_600_000;
  const span = to - from;
  const bar = el("div", { class: "bar", role: "img", "aria-label": t("timeline") });
  for (const item of room.snapshot.items) {
    const s = Math.max(Date.parse(item.start), from);
    const e = Math.min(Date.parse(item.end), to);
    if (e <= s) continue;
    const block = el("div", {
      class: "block",
      title: `${time(item.start, room.timeZone)} – ${time(item.end, room.timeZone)}`,
    });
    block.style.left = `${((s - from) / span) * 100}%`;
    block.style.width = `${((e - s) / span) * 100}%`;
    bar.append(block);
  }
  const marker = el("div", { class: "now-marker" });
  marker.style.left = `${((at.getTime() - from) / span) * 100}%`;
  bar.append(marker);
  const ticks = el("div", { class: "ticks" });
  for (let h = 0; h <= 14; h += 2) {
    const tick = el("span", {}, time(new Date(from + h * 3_600_000), room.timeZone));
    tick.style.left = `${(h / 14) * 100}%`;
    ticks.append(tick);
  }
  return el("section", { class: "timeline" }, el("h2", {}, t("timeline")), bar, ticks);
}

function notice(): HTMLElement | undefined {
  if (socketOpen && heartbeatOk) return undefined;
  const at = schedule === undefined ? "—" : time(schedule.generatedAt, schedule.rooms[0]?.timeZone ?? "UTC");
  return el(
    "div",
    { class: "notice", role: "status", "aria-live": "polite", "data-testid": "not-live" },
    t("notLive", { t: at }),
  );
}

function header(title: string, zone: string, at: Date): HTMLElement {
  return el(
    "header",
    {},
    el("h1", {}, title),
    el(
      "div",
      { class: "clock" },
      el("span", { class: "time", "data-testid": "clock" }, time(at, zone)),
      el("span", { class: "date" }, day(at, zone)),
    ),
  );
}

function renderRoom(room: ScheduleRoom, at: Date): HTMLElement {
  const s = roomState(room.snapshot.items, at);
  const actions = actionButtons(room, at);
  return el(
    "main",
    { class: `room status-${s.status}`, "data-version": String(room.snapshot.version) },
    header(room.name, room.timeZone, at),
    notice(),
    el(
      "section",
      { class: "status", "data-testid": "status" },
      el("p", { class: "word" }, t(statusWords[s.status])),
      el("p", { class: "line" }, statusLine(room, at)),
    ),
    el(
      "div",
      { class: "meetings" },
      meeting(t("now"), s.current, room.timeZone, at, t("free")),
      meeting(t("next"), s.next, room.timeZone, at, t("nothingNext")),
    ),
    timeline(room, at),
    actions,
  );
}

function renderFloor(current: Schedule, at: Date): HTMLElement {
  const zone = current.rooms[0]?.timeZone ?? "UTC";
  const floorId = current.target.kind === "floor" ? current.target.floorId : "";
  const list = el("ul", { class: "rooms" });
  for (const room of current.rooms) {
    const s = roomState(room.snapshot.items, at);
    list.append(
      el(
        "li",
        {
          class: `status-${s.status}`,
          "data-room": room.roomId,
          "data-version": String(room.snapshot.version),
        },
        el("span", { class: "name" }, room.name),
        el("span", { class: "word" }, t(statusWords[s.status])),
        el("span", { class: "line" }, statusLine(room, at)),
      ),
    );
  }
  return el(
    "main",
    { class: "floor" },
    header(`${current.display.name} · ${t("floor")} ${floorId}`, zone, at),
    notice(),
    current.rooms.length === 0 ? el("p", {}, t("noRooms")) : list,
  );
}

function render(): void {
  if (credential() === null || schedule === undefined) return;
  const at = now();
  const room = schedule.rooms[0];
  const view =
    schedule.target.kind === "floor" || room === undefined ? renderFloor(schedule, at) : renderRoom(room, at);
  root.replaceChildren(view);
}

function renderPairing(message?: string): void {
  const input = el("input", {
    id: "code",
    name: "code",
    autocomplete: "off",
    autocapitalize: "characters",
    inputmode: "text",
    maxlength: "12",
    required: "",
    "aria-describedby": "pair-help",
  });
  const form = el(
    "form",
    { class: "pairing" },
    el("h1", {}, t("pairTitle")),
    el("p", { id: "pair-help" }, t("pairHelp")),
    el("label", { for: "code" }, t("pairCode")),
    input,
    el("button", { type: "submit" }, t("pairButton")),
    message === undefined ? undefined : el("p", { class: "error", role: "alert" }, message),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void pair(input.value);
  });
  root.replaceChildren(el("main", {}, form));
  input.focus();
}

async function pair(code: string): Promise<void> {
  try {
    const response = await fetch("/api/displays/pair", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
    });
    if (response.status === 401) return renderPairing(t("pairRefused"));
    if (response.status === 429) return renderPairing(t("pairLimited"));
    if (!response.ok) return renderPairing(t("pairFailed"));
    const { credential: issued } = (await response.json()) as { credential: string };
    localStorage.setItem(STORE.credential, issued);
    await start();
  } catch {
    renderPairing(t("pairFailed"));
  }
}

async function start(): Promise<void> {
  render();
  await refetch();
  if (credential() === null) return;
  void heartbeat();
  setInterval(() => void heartbeat(), HEARTBEAT_MS);
  // The clock and the free/busy state move on even without news.
  setInterval(render, 1_000);
  void startLive();
}

watchSockets();
if (credential() === null) renderPairing();
else void start();
