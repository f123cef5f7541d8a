import { Body1, Button, Field, Input, Textarea } from "@fluentui/react-components";
import { useState } from "react";
import { api } from "../api/client";
import { DataTable } from "../ui/DataTable";
import { fieldProblem } from "../ui/fields";
import type { CapabilityReport, RoomImportResult } from "../api/types";
import { useI18n } from "../i18n/I18n";
import type { MessageKey } from "../i18n/locales";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";
import { useLoad } from "../ui/session";

/** Rooms by e-mail address, one or a CSV list (delegated modes); the answer per room says why not. */
export function RoomImportPage() {
  const { t, number } = useI18n();
  const caps = useLoad(() => api.get<CapabilityReport>("/api/integration/capabilities"));
  const [email, setEmail] = useState("");
  const [csv, setCsv] = useState("");
  const [result, setResult] = useState<RoomImportResult | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const importCap = caps.value?.capabilities.find((c) => c.capability === "room-import");

  const send = async (body: unknown): Promise<void> => {
    setProblem(undefined);
    setResult(undefined);
    try {
      setResult((await api.post<RoomImportResult>("/api/admin/rooms/import", body)).body);
    } catch (error) {
      setProblem(error);
    }
  };
  const fieldError = (path: string) => fieldProblem(problem, path);

  return (
    <>
      <PageTitle>{t("import.title")}</PageTitle>
      <ProblemBar error={caps.error} />
      {importCap !== undefined && !importCap.available ? (
        <Body1 as="p" block data-testid="import-unavailable">
          {t("import.notInMode", { mode: caps.value?.modeLabel ?? "", reason: importCap.reason ?? "" })}
        </Body1>
      ) : (
        <>
          <Body1 as="p" block>
            {t("import.intro")}
          </Body1>
          <Field label={t("import.email")} {...fieldError("email")}>
            <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} />
          </Field>
          <p>
            <Button onClick={() => void send({ email })}>{t("import.one")}</Button>
          </p>
          <Field label={t("import.csv")} hint={t("import.csvHint")} {...fieldError("csv")}>
            <Textarea value={csv} onChange={(_, d) => setCsv(d.value)} rows={6} />
          </Field>
          <p>
            <Button appearance="primary" onClick={() => void send({ csv })}>
              {t("import.many")}
            </Button>
          </p>
          <ProblemBar error={problem} />
          {result === undefined ? null : (
            <>
              <Done>
                {t("import.done", { imported: number(result.imported), refused: number(result.refused) })}
              </Done>
              <DataTable
                label={t("import.results")}
                columns={[t("import.line"), t("import.email"), t("import.result"), t("import.reason")]}
                rows={result.outcomes.map((o) => ({
                  key: `${o.line}:${o.email}`,
                  cells: [
                    number(o.line),
                    o.email,
                    t(`import.result.${o.result}` as MessageKey),
                    o.reason ?? "",
                  ],
                }))}
              />
            </>
          )}
        </>
      )}
    </>
  );
}
