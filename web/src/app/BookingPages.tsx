import {
  Body1,
  Button,
  Checkbox,
  Field,
  Input,
  makeStyles,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { lazy, Suspense, useEffect, useState, type FormEvent } from "react";
import { ApiProblem } from "../api/client";
import {
  bookingApi,
  type ApprovalRequest,
  type Attendee,
  type Booking,
  type FormField,
  type PolicyRefusal,
  type Recurrence,
  type Room,
  type RoomWithPolicy,
} from "../api/bookings";
import type { CapabilityReport } from "../api/types";
import type { DayOfWeek } from "../../../shared/domain/bookings/recurrence";
import { api } from "../api/client";
import { useI18n } from "../i18n/I18n";
import type { MessageKey } from "../i18n/locales";
import { Breakable, DataTable } from "../ui/DataTable";
import { fieldProblem } from "../ui/fields";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";
import { navigate, RouteLink } from "../ui/router";
import { useLoad } from "../ui/session";
import { isoToZoned, startOfZonedDay, zonedToIso } from "./zoned";

// The directory picker (Fluent's TagPicker and its popover) loads with the booking form only, so
// finding a room stays as small as it was.
const AttendeePicker = lazy(() => import("./AttendeePicker").then((m) => ({ default: m.AttendeePicker })));

const useStyles = makeStyles({
  row: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "end" },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "640px" },
  terms: {
    whiteSpace: "pre-wrap",
    padding: tokens.spacingHorizontalS,
    border: `1px solid ${tokens.colorNeutralStroke1}`,
  },
});

/** Capabilities of the mode, by name (GET /api/integration/capabilities). */
function useCapabilities() {
  const caps = useLoad(() => api.get<CapabilityReport>("/api/integration/capabilities"));
  const cell = (name: string) => caps.value?.capabilities.find((c) => c.capability === name);
  return { caps, cell, has: (name: string) => cell(name)?.available === true };
}

/** What the mode does not allow is explained in words, never shown as a dead button. */
export function NotInMode({ capability }: { capability: string }) {
  const { t } = useI18n();
  const { caps, cell } = useCapabilities();
  const c = cell(capability);
  if (c === undefined || c.available) return null;
  return (
    <Body1 as="p" block role="note" data-testid="not-in-mode">
      {t("staff.notInMode", { mode: caps.value?.modeLabel ?? "", reason: c.reason ?? "" })}
    </Body1>
  );
}

/** The English weekday name (as Graph spells it) of a `YYYY-MM-DD…` wall-clock date. */
const weekdayOf = (local: string): DayOfWeek =>
  new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "UTC" })
    .format(new Date(`${local.slice(0, 10)}T00:00Z`))
    .toLowerCase() as DayOfWeek;

const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

function limitText(limit: PolicyRefusal["limit"]): string {
  if (limit === null) return "";
  if (Array.isArray(limit)) return limit.join(", ");
  return String(limit);
}

/** A 422 `policy-refused` in words, one sentence per refusal, in the page's language. */
export function useRefusalText() {
  const { t } = useI18n();
  return (problem: unknown): string[] | undefined => {
    if (!(problem instanceof ApiProblem) || problem.status !== 422) return undefined;
    const list = (problem.body.refusals as readonly PolicyRefusal[] | undefined) ?? [
      { rule: String(problem.body.rule), limit: (problem.body.limit as PolicyRefusal["limit"]) ?? null },
    ];
    return list.map((r) =>
      t(`refusal.${r.rule}` as MessageKey, { limit: limitText(r.limit), field: r.field ?? "" }),
    );
  };
}

/** A problem of a booking call: the policy's refusal in words, a conflict with its time, else the bar. */
function BookingProblem({ error, timeZone }: { error: unknown; timeZone?: string }) {
  const { t, dateTime } = useI18n();
  const refusal = useRefusalText()(error);
  if (refusal !== undefined)
    return (
      <div role="alert" data-testid="refusal">
        <Body1 as="p" block>
          {t("staff.refused")}
        </Body1>
        <ul>
          {refusal.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      </div>
    );
  if (error instanceof ApiProblem && error.status === 409 && typeof error.body.conflictStart === "string")
    return (
      <Body1 as="p" block role="alert" data-testid="conflict">
        {t("staff.conflict", {
          start: dateTime(error.body.conflictStart, timeZone),
          end: dateTime(String(error.body.conflictEnd), timeZone),
        })}
      </Body1>
    );
  return <ProblemBar error={error} />;
}

function roomPlace(r: Room): string {
  return [r.building.name, r.floor.label].filter((p) => p !== null && p !== "").join(" · ");
}

// ------------------------------------------------------------------ find a room

export function FindRoomPage() {
  const styles = useStyles();
  const { t, number } = useI18n();
  const { has } = useCapabilities();
  const [building, setBuilding] = useState("");
  const [floor, setFloor] = useState("");
  const [capacity, setCapacity] = useState("");
  const [equipment, setEquipment] = useState("");
  const [when, setWhen] = useState<"now" | "later">("now");
  const [from, setFrom] = useState(isoToZoned(new Date().toISOString(), viewerZone()));
  const [minutes, setMinutes] = useState("30");
  const [rooms, setRooms] = useState<readonly (Room & { free: boolean })[] | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const search = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    const start = when === "now" ? new Date().toISOString() : zonedToIso(from, viewerZone());
    const end = new Date(Date.parse(start) + Math.max(5, Number(minutes) || 30) * 60_000).toISOString();
    const filter = {
      building,
      floor,
      equipment,
      ...(capacity === "" ? {} : { capacity: Number(capacity) }),
    };
    try {
      const [all, free] = await Promise.all([
        bookingApi.rooms(filter),
        bookingApi.rooms({ ...filter, from: start, to: end }),
      ]);
      const freeIds = new Set(free.items.map((r) => r.id));
      // Free rooms first; a busy room is still listed, for its schedule.
      const list = all.items.map((r) => ({ ...r, free: freeIds.has(r.id) }));
      setRooms([...list.filter((r) => r.free), ...list.filter((r) => !r.free)]);
    } catch (error) {
      setProblem(error);
    }
  };
  const start = when === "now" ? undefined : zonedToIso(from, viewerZone());
  return (
    <>
      <PageTitle>{t("staff.find.title")}</PageTitle>
      <NotInMode capability="booking-from-user-app" />
      <form className={styles.form} onSubmit={(e) => void search(e)}>
        <RadioGroup
          layout="horizontal"
          aria-label={t("staff.find.when")}
          value={when}
          onChange={(_, d) => setWhen(d.value as "now" | "later")}
        >
          <Radio value="now" label={t("staff.find.now")} />
          <Radio value="later" label={t("staff.find.later")} />
        </RadioGroup>
        {when === "later" ? (
          <div className={styles.row}>
            <Field label={t("staff.find.from", { zone: viewerZone() })}>
              <Input type="datetime-local" value={from} onChange={(_, d) => setFrom(d.value)} />
            </Field>
            <Field label={t("staff.find.minutes")}>
              <Input type="number" min={5} value={minutes} onChange={(_, d) => setMinutes(d.value)} />
            </Field>
          </div>
        ) : null}
        <div className={styles.row}>
          <Field label={t("staff.find.building")}>
            <Input value={building} onChange={(_, d) => setBuilding(d.value)} />
          </Field>
          <Field label={t("staff.find.floor")}>
            <Input value={floor} onChange={(_, d) => setFloor(d.value)} />
          </Field>
          <Field label={t("staff.find.capacity")}>
            <Input type="number" min={0} value={capacity} onChange={(_, d) => setCapacity(d.value)} />
          </Field>
          <Field label={t("staff.find.equipment")} hint={t("staff.find.equipmentHint")}>
            <Input value={equipment} onChange={(_, d) => setEquipment(d.value)} />
          </Field>
        </div>
        <div>
          <Button appearance="primary" type="submit">
            {t("staff.find.search")}
          </Button>
        </div>
      </form>
      <ProblemBar error={problem} />
      {rooms === undefined ? null : rooms.length === 0 ? (
        <p>{t("staff.find.none")}</p>
      ) : (
        <DataTable
          label={t("staff.find.results")}
          columns={[t("staff.room"), t("staff.find.place"), t("staff.find.capacity"), t("staff.find.status")]}
          rows={rooms.map((r) => ({
            key: r.id,
            testId: `room-${r.id}`,
            cells: [
              <RouteLink
                key="l"
                href={`/app/rooms/${encodeURIComponent(r.id)}${start === undefined ? "" : `?start=${encodeURIComponent(start)}`}`}
              >
                {r.displayName}
              </RouteLink>,
              roomPlace(r),
              r.capacity === null ? "—" : t("staff.find.seats", { n: number(r.capacity) }),
              `${r.free ? t(when === "now" ? "staff.find.freeNow" : "staff.find.freeThen") : t("staff.find.busy")}${
                has("booking-from-user-app") ? "" : ` · ${t("staff.find.viewOnly")}`
              }`,
            ],
          }))}
        />
      )}
    </>
  );
}

// ------------------------------------------------------------------ a room: schedule and booking form

function Schedule({ room }: { room: Room }) {
  const { t, dateTime } = useI18n();
  const [span, setSpan] = useState<"day" | "week">("day");
  const [day, setDay] = useState(() => startOfZonedDay(new Date().toISOString(), room.timeZone));
  const to = new Date(Date.parse(day) + (span === "day" ? 1 : 7) * 86_400_000 + 3_600_000).toISOString();
  const schedule = useLoad(() => bookingApi.schedule(room.id, day, to), [room.id, day, span]);
  const move = (days: number): void =>
    setDay(
      startOfZonedDay(new Date(Date.parse(day) + days * 86_400_000 + 3_600_000).toISOString(), room.timeZone),
    );
  const step = span === "day" ? 1 : 7;
  return (
    <section aria-labelledby="schedule-title">
      <h2 id="schedule-title">{t("staff.schedule.title")}</h2>
      <div
        role="toolbar"
        aria-label={t("staff.schedule.title")}
        style={{ display: "flex", gap: 8, flexWrap: "wrap" }}
      >
        <Button onClick={() => move(-step)}>{t("staff.schedule.previous")}</Button>
        <Button onClick={() => move(step)}>{t("staff.schedule.next")}</Button>
        <Select
          aria-label={t("staff.schedule.span")}
          value={span}
          onChange={(_, d) => setSpan(d.value as "day" | "week")}
        >
          <option value="day">{t("staff.schedule.day")}</option>
          <option value="week">{t("staff.schedule.week")}</option>
        </Select>
      </div>
      <Body1 as="p" block>
        {t("staff.schedule.from", { from: dateTime(day, room.timeZone), zone: room.timeZone })}
      </Body1>
      <ProblemBar error={schedule.error} />
      {schedule.value?.items.length === 0 ? <p>{t("staff.schedule.free")}</p> : null}
      {schedule.value !== undefined && schedule.value.items.length > 0 ? (
        <DataTable
          label={t("staff.schedule.title")}
          columns={[
            t("staff.book.start"),
            t("staff.book.end"),
            t("staff.book.subject"),
            t("staff.organizer"),
          ]}
          rows={schedule.value.items.map((b) => ({
            key: `${b.bookingId}:${b.occurrence}`,
            testId: "busy",
            cells: [
              dateTime(b.start, room.timeZone),
              dateTime(b.end, room.timeZone),
              b.subject ?? t("staff.schedule.busy"),
              b.organizer ?? "",
            ],
          }))}
        />
      ) : null}
    </section>
  );
}

function ExtraField({
  field,
  value,
  onChange,
  problem,
}: {
  field: FormField;
  value: string;
  onChange: (v: string) => void;
  problem: unknown;
}) {
  return (
    <Field label={field.label} required={field.required} {...fieldProblem(problem, `fields.${field.id}`)}>
      {field.type === "choice" ? (
        <Select value={value} onChange={(_, d) => onChange(d.value)}>
          <option value="" />
          {(field.choices ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
      ) : (
        <Input
          type={field.type === "number" ? "number" : "text"}
          value={value}
          onChange={(_, d) => onChange(d.value)}
          {...(field.maxLength === undefined ? {} : { maxLength: field.maxLength })}
        />
      )}
    </Field>
  );
}

function BookingForm({ room }: { room: RoomWithPolicy }) {
  const styles = useStyles();
  const { t, dateTime } = useI18n();
  const { has } = useCapabilities();
  const requested = new URLSearchParams(location.search).get("start");
  const initial = requested ?? new Date(Math.ceil(Date.now() / 1_800_000) * 1_800_000).toISOString();
  const [subject, setSubject] = useState("");
  const [start, setStart] = useState(isoToZoned(initial, room.timeZone));
  const [minutes, setMinutes] = useState("30");
  const [attendees, setAttendees] = useState<Attendee[]>([]);
  const [teams, setTeams] = useState(false);
  const [repeat, setRepeat] = useState<"none" | "daily" | "weekly">("none");
  const [count, setCount] = useState("4");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [terms, setTerms] = useState(false);
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState<Booking | undefined>();
  const policy = room.policy;
  if (!has("booking-from-user-app")) return null;
  const startIso = zonedToIso(start, room.timeZone);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    const end = new Date(Date.parse(startIso) + Number(minutes) * 60_000).toISOString();
    const recurrence: Recurrence | undefined =
      repeat === "none"
        ? undefined
        : {
            pattern: {
              type: repeat,
              interval: 1,
              ...(repeat === "weekly" ? { daysOfWeek: [weekdayOf(start)] } : {}),
            },
            range: { type: "numbered", numberOfOccurrences: Math.max(1, Number(count) || 1) },
          };
    const values: Record<string, string | number> = {};
    for (const f of policy.formFields) {
      const v = fields[f.id] ?? "";
      if (v !== "") values[f.id] = f.type === "number" ? Number(v) : v;
    }
    try {
      const booking = await bookingApi.create({
        roomIds: [room.id],
        start: startIso,
        end,
        subject,
        attendees,
        isOnlineMeeting: teams,
        ...(recurrence === undefined ? {} : { recurrence }),
        termsAccepted: terms,
        fields: values,
      });
      setDone(booking);
    } catch (error) {
      setProblem(error);
    }
  };
  if (done !== undefined)
    return (
      <Done>
        {t(done.state === "awaiting-approval" ? "staff.book.awaiting" : "staff.book.done", {
          subject: done.subject,
          start: dateTime(done.start, room.timeZone),
        })}{" "}
        <RouteLink href="/app/bookings">{t("nav.myBookings")}</RouteLink>
      </Done>
    );
  return (
    <section aria-labelledby="book-title">
      <h2 id="book-title">{t("staff.book.title")}</h2>
      {policy.requiresApproval ? (
        <Body1 as="p" block>
          {t("staff.book.needsApproval")}
        </Body1>
      ) : null}
      <form className={styles.form} onSubmit={(e) => void submit(e)}>
        <Field label={t("staff.book.subject")} required {...fieldProblem(problem, "subject")}>
          <Input value={subject} onChange={(_, d) => setSubject(d.value)} maxLength={255} />
        </Field>
        <div className={styles.row}>
          <Field
            label={t("staff.book.startIn", { zone: room.timeZone })}
            hint={
              startIso === ""
                ? undefined
                : t("staff.book.yourTime", { time: dateTime(startIso), zone: viewerZone() })
            }
            {...fieldProblem(problem, "start")}
          >
            <Input type="datetime-local" value={start} onChange={(_, d) => setStart(d.value)} />
          </Field>
          <Field label={t("staff.find.minutes")} {...fieldProblem(problem, "end")}>
            <Input type="number" min={5} step={5} value={minutes} onChange={(_, d) => setMinutes(d.value)} />
          </Field>
        </div>
        <Field
          label={t("staff.book.attendees")}
          hint={t("staff.book.attendeesHint")}
          {...fieldProblem(problem, "attendees")}
        >
          <Suspense fallback={<Spinner size="tiny" label={t("common.loading")} />}>
            <AttendeePicker label={t("staff.book.attendees")} value={attendees} onChange={setAttendees} />
          </Suspense>
        </Field>
        <Checkbox
          checked={teams}
          onChange={(_, d) => setTeams(d.checked === true)}
          label={t("staff.book.teams")}
        />
        {policy.allowRecurring ? (
          <div className={styles.row}>
            <Field label={t("staff.book.repeat")}>
              <Select value={repeat} onChange={(_, d) => setRepeat(d.value as "none" | "daily" | "weekly")}>
                <option value="none">{t("staff.book.repeatNone")}</option>
                <option value="daily">{t("staff.book.repeatDaily")}</option>
                <option value="weekly">{t("staff.book.repeatWeekly")}</option>
              </Select>
            </Field>
            {repeat === "none" ? null : (
              <Field label={t("staff.book.occurrences")}>
                <Input type="number" min={1} max={100} value={count} onChange={(_, d) => setCount(d.value)} />
              </Field>
            )}
          </div>
        ) : (
          <Body1 as="p" block>
            {t("staff.book.noRecurring")}
          </Body1>
        )}
        {policy.formFields.map((f) => (
          <ExtraField
            key={f.id}
            field={f}
            value={fields[f.id] ?? ""}
            onChange={(v) => setFields({ ...fields, [f.id]: v })}
            problem={problem}
          />
        ))}
        {policy.termsOfUse === null ? null : (
          <>
            <h3>{t("staff.book.terms")}</h3>
            <div className={styles.terms} data-testid="terms">
              {policy.termsOfUse}
            </div>
            <Checkbox
              checked={terms}
              onChange={(_, d) => setTerms(d.checked === true)}
              label={t("staff.book.acceptTerms")}
            />
          </>
        )}
        <BookingProblem error={problem} timeZone={room.timeZone} />
        <div>
          <Button appearance="primary" type="submit">
            {t("staff.book.submit")}
          </Button>
        </div>
      </form>
    </section>
  );
}

export function RoomPage({ roomId }: { roomId: string }) {
  const { t, number } = useI18n();
  const room = useLoad(() => bookingApi.room(roomId), [roomId]);
  const r = room.value;
  return (
    <>
      <PageTitle>{r?.displayName ?? t("staff.room")}</PageTitle>
      <ProblemBar error={room.error} />
      {r === undefined ? null : (
        <>
          <Body1 as="p" block>
            {[
              roomPlace(r),
              r.capacity === null ? "" : t("staff.find.seats", { n: number(r.capacity) }),
              [...r.tags, ...r.devices].join(", "),
            ]
              .filter((p) => p !== "")
              .join(" · ")}
          </Body1>
          <NotInMode capability="booking-from-user-app" />
          <BookingForm room={r} />
          <Schedule room={r} />
        </>
      )}
    </>
  );
}

// ------------------------------------------------------------------ my bookings

function Occurrences({ b, onDone }: { b: Booking; onDone: (b: Booking) => void }) {
  const { t, dateTime } = useI18n();
  const [problem, setProblem] = useState<unknown>();
  const schedule = useLoad(
    () =>
      bookingApi.schedule(
        b.roomIds[0] ?? "",
        new Date(Math.max(Date.now(), Date.parse(b.start))).toISOString(),
        new Date(Math.max(Date.now(), Date.parse(b.start)) + 31 * 86_400_000).toISOString(),
      ),
    [b.id, b.version],
  );
  const mine = (schedule.value?.items ?? []).filter((i) => i.bookingId === b.id);
  return (
    <>
      <ul aria-label={t("staff.mine.occurrences", { subject: b.subject })}>
        {mine.map((o) => (
          <li key={o.occurrence}>
            {dateTime(o.start, b.timeZone)}{" "}
            <Button
              size="small"
              onClick={() =>
                void bookingApi.cancel(b.id, o.occurrence).then(onDone, (e: unknown) => setProblem(e))
              }
            >
              {t("staff.mine.cancelOne", { when: dateTime(o.start, b.timeZone) })}
            </Button>
          </li>
        ))}
      </ul>
      <BookingProblem error={problem} timeZone={b.timeZone} />
    </>
  );
}

function EditBooking({ b, onDone }: { b: Booking; onDone: (b: Booking) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const [subject, setSubject] = useState(b.subject);
  const [start, setStart] = useState(isoToZoned(b.start, b.timeZone));
  const [minutes, setMinutes] = useState(String((Date.parse(b.end) - Date.parse(b.start)) / 60_000));
  const [problem, setProblem] = useState<unknown>();
  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const startIso = zonedToIso(start, b.timeZone);
    try {
      onDone(
        await bookingApi.update(b.id, {
          subject,
          start: startIso,
          end: new Date(Date.parse(startIso) + Number(minutes) * 60_000).toISOString(),
        }),
      );
    } catch (error) {
      setProblem(error);
    }
  };
  return (
    <form
      className={styles.form}
      onSubmit={(e) => void save(e)}
      aria-label={t("staff.mine.edit", { subject: b.subject })}
    >
      <Field label={t("staff.book.subject")} {...fieldProblem(problem, "subject")}>
        <Input value={subject} onChange={(_, d) => setSubject(d.value)} />
      </Field>
      <div className={styles.row}>
        <Field label={t("staff.book.startIn", { zone: b.timeZone })}>
          <Input type="datetime-local" value={start} onChange={(_, d) => setStart(d.value)} />
        </Field>
        <Field label={t("staff.find.minutes")}>
          <Input type="number" min={5} value={minutes} onChange={(_, d) => setMinutes(d.value)} />
        </Field>
      </div>
      <BookingProblem error={problem} timeZone={b.timeZone} />
      <div>
        <Button appearance="primary" type="submit">
          {t("staff.mine.save")}
        </Button>
      </div>
    </form>
  );
}

const active = (b: Booking): boolean =>
  b.state === "pending" || b.state === "confirmed" || b.state === "awaiting-approval";

export function MyBookingsPage() {
  const { t, dateTime } = useI18n();
  const { has } = useCapabilities();
  const list = useLoad(() => bookingApi.mine());
  const [open, setOpen] = useState<{ id: string; what: "edit" | "occurrences" } | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState("");
  const changed = (b: Booking): void => {
    setOpen(undefined);
    setMessage(
      t("staff.mine.changed", { subject: b.subject, state: t(`staff.state.${b.state}` as MessageKey) }),
    );
    list.reload();
  };
  const items = list.value?.items ?? [];
  const chosen = items.find((b) => b.id === open?.id);
  return (
    <>
      <PageTitle>{t("staff.mine.title")}</PageTitle>
      <NotInMode capability="create-booking" />
      <ProblemBar error={list.error} />
      <BookingProblem error={problem} />
      {message === "" ? null : <Done>{message}</Done>}
      {list.value?.items.length === 0 ? <p>{t("staff.mine.none")}</p> : null}
      {items.length > 0 ? (
        <DataTable
          label={t("staff.mine.title")}
          columns={[
            t("staff.book.start"),
            t("staff.book.subject"),
            t("staff.room"),
            t("staff.mine.state"),
            t("staff.mine.actions"),
          ]}
          rows={items.map((b) => ({
            key: b.id,
            testId: "my-booking",
            cells: [
              dateTime(b.start, b.timeZone),
              <RouteLink key="s" href={`/app/bookings/${encodeURIComponent(b.id)}`}>
                {b.subject}
              </RouteLink>,
              b.roomIds.join(", "),
              `${t(`staff.state.${b.state}` as MessageKey)}${b.recurrence === undefined ? "" : ` · ${t("staff.mine.series")}`}`,
              active(b) && has("create-booking") ? (
                <div key="a" style={{ display: "flex", gap: 4, flexWrap: "wrap" }}>
                  <Button size="small" onClick={() => setOpen({ id: b.id, what: "edit" })}>
                    {t("staff.mine.editShort")}
                  </Button>
                  {b.recurrence === undefined ? null : (
                    <Button size="small" onClick={() => setOpen({ id: b.id, what: "occurrences" })}>
                      {t("staff.mine.occurrencesShort")}
                    </Button>
                  )}
                  <Button
                    size="small"
                    aria-label={t("staff.mine.cancel", { subject: b.subject })}
                    onClick={() => {
                      setProblem(undefined);
                      void bookingApi.cancel(b.id).then(changed, (e: unknown) => setProblem(e));
                    }}
                  >
                    {t("staff.mine.cancelShort")}
                  </Button>
                </div>
              ) : (
                ""
              ),
            ],
          }))}
        />
      ) : null}
      {chosen === undefined || open === undefined ? null : open.what === "edit" ? (
        <EditBooking key={chosen.id} b={chosen} onDone={changed} />
      ) : (
        <Occurrences key={chosen.id} b={chosen} onDone={changed} />
      )}
    </>
  );
}

// ------------------------------------------------------------------ one booking; approval

export function BookingPage({ bookingId }: { bookingId: string }) {
  const styles = useStyles();
  const { t, dateTime } = useI18n();
  const b = useLoad(() => bookingApi.get(bookingId), [bookingId]);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<unknown>();
  const v = b.value;
  const decide = (call: Promise<Booking>): void => {
    setProblem(undefined);
    call.then(
      (next) => b.setValue(next),
      (e: unknown) => setProblem(e),
    );
  };
  return (
    <>
      <PageTitle>{v?.subject ?? t("staff.booking")}</PageTitle>
      <ProblemBar error={b.error} />
      {v === undefined ? null : (
        <>
          <dl>
            <dt>{t("staff.mine.state")}</dt>
            <dd data-testid="booking-state">{t(`staff.state.${v.state}` as MessageKey)}</dd>
            <dt>{t("staff.book.start")}</dt>
            <dd>
              {dateTime(v.start, v.timeZone)} ({v.timeZone})
            </dd>
            <dt>{t("staff.book.end")}</dt>
            <dd>{dateTime(v.end, v.timeZone)}</dd>
            <dt>{t("staff.room")}</dt>
            <dd>{v.roomIds.join(", ")}</dd>
            <dt>{t("staff.organizer")}</dt>
            <dd>{v.organizer.name ?? v.organizer.email}</dd>
            {Object.entries(v.fields).map(([k, val]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{String(val)}</dd>
              </div>
            ))}
            {v.reason === undefined ? null : (
              <>
                <dt>{t("staff.approvals.reason")}</dt>
                <dd>{v.reason}</dd>
              </>
            )}
          </dl>
          {v.state === "awaiting-approval" ? (
            <section aria-labelledby="decide-title" className={styles.form}>
              <h2 id="decide-title">{t("staff.approvals.decide")}</h2>
              <Button appearance="primary" onClick={() => decide(bookingApi.approve(v.id))}>
                {t("staff.approvals.approve")}
              </Button>
              <Field label={t("staff.approvals.reason")} {...fieldProblem(problem, "reason")}>
                <Textarea value={reason} onChange={(_, d) => setReason(d.value)} />
              </Field>
              <div>
                <Button onClick={() => decide(bookingApi.reject(v.id, reason))}>
                  {t("staff.approvals.reject")}
                </Button>
              </div>
            </section>
          ) : null}
          <BookingProblem error={problem} timeZone={v.timeZone} />
        </>
      )}
    </>
  );
}

/** A request in words: its subject when the room shows it, else its room and time. */
function requestName(r: ApprovalRequest, when: string): string {
  return r.subject ?? `${r.rooms.map((room) => room.name).join(", ")}, ${when}`;
}

function RejectForm({
  request,
  name,
  onDone,
  onClose,
}: {
  request: ApprovalRequest;
  name: string;
  onDone: (b: Booking) => void;
  onClose: () => void;
}) {
  const styles = useStyles();
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<unknown>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    try {
      onDone(await bookingApi.reject(request.id, reason));
    } catch (error) {
      setProblem(error);
    }
  };
  return (
    <form
      className={styles.form}
      onSubmit={(e) => void submit(e)}
      aria-label={t("staff.approvals.rejectOne", { what: name })}
    >
      <Field label={t("staff.approvals.reasonFor", { what: name })} {...fieldProblem(problem, "reason")}>
        <Textarea value={reason} onChange={(_, d) => setReason(d.value)} autoFocus />
      </Field>
      <BookingProblem error={problem} timeZone={request.timeZone} />
      <div className={styles.row}>
        <Button appearance="primary" type="submit">
          {t("staff.approvals.confirmReject")}
        </Button>
        <Button onClick={onClose}>{t("staff.approvals.notNow")}</Button>
      </div>
    </form>
  );
}

/**
 * Approvals waiting for me (GET /api/bookings/approvals): each request with its room, its time in the
 * room's zone, the organizer and the subject as the room's privacy allows; approve, or reject with a
 * reason, in place. The mail's link (`/app/bookings/{id}?review=approval`) still opens one request.
 */
export function ApprovalsPage() {
  const { t, dateTime } = useI18n();
  const [items, setItems] = useState<readonly ApprovalRequest[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [rejecting, setRejecting] = useState<string | undefined>();
  const [message, setMessage] = useState("");
  const [tick, setTick] = useState(0);
  const legacy = new URLSearchParams(location.search).get("booking");
  useEffect(() => {
    if (legacy !== null && legacy.trim() !== "")
      navigate(`/app/bookings/${encodeURIComponent(legacy.trim())}?review=approval`);
  }, [legacy]);
  const load = (from?: string): void => {
    bookingApi.approvals(from).then(
      (page) => {
        setItems((before) => (from === undefined ? page.items : [...(before ?? []), ...page.items]));
        setCursor(page.cursor);
      },
      (error: unknown) => setProblem(error),
    );
  };
  useEffect(() => load(), [tick]);
  const when = (r: ApprovalRequest): string =>
    `${dateTime(r.start, r.timeZone)} – ${dateTime(r.end, r.timeZone)}`;
  const decided = (name: string, b: Booking): void => {
    setRejecting(undefined);
    setMessage(t("staff.mine.changed", { subject: name, state: t(`staff.state.${b.state}` as MessageKey) }));
    setTick((n) => n + 1);
  };
  const approve = (r: ApprovalRequest, name: string): void => {
    setProblem(undefined);
    bookingApi.approve(r.id).then(
      (b) => decided(name, b),
      (error: unknown) => setProblem(error),
    );
  };
  const open = items?.find((r) => r.id === rejecting);
  return (
    <>
      <PageTitle>{t("staff.approvals.title")}</PageTitle>
      <NotInMode capability="booking-approval" />
      <Body1 as="p" block>
        {t("staff.approvals.byMail")}
      </Body1>
      <ProblemBar error={problem} />
      {message === "" ? null : <Done>{message}</Done>}
      {items?.length === 0 ? <p>{t("staff.approvals.none")}</p> : null}
      {items !== undefined && items.length > 0 ? (
        <DataTable
          label={t("staff.approvals.waiting")}
          columns={[t("staff.approvals.request"), t("staff.organizer"), t("staff.mine.actions")]}
          rows={items.map((r) => {
            const name = requestName(r, dateTime(r.start, r.timeZone));
            return {
              key: r.id,
              testId: "approval-request",
              cells: [
                <div key="r">
                  <RouteLink href={`/app/bookings/${encodeURIComponent(r.id)}?review=approval`}>
                    {r.subject ?? t("staff.approvals.subjectHidden")}
                  </RouteLink>
                  <br />
                  <Breakable text={r.rooms.map((room) => room.name).join(", ")} />
                  <br />
                  {when(r)} ({r.timeZone}){r.recurring ? ` · ${t("staff.mine.series")}` : ""}
                </div>,
                <div key="o">
                  {r.organizer.name ?? <Breakable text={r.organizer.email} />}
                  {r.organizer.name === undefined ? null : (
                    <>
                      <br />
                      <Breakable text={r.organizer.email} />
                    </>
                  )}
                </div>,
                <div key="a" style={{ display: "flex", gap: 4, flexWrap: "wrap" }}>
                  <Button
                    size="small"
                    appearance="primary"
                    aria-label={t("staff.approvals.approveOne", { what: name })}
                    onClick={() => approve(r, name)}
                  >
                    {t("staff.approvals.approve")}
                  </Button>
                  <Button
                    size="small"
                    aria-label={t("staff.approvals.rejectOne", { what: name })}
                    onClick={() => {
                      setProblem(undefined);
                      setRejecting(r.id);
                    }}
                  >
                    {t("staff.approvals.reject")}
                  </Button>
                </div>,
              ],
            };
          })}
        />
      ) : null}
      {cursor === undefined ? null : <Button onClick={() => load(cursor)}>{t("common.more")}</Button>}
      {open === undefined ? null : (
        <RejectForm
          key={open.id}
          request={open}
          name={requestName(open, dateTime(open.start, open.timeZone))}
          onDone={(b) => decided(requestName(open, dateTime(open.start, open.timeZone)), b)}
          onClose={() => setRejecting(undefined)}
        />
      )}
    </>
  );
}
