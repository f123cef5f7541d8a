import { Button, Field, Input, Radio, RadioGroup } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { DisplayView } from "../../../shared/domain/displays/display";
import { useI18n } from "../i18n/I18n";
import type { MessageKey } from "../i18n/locales";
import { DataTable } from "../ui/DataTable";
import { fieldProblem } from "../ui/fields";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";
import { useLoad } from "../ui/session";

const path = (id: string): string => `/api/admin/displays/${encodeURIComponent(id)}`;

/** Displays: register one for a room or a floor, issue its pairing code, revoke it, see when it was last seen. */
export function DisplaysPage() {
  const { t, dateTime } = useI18n();
  const list = useLoad(() => api.get<{ displays: readonly DisplayView[] }>("/api/admin/displays"));
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"room" | "floor">("room");
  const [target, setTarget] = useState("");
  const [problem, setProblem] = useState<unknown>();
  const [code, setCode] = useState<{ name: string; code: string; expiresAt: string } | undefined>();
  const act = (call: Promise<unknown>): void => {
    setProblem(undefined);
    call.then(() => list.reload(), setProblem);
  };
  const register = (e: FormEvent): void => {
    e.preventDefault();
    act(
      api.post("/api/admin/displays", {
        name,
        target: kind === "room" ? { kind, roomId: target } : { kind, floorId: target },
      }),
    );
  };
  return (
    <>
      <PageTitle>{t("displays.title")}</PageTitle>
      <form onSubmit={register} style={{ display: "flex", gap: 12, flexWrap: "wrap", alignItems: "end" }}>
        <Field label={t("displays.name")} {...fieldProblem(problem, "name")}>
          <Input value={name} onChange={(_, d) => setName(d.value)} />
        </Field>
        <RadioGroup
          aria-label={t("displays.kind")}
          layout="horizontal"
          value={kind}
          onChange={(_, d) => setKind(d.value as "room" | "floor")}
        >
          <Radio value="room" label={t("displays.room")} />
          <Radio value="floor" label={t("displays.floor")} />
        </RadioGroup>
        <Field
          label={t(kind === "room" ? "displays.roomId" : "displays.floorId")}
          {...fieldProblem(problem, kind === "room" ? "target.roomId" : "target.floorId")}
        >
          <Input value={target} onChange={(_, d) => setTarget(d.value)} />
        </Field>
        <Button appearance="primary" type="submit">
          {t("displays.register")}
        </Button>
      </form>
      <ProblemBar error={problem ?? list.error} />
      {code === undefined ? null : (
        <Done>
          {t("displays.code", { name: code.name, code: code.code, until: dateTime(code.expiresAt) })}
        </Done>
      )}
      {list.value?.displays.length === 0 ? <p>{t("displays.none")}</p> : null}
      {list.value !== undefined && list.value.displays.length > 0 ? (
        <DataTable
          label={t("displays.title")}
          columns={[
            t("displays.name"),
            t("displays.target"),
            t("displays.status"),
            t("displays.lastSeen"),
            t("deadLetters.action"),
          ]}
          rows={list.value.displays.map((d) => ({
            key: d.id,
            testId: "display",
            cells: [
              d.name,
              d.target.kind === "room" ? d.target.roomId : d.target.floorId,
              t(`displays.status.${d.status}` as MessageKey),
              dateTime(d.lastSeenAt ?? undefined),
              <div key="a" style={{ display: "flex", gap: 4 }}>
                <Button
                  size="small"
                  aria-label={t("displays.pairOne", { name: d.name })}
                  onClick={() =>
                    act(
                      api
                        .post<{ code: string; expiresAt: string }>(`${path(d.id)}/pairing-code`)
                        .then((r) => setCode({ name: d.name, ...r.body })),
                    )
                  }
                >
                  {t("displays.pair")}
                </Button>
                <Button
                  size="small"
                  aria-label={t("displays.revokeOne", { name: d.name })}
                  onClick={() => act(api.delete(path(d.id)))}
                >
                  {t("displays.revoke")}
                </Button>
              </div>,
            ],
          }))}
        />
      ) : null}
    </>
  );
}
