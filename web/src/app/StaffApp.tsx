import { Body1, Button, Field, Input, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type ReactNode } from "react";
import { api } from "../api/client";
import { bookingApi, type Booking, type Room } from "../api/bookings";
import type { CapabilityReport, Me } from "../api/types";
import { useI18n } from "../i18n/I18n";
import type { MessageKey } from "../i18n/locales";
import { PageTitle, ProblemBar, Shell, type NavItem } from "../ui/Shell";
import { usePath } from "../ui/router";
import { useLoad } from "../ui/session";

const useStyles = makeStyles({
  filters: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "end" },
});

/** Capabilities of the mode, by name (GET /api/integration/capabilities). */
function useCapabilities() {
  const caps = useLoad(() => api.get<CapabilityReport>("/api/integration/capabilities"));
  const cell = (name: string) => caps.value?.capabilities.find((c) => c.capability === name);
  return { caps, cell };
}

/** What the mode does not allow is explained in words, never shown as a dead button. */
function NotInMode({ capability }: { capability: string }) {
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

function FindRoomPage() {
  const styles = useStyles();
  const { t, number } = useI18n();
  const { cell } = useCapabilities();
  const [building, setBuilding] = useState("");
  const [capacity, setCapacity] = useState("");
  const [rooms, setRooms] = useState<readonly Room[] | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const search = async (): Promise<void> => {
    setProblem(undefined);
    try {
      const page = await bookingApi.rooms({
        building,
        ...(capacity === "" ? {} : { capacity: Number(capacity) }),
        from: new Date().toISOString(),
        to: new Date(Date.now() + 30 * 60_000).toISOString(),
      });
      setRooms(page.items);
    } catch (error) {
      setProblem(error);
    }
  };
  const canBook = cell("booking-from-user-app")?.available === true;
  return (
    <>
      <PageTitle>{t("staff.find.title")}</PageTitle>
      <NotInMode capability="booking-from-user-app" />
      <div className={styles.filters}>
        <Field label={t("staff.find.building")}>
          <Input value={building} onChange={(_, d) => setBuilding(d.value)} />
        </Field>
        <Field label={t("staff.find.capacity")}>
          <Input type="number" min={0} value={capacity} onChange={(_, d) => setCapacity(d.value)} />
        </Field>
        <Button appearance="primary" onClick={() => void search()}>
          {t("staff.find.search")}
        </Button>
      </div>
      <ProblemBar error={problem} />
      {rooms === undefined ? null : rooms.length === 0 ? (
        <p>{t("staff.find.none")}</p>
      ) : (
        <ul>
          {rooms.map((r) => (
            <li key={r.id}>
              {r.displayName}
              {r.capacity === undefined ? "" : ` · ${t("staff.find.seats", { n: number(r.capacity) })}`}
              {r.free === true ? ` · ${t("staff.find.freeNow")}` : ""}
              {canBook ? null : ` · ${t("staff.find.viewOnly")}`}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function MyBookingsPage() {
  const { t, dateTime } = useI18n();
  const list = useLoad(() => bookingApi.mine());
  return (
    <>
      <PageTitle>{t("staff.mine.title")}</PageTitle>
      <NotInMode capability="create-booking" />
      <ProblemBar error={list.error} />
      {list.value?.items.length === 0 ? <p>{t("staff.mine.none")}</p> : null}
      <ul>
        {list.value?.items.map((b: Booking) => (
          <li key={b.id}>
            {dateTime(b.start)} – {b.subject} ({t(`staff.state.${b.state}` as MessageKey)})
          </li>
        ))}
      </ul>
    </>
  );
}

function ApprovalsPage() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t("staff.approvals.title")}</PageTitle>
      <NotInMode capability="booking-approval" />
      <Body1 as="p" block>
        {t("staff.approvals.none")}
      </Body1>
    </>
  );
}

const pages: Record<string, { nav: NavItem; page: (me: Me) => ReactNode }> = {
  "/app": { nav: { href: "/app", label: "nav.findRoom" }, page: () => <FindRoomPage /> },
  "/app/bookings": {
    nav: { href: "/app/bookings", label: "nav.myBookings" },
    page: () => <MyBookingsPage />,
  },
  "/app/approvals": {
    nav: { href: "/app/approvals", label: "nav.approvals" },
    page: () => <ApprovalsPage />,
  },
};
const nav = Object.values(pages).map((p) => p.nav);

/** The staff pages: find a room, my bookings, approvals; signed-in staff only. */
export function StaffApp() {
  const path = usePath().replace(/\/+$/, "");
  const entry = pages[path] ?? pages["/app"];
  return (
    <Shell title="shell.appTitle" nav={nav}>
      {(me) => entry?.page(me)}
    </Shell>
  );
}
