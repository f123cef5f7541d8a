import { Button, Subtitle2 } from "@fluentui/react-components";
import { useState } from "react";
import { api } from "../api/client";
import type { RoomSyncRecord } from "../../../shared/app/ports/room-calendars";
import { useI18n } from "../i18n/I18n";
import { DataTable } from "../ui/DataTable";
import { Done, ProblemBar } from "../ui/Shell";
import { useLoad } from "../ui/session";

/** Per-room calendar sync health (`GET /api/admin/sync` → `rooms`) with a resync per room. */
export function RoomSyncTable() {
  const { t, dateTime } = useI18n();
  const page = useLoad(() =>
    api.get<{ rooms: { items: readonly RoomSyncRecord[] } }>("/api/admin/sync?roomsLimit=200"),
  );
  const [problem, setProblem] = useState<unknown>();
  const [queued, setQueued] = useState("");
  const resync = (roomId: string): void => {
    setProblem(undefined);
    api
      .post(`/api/admin/rooms/${encodeURIComponent(roomId)}/resync`)
      .then(() => setQueued(roomId), setProblem);
  };
  const items = page.value?.rooms.items ?? [];
  return (
    <section aria-labelledby="room-health">
      <Subtitle2 as="h2" id="room-health" block>
        {t("roomSync.title")}
      </Subtitle2>
      <ProblemBar error={problem ?? page.error} />
      {queued === "" ? null : <Done>{t("roomSync.queued", { room: queued })}</Done>}
      {page.value !== undefined && items.length === 0 ? <p>{t("roomSync.none")}</p> : null}
      {items.length > 0 ? (
        <DataTable
          label={t("roomSync.title")}
          columns={[
            t("staff.room"),
            t("roomSync.subscription"),
            t("roomSync.lastNotification"),
            t("roomSync.lastRead"),
            t("roomSync.error"),
            t("deadLetters.action"),
          ]}
          rows={items.map((r) => ({
            key: r.roomId,
            testId: "room-sync",
            cells: [
              r.roomId,
              `${r.subscriptionState ?? "—"}${r.subscriptionExpiresAt === undefined ? "" : ` · ${dateTime(r.subscriptionExpiresAt)}`}`,
              dateTime(r.lastNotificationAt),
              `${dateTime(r.lastReadAt)}${r.eventsRead === undefined ? "" : ` · ${r.eventsRead}`}`,
              r.lastError === undefined ? "" : `${r.lastError.code} (${dateTime(r.lastError.at)})`,
              <Button
                key="r"
                size="small"
                aria-label={t("roomSync.resyncOne", { room: r.roomId })}
                onClick={() => resync(r.roomId)}
              >
                {t("roomSync.resync")}
              </Button>,
            ],
          }))}
        />
      ) : null}
    </section>
  );
}
