import {
  Badge,
  Body1,
  Button,
  Card,
  CardHeader,
  makeStyles,
  ProgressBar,
  Subtitle2,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { SyncKind, SyncKindReport, SyncStatusReport } from "../api/types";
import { useI18n } from "../i18n/I18n";
import type { MessageKey } from "../i18n/locales";
import { PageTitle, ProblemBar } from "../ui/Shell";
import { RoomSyncTable } from "./RoomSyncTable";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(320px, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
  dl: { margin: 0, "& dt": { fontWeight: tokens.fontWeightSemibold, marginTop: tokens.spacingVerticalXS } },
});

/** How often the page asks while a run is under way, and while nothing runs. */
const RUNNING_POLL_MS = 1000;
const IDLE_POLL_MS = 15_000;

const stateColour = {
  idle: "informative",
  running: "brand",
  succeeded: "success",
  failed: "danger",
  unavailable: "subtle",
  "never-run": "subtle",
} as const;

/** Rooms and directory sync: state, live progress while a run is under way (polling), run now. */
export function SyncPage() {
  const styles = useStyles();
  const { t } = useI18n();
  const [report, setReport] = useState<SyncStatusReport | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [asked, setAsked] = useState<Partial<Record<SyncKind, boolean>>>({});
  const timer = useRef<number | undefined>(undefined);
  /** Set while a "run now" is being asked: poll quickly until the run shows. */
  const eager = useRef(false);
  const pollNow = useRef<() => void>(() => undefined);

  useEffect(() => {
    let live = true;
    const poll = async (): Promise<void> => {
      window.clearTimeout(timer.current);
      let running = false;
      try {
        const next = await api.get<SyncStatusReport>("/api/admin/sync");
        if (!live) return;
        setReport(next);
        running = next.kinds.some((k) => k.state === "running");
      } catch (error) {
        if (live) setProblem(error);
      }
      if (!live) return;
      const delay = running || eager.current ? RUNNING_POLL_MS : IDLE_POLL_MS;
      timer.current = window.setTimeout(() => void poll(), delay);
    };
    pollNow.current = () => void poll();
    void poll();
    return () => {
      live = false;
      window.clearTimeout(timer.current);
    };
  }, []);

  const runNow = async (kind: SyncKind): Promise<void> => {
    setAsked((a) => ({ ...a, [kind]: true }));
    setProblem(undefined);
    eager.current = true;
    pollNow.current();
    try {
      await api.post(`/api/admin/sync/${kind}`);
    } catch (error) {
      setProblem(error);
    } finally {
      eager.current = false;
      setAsked((a) => ({ ...a, [kind]: false }));
      pollNow.current();
    }
  };

  return (
    <>
      <PageTitle>{t("sync.title")}</PageTitle>
      <ProblemBar error={problem} />
      <div className={styles.grid}>
        {report?.kinds.map((k) => (
          <SyncCard
            key={k.kind}
            report={k}
            running={asked[k.kind] === true}
            onRun={() => void runNow(k.kind)}
          />
        ))}
      </div>
      <RoomSyncTable />
    </>
  );
}

function SyncCard({
  report: k,
  running,
  onRun,
}: {
  report: SyncKindReport;
  running: boolean;
  onRun: () => void;
}) {
  const styles = useStyles();
  const { t, dateTime, number } = useI18n();
  return (
    <Card data-testid={`sync-${k.kind}`} aria-labelledby={`sync-${k.kind}-title`}>
      <CardHeader
        header={
          <Subtitle2 as="h2" id={`sync-${k.kind}-title`}>
            {t(`sync.kind.${k.kind}` as MessageKey)}
          </Subtitle2>
        }
        action={
          <Badge appearance="filled" color={stateColour[k.state]} data-testid={`sync-${k.kind}-state`}>
            {t(`sync.state.${k.state}` as MessageKey)}
          </Badge>
        }
      />
      {k.state === "running" ? (
        <div data-testid={`sync-${k.kind}-progress`}>
          <ProgressBar aria-label={t("sync.progress")} />
          <Body1>
            {t("sync.progressText", {
              pages: number(k.progress?.pages ?? 0),
              read: number(k.progress?.read ?? 0),
              written: number(k.progress?.written ?? 0),
            })}
          </Body1>
        </div>
      ) : null}
      <dl className={styles.dl}>
        <dt>{t("sync.lastStarted")}</dt>
        <dd>{dateTime(k.startedAt)}</dd>
        <dt>{t("sync.lastSuccess")}</dt>
        <dd>{dateTime(k.lastSuccessAt)}</dd>
        {k.counts === undefined ? null : (
          <>
            <dt>{t("sync.counts")}</dt>
            <dd>
              {Object.entries(k.counts)
                .map(([name, n]) => `${name}: ${number(n)}`)
                .join(", ")}
            </dd>
          </>
        )}
        {k.lastError === undefined ? null : (
          <>
            <dt>{t("sync.lastError")}</dt>
            <dd>
              {dateTime(k.lastError.at)}: {k.lastError.message}
            </dd>
          </>
        )}
      </dl>
      {k.unavailable.length === 0 ? null : (
        <>
          <Body1 as="p" block>
            {t("sync.notInMode")}
          </Body1>
          <ul>
            {k.unavailable.map((u) => (
              <li key={u.part}>
                {u.part}: {u.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      {k.available ? (
        <Button appearance="primary" onClick={onRun} disabledFocusable={running || k.state === "running"}>
          {running || k.state === "running" ? t("sync.running") : t("sync.runNow")}
        </Button>
      ) : (
        <Body1 as="p" block>
          {t("sync.unavailableInMode")}
        </Body1>
      )}
    </Card>
  );
}
