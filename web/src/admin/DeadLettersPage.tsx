import { Button, Field, Select } from "@fluentui/react-components";
import { DataTable } from "../ui/DataTable";
import { useEffect, useState } from "react";
import { api, query } from "../api/client";
import type { DeadLetterListing, DeadLetterView } from "../api/types";
import { useI18n } from "../i18n/I18n";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";

const queues = ["mail", "sync-run", "booking-commands"];

function summaryText(d: DeadLetterView): string {
  if (d.summary === undefined) return "";
  return "recipient" in d.summary ? `${d.summary.template} → ${d.summary.recipient}` : d.summary.kind;
}

/** Failed work by queue, with reason and attempts (never bodies); replay puts it back on its queue. */
export function DeadLettersPage() {
  const { t, dateTime, number } = useI18n();
  const [queue, setQueue] = useState("");
  const [items, setItems] = useState<DeadLetterView[]>([]);
  const [continuation, setContinuation] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();

  const load = async (more: boolean): Promise<void> => {
    setProblem(undefined);
    try {
      const page = await api.get<DeadLetterListing>(
        `/api/admin/dead-letters${query({ queue, continuation: more ? continuation : undefined })}`,
      );
      setItems((list) => (more ? [...list, ...page.items] : [...page.items]));
      setContinuation(page.continuation);
    } catch (error) {
      setProblem(error);
    }
  };
  useEffect(() => {
    void load(false);
  }, [queue]);

  const replay = async (d: DeadLetterView): Promise<void> => {
    setProblem(undefined);
    setDone(undefined);
    try {
      await api.post(`/api/admin/dead-letters/${encodeURIComponent(d.id)}/replay`);
      setItems((list) => list.filter((x) => x.id !== d.id));
      setDone(t("deadLetters.replayed", { queue: d.queue }));
    } catch (error) {
      setProblem(error);
    }
  };

  return (
    <>
      <PageTitle>{t("deadLetters.title")}</PageTitle>
      <Field label={t("deadLetters.queue")}>
        <Select value={queue} onChange={(_, d) => setQueue(d.value)}>
          <option value="">{t("deadLetters.allQueues")}</option>
          {queues.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </Select>
      </Field>
      <ProblemBar error={problem} />
      {done === undefined ? null : <Done>{done}</Done>}
      {items.length === 0 ? <p>{t("deadLetters.none")}</p> : null}
      <DataTable
        label={t("deadLetters.title")}
        columns={[
          t("deadLetters.failedAt"),
          t("deadLetters.queue"),
          t("deadLetters.reason"),
          t("deadLetters.attempts"),
          t("deadLetters.what"),
          t("deadLetters.action"),
        ]}
        rows={items.map((d) => ({
          key: d.id,
          cells: [
            dateTime(d.failedAt),
            d.queue,
            d.description === "" ? d.reason : `${d.reason}: ${d.description}`,
            number(d.attempts),
            summaryText(d),
            <Button
              size="small"
              onClick={() => void replay(d)}
              aria-label={t("deadLetters.replayOne", { id: d.messageId })}
            >
              {t("deadLetters.replay")}
            </Button>,
          ],
        }))}
      />
      {continuation === undefined ? null : (
        <p>
          <Button onClick={() => void load(true)}>{t("common.more")}</Button>
        </p>
      )}
    </>
  );
}
