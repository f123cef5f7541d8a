import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Spinner,
  Subtitle1,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiProblem } from "../../src/api/client";
import type { CapabilityReport } from "../../src/api/types";
import { useI18n } from "../../src/i18n/I18n";
import { Done, ProblemBar } from "../../src/ui/Shell";
import type { AddinApi, AddinRoom, Hold, RoomPolicySummary } from "./api";
import {
  applyRoom,
  readMeeting,
  removeRoom,
  requiredCapacity,
  saveAndGetItemId,
  type Meeting,
} from "./meeting";
import type { OfficeSurface } from "./office";
import { orderRooms, policyConflict } from "./rooms";

const LAST_BUILDING = "ones.addin.lastBuilding";

const useStyles = makeStyles({
  pane: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
  },
  filters: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(9rem, 1fr))",
    gap: tokens.spacingHorizontalS,
    marginBottom: tokens.spacingVerticalS,
  },
  control: { minWidth: 0, width: "100%" },
  list: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    listStyle: "none",
    padding: 0,
    margin: 0,
  },
  limits: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
  unavailable: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

/** Capabilities the pane explains when the mode lacks them: they change what a booking from Outlook gets. */
const explained = new Set([
  "create-booking",
  "terms-of-use",
  "extra-form-fields",
  "edit-delete-restriction",
  "book-for-others",
  "booking-approval",
]);

/**
 * The task pane: the meeting as Outlook has it, the rooms free then that seat everyone (the viewer's
 * last building first) with their limits, and the choice: hold the room in ONES, put it on the meeting,
 * tag the item and tell ONES the saved item's id.
 */
export function Pane({ office, api }: { office: OfficeSurface; api: AddinApi }) {
  const styles = useStyles();
  const { t, dateTime } = useI18n();
  const [meeting, setMeeting] = useState<Meeting>();
  const [caps, setCaps] = useState<CapabilityReport>();
  const [rooms, setRooms] = useState<readonly AddinRoom[]>();
  const [policies, setPolicies] = useState<Readonly<Record<string, RoomPolicySummary>>>({});
  const [buildings, setBuildings] = useState<readonly string[]>([]);
  const [building, setBuilding] = useState("");
  const [floor, setFloor] = useState("");
  const [equipment, setEquipment] = useState("");
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [held, setHeld] = useState<{ hold: Hold; room: AddinRoom; itemId?: string }>();

  const roomAddresses = useMemo(() => new Set((rooms ?? []).map((r) => r.email.toLowerCase())), [rooms]);
  const capacity = meeting === undefined ? 1 : requiredCapacity(meeting, roomAddresses);

  const search = useCallback(
    async (m: Meeting, filter: { building: string; floor: string; equipment: string }) => {
      setProblem(undefined);
      try {
        const page = await api.freeRooms({
          from: m.start.toISOString(),
          to: m.end.toISOString(),
          capacity: requiredCapacity(m),
          ...(filter.building === "" ? {} : { building: filter.building }),
          ...(filter.floor === "" ? {} : { floor: filter.floor }),
          ...(filter.equipment === "" ? {} : { equipment: filter.equipment }),
        });
        setRooms(page.items);
        setBuildings((known) => [...new Set([...known, ...page.items.map((r) => r.building.name)])].sort());
        // Each room's rules, to show its limits before the choice.
        const details = await Promise.allSettled(page.items.map((r) => api.room(r.id)));
        setPolicies(
          Object.fromEntries(
            details.flatMap((d) => (d.status === "fulfilled" ? [[d.value.id, d.value.policy]] : [])),
          ),
        );
      } catch (error) {
        setRooms(undefined);
        setProblem(error);
      }
    },
    [api],
  );

  const load = useCallback(async () => {
    setProblem(undefined);
    try {
      const m = await readMeeting(office);
      setMeeting(m);
      api.capabilities().then(setCaps, () => setCaps(undefined));
      await search(m, { building: "", floor, equipment });
    } catch (error) {
      setProblem(error);
    }
  }, [office, api, search, floor, equipment]);

  useEffect(() => {
    void load();
    // Read the meeting once when the pane opens; "Read the meeting again" reloads on demand.
  }, []);

  const choose = async (room: AddinRoom): Promise<void> => {
    if (meeting === undefined) return;
    setBusy(room.id);
    setProblem(undefined);
    try {
      // Choosing another room gives the first one back: its hold is released and it leaves the meeting.
      if (held !== undefined) {
        await api.release(held.hold.id).catch(() => undefined);
        await removeRoom(office, { email: held.room.email, displayName: held.room.displayName });
        setHeld(undefined);
      }
      const hold = await api.hold({
        roomId: room.id,
        start: meeting.start.toISOString(),
        end: meeting.end.toISOString(),
        attendeeCount: capacity,
      });
      await applyRoom(office, { email: room.email, displayName: room.displayName }, hold.id);
      setHeld({ hold, room });
      localStorage.setItem(LAST_BUILDING, room.building.name);
      const itemId = await saveAndGetItemId(office);
      await api.attachItem(hold.id, itemId);
      setHeld({ hold, room, itemId });
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(undefined);
    }
  };

  const fitting = orderRooms(
    (rooms ?? []).filter((r) => r.capacity === null || r.capacity >= capacity),
    localStorage.getItem(LAST_BUILDING) ?? undefined,
  );
  const missing = caps?.capabilities.filter((c) => !c.available && explained.has(c.capability)) ?? [];

  return (
    <main className={styles.pane} aria-labelledby="pane-title">
      <Subtitle1 as="h1" id="pane-title">
        {t("addin.title")}
      </Subtitle1>
      {meeting === undefined ? (
        problem === undefined ? (
          <Spinner size="small" label={t("common.loading")} />
        ) : null
      ) : (
        <section aria-label={t("addin.meeting")} data-testid="meeting">
          <Body1 block>
            {t("addin.when", {
              start: dateTime(meeting.start.toISOString()),
              end: dateTime(meeting.end.toISOString()),
            })}
          </Body1>
          <Body1 block data-testid="capacity">
            {t("addin.people", { count: capacity })}
          </Body1>
          <Button appearance="subtle" size="small" onClick={() => void load()}>
            {t("addin.reload")}
          </Button>
        </section>
      )}
      {caps !== undefined && missing.length > 0 ? (
        <MessageBar intent="info" data-testid="mode-note">
          <MessageBarBody>
            <MessageBarTitle>{t("addin.modeTitle", { mode: caps.modeLabel })}</MessageBarTitle>
            {t("addin.modeExplain")}
            <ul className={styles.unavailable}>
              {missing.map((c) => (
                <li key={c.capability}>{c.label}</li>
              ))}
            </ul>
            {[...new Set(missing.flatMap((c) => (c.reason === undefined ? [] : [c.reason])))].map(
              (reason) => (
                <Caption1 block key={reason}>
                  {reason}
                </Caption1>
              ),
            )}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {held === undefined ? null : (
        <Done>
          <span data-testid="held">
            {t("addin.held", { room: held.room.displayName, time: dateTime(held.hold.expiresAt) })}
          </span>
          {held.itemId === undefined ? null : ` ${t("addin.itemSaved")}`}
        </Done>
      )}
      <ProblemBar error={refusal(problem, t)} />
      <form
        aria-label={t("addin.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          if (meeting !== undefined) void search(meeting, { building, floor, equipment });
        }}
      >
        <div className={styles.filters}>
          <Field label={t("staff.find.building")}>
            <Select className={styles.control} value={building} onChange={(_, d) => setBuilding(d.value)}>
              <option value="">{t("addin.anyBuilding")}</option>
              {buildings.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("addin.floor")}>
            <Input className={styles.control} value={floor} onChange={(_, d) => setFloor(d.value)} />
          </Field>
          <Field label={t("addin.equipment")}>
            <Input className={styles.control} value={equipment} onChange={(_, d) => setEquipment(d.value)} />
          </Field>
        </div>
        <Button type="submit" appearance="secondary" disabled={meeting === undefined}>
          {t("addin.search")}
        </Button>
      </form>
      <section aria-labelledby="rooms-title">
        <Subtitle1 as="h2" id="rooms-title">
          {t("addin.rooms")}
        </Subtitle1>
        {rooms === undefined ? null : fitting.length === 0 ? (
          <Body1 block>{t("addin.noRooms")}</Body1>
        ) : (
          <ul className={styles.list} data-testid="rooms">
            {fitting.map((room) => {
              const conflict =
                meeting === undefined
                  ? undefined
                  : policyConflict(policies[room.id], meeting.start, meeting.end);
              return (
                <li key={room.id}>
                  <Card size="small">
                    <CardHeader
                      header={<Body1 as="h3">{room.displayName}</Body1>}
                      description={
                        <Caption1>
                          {[
                            room.building.name,
                            room.floor.label ??
                              (room.floor.number === null ? undefined : String(room.floor.number)),
                            room.capacity === null ? undefined : t("staff.find.seats", { n: room.capacity }),
                          ]
                            .filter((x) => x !== undefined)
                            .join(" · ")}
                        </Caption1>
                      }
                    />
                    <Limits policy={policies[room.id]} />
                    {conflict === undefined ? null : (
                      <Caption1>{t(conflict === "too-short" ? "addin.tooShort" : "addin.tooLong")}</Caption1>
                    )}
                    <Button
                      appearance="primary"
                      disabled={busy !== undefined || conflict !== undefined || held?.room.id === room.id}
                      onClick={() => void choose(room)}
                    >
                      {busy === room.id ? t("addin.holding") : t("addin.hold")}
                    </Button>
                  </Card>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </main>
  );
}

function Limits({ policy }: { policy: RoomPolicySummary | undefined }) {
  const styles = useStyles();
  const { t } = useI18n();
  if (policy === undefined) return null;
  const { minDurationMinutes: min, maxDurationMinutes: max } = policy;
  const badges = [
    min !== null && max !== null
      ? t("addin.policy.duration", { min, max })
      : max !== null
        ? t("addin.policy.maxDuration", { max })
        : min !== null
          ? t("addin.policy.minDuration", { min })
          : undefined,
    policy.bookingWindowDays === null
      ? undefined
      : t("addin.policy.window", { days: policy.bookingWindowDays }),
    policy.businessHours === null
      ? undefined
      : t("addin.policy.hours", { start: policy.businessHours.start, end: policy.businessHours.end }),
    policy.requiresApproval ? t("addin.policy.approval") : undefined,
    policy.checkIn.required ? t("addin.policy.checkIn") : undefined,
  ].filter((b): b is string => b !== undefined);
  return (
    <div className={styles.limits} role="group" aria-label={t("addin.limits")}>
      {badges.map((b) => (
        <Badge key={b} appearance="tint" color="informative">
          {b}
        </Badge>
      ))}
    </div>
  );
}

/** A hold refused by a room rule (422 with `rule`) or a conflict (409) says why in the pane's words. */
function refusal(problem: unknown, t: ReturnType<typeof useI18n>["t"]): unknown {
  if (!(problem instanceof ApiProblem) || (problem.status !== 422 && problem.status !== 409)) return problem;
  return t("addin.refused", { reason: problem.message });
}

export function NotInOutlook({ reason }: { reason: "no-office" | "not-set-up" }) {
  const { t } = useI18n();
  return (
    <MessageBar intent="warning">
      <MessageBarBody>{t(reason === "no-office" ? "addin.notInOutlook" : "addin.notSetUp")}</MessageBarBody>
    </MessageBar>
  );
}
