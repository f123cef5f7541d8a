import { Spinner } from "@fluentui/react-components";
import { lazy, Suspense, type ReactNode } from "react";
import { useI18n } from "../i18n/I18n";
import { Shell, type NavItem } from "../ui/Shell";
import { usePath } from "../ui/router";

// The booking pages load after the shell, so the first load stays small.
const pages = import("./BookingPages");
const FindRoomPage = lazy(() => pages.then((m) => ({ default: m.FindRoomPage })));
const RoomPage = lazy(() => pages.then((m) => ({ default: m.RoomPage })));
const MyBookingsPage = lazy(() => pages.then((m) => ({ default: m.MyBookingsPage })));
const BookingPage = lazy(() => pages.then((m) => ({ default: m.BookingPage })));
const ApprovalsPage = lazy(() => pages.then((m) => ({ default: m.ApprovalsPage })));

const nav: NavItem[] = [
  { href: "/app", label: "nav.findRoom" },
  { href: "/app/bookings", label: "nav.myBookings" },
  { href: "/app/approvals", label: "nav.approvals" },
];

function route(path: string): ReactNode {
  const room = /^\/app\/rooms\/([^/]+)$/.exec(path);
  if (room !== null) return <RoomPage roomId={decodeURIComponent(room[1] ?? "")} />;
  const booking = /^\/app\/bookings\/([^/]+)$/.exec(path);
  if (booking !== null) return <BookingPage bookingId={decodeURIComponent(booking[1] ?? "")} />;
  if (path === "/app/bookings") return <MyBookingsPage />;
  if (path === "/app/approvals") return <ApprovalsPage />;
  return <FindRoomPage />;
}

function Loading() {
  const { t } = useI18n();
  return <Spinner label={t("common.loading")} />;
}

/** The staff pages: find a room, a room's schedule and booking form, my bookings, approvals. */
export function StaffApp() {
  const path = usePath().replace(/\/+$/, "");
  return (
    <Shell title="shell.appTitle" nav={nav}>
      {() => (
        <Suspense fallback={<Loading />} key={path}>
          {route(path)}
        </Suspense>
      )}
    </Shell>
  );
}
