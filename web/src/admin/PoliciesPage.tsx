import { Button, Checkbox, Field, Input, Select, Textarea } from "@fluentui/react-components";
import { useState, type FormEvent, type ReactNode } from "react";
import { api } from "../api/client";
import type { BookingPolicy, PolicyRules } from "../../../shared/domain/bookings/policy";
import { useI18n } from "../i18n/I18n";
import type { MessageKey } from "../i18n/locales";
import { DataTable } from "../ui/DataTable";
import { fieldProblem } from "../ui/fields";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";
import { useLoad } from "../ui/session";

type Rules = PolicyRules;
const list = (s: string): string[] =>
  s
    .split(/[\s,;]+/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
const num = (s: string): number | null => (s.trim() === "" ? null : Number(s));
const text = (n: number | null): string => (n === null ? "" : String(n));

/** Every rule of a policy as a form; the server's validation problems show next to their rule. */
function RulesEditor({
  rules,
  onSave,
  problem,
}: {
  rules: Rules;
  onSave: (r: Rules) => void;
  problem: unknown;
}) {
  const { t } = useI18n();
  const [r, setR] = useState<Rules>(rules);
  const [fields, setFields] = useState(JSON.stringify(rules.formFields, null, 2));
  const [fieldsBad, setFieldsBad] = useState(false);
  const set = (patch: Partial<Rules>): void => setR({ ...r, ...patch });
  const f = (key: MessageKey, path: string, control: ReactNode): ReactNode => (
    <Field label={t(key)} {...fieldProblem(problem, path)}>
      {control}
    </Field>
  );
  const check = (key: MessageKey, checked: boolean, onChange: (v: boolean) => void): ReactNode => (
    <Checkbox label={t(key)} checked={checked} onChange={(_, d) => onChange(d.checked === true)} />
  );
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    try {
      onSave({ ...r, formFields: JSON.parse(fields) as Rules["formFields"] });
      setFieldsBad(false);
    } catch {
      setFieldsBad(true);
    }
  };
  const hours = r.businessHours;
  return (
    <form onSubmit={submit} style={{ display: "flex", flexDirection: "column", gap: 10, maxWidth: 640 }}>
      {f("policy.name", "name", <Input value={r.name} onChange={(_, d) => set({ name: d.value })} />)}
      {check("policy.businessHours", hours !== null, (v) =>
        set({
          businessHours: v
            ? { days: ["monday", "tuesday", "wednesday", "thursday", "friday"], start: "08:00", end: "18:00" }
            : null,
        }),
      )}
      {hours === null ? null : (
        <div style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>
          {f(
            "policy.days",
            "businessHours.days",
            <Input
              value={hours.days.join(", ")}
              onChange={(_, d) =>
                set({ businessHours: { ...hours, days: list(d.value) as typeof hours.days } })
              }
            />,
          )}
          {f(
            "policy.from",
            "businessHours.start",
            <Input
              value={hours.start}
              onChange={(_, d) => set({ businessHours: { ...hours, start: d.value } })}
            />,
          )}
          {f(
            "policy.until",
            "businessHours.end",
            <Input
              value={hours.end}
              onChange={(_, d) => set({ businessHours: { ...hours, end: d.value } })}
            />,
          )}
        </div>
      )}
      {f(
        "policy.minDuration",
        "minDurationMinutes",
        <Input
          type="number"
          value={text(r.minDurationMinutes)}
          onChange={(_, d) => set({ minDurationMinutes: num(d.value) })}
        />,
      )}
      {f(
        "policy.maxDuration",
        "maxDurationMinutes",
        <Input
          type="number"
          value={text(r.maxDurationMinutes)}
          onChange={(_, d) => set({ maxDurationMinutes: num(d.value) })}
        />,
      )}
      {f(
        "policy.window",
        "bookingWindowDays",
        <Input
          type="number"
          value={text(r.bookingWindowDays)}
          onChange={(_, d) => set({ bookingWindowDays: num(d.value) })}
        />,
      )}
      {check("policy.allowRecurring", r.allowRecurring, (v) => set({ allowRecurring: v }))}
      {check("policy.allowAllDay", r.allowAllDay, (v) => set({ allowAllDay: v }))}
      {check("policy.allowOvernight", r.allowOvernight, (v) => set({ allowOvernight: v }))}
      {check("policy.allowMultiRoom", r.allowMultiRoom, (v) => set({ allowMultiRoom: v }))}
      {f(
        "policy.overlap",
        "organizerOverlap",
        <Select
          value={r.organizerOverlap}
          onChange={(_, d) => set({ organizerOverlap: d.value as Rules["organizerOverlap"] })}
        >
          <option value="allowed">{t("policy.overlap.allowed")}</option>
          <option value="any-room">{t("policy.overlap.any-room")}</option>
          <option value="same-policy">{t("policy.overlap.same-policy")}</option>
        </Select>,
      )}
      {f(
        "policy.editCutoff",
        "editCutoffMinutes",
        <Input
          type="number"
          value={text(r.editCutoffMinutes)}
          onChange={(_, d) => set({ editCutoffMinutes: num(d.value) })}
        />,
      )}
      {f(
        "policy.cancelCutoff",
        "cancelCutoffMinutes",
        <Input
          type="number"
          value={text(r.cancelCutoffMinutes)}
          onChange={(_, d) => set({ cancelCutoffMinutes: num(d.value) })}
        />,
      )}
      {f(
        "policy.allowedGroups",
        "allowedGroups",
        <Input
          value={r.allowedGroups.join(", ")}
          onChange={(_, d) => set({ allowedGroups: list(d.value) })}
        />,
      )}
      {f(
        "policy.adminUsers",
        "bookingAdmins.users",
        <Input
          value={r.bookingAdmins.users.join(", ")}
          onChange={(_, d) => set({ bookingAdmins: { ...r.bookingAdmins, users: list(d.value) } })}
        />,
      )}
      {f(
        "policy.adminGroups",
        "bookingAdmins.groups",
        <Input
          value={r.bookingAdmins.groups.join(", ")}
          onChange={(_, d) => set({ bookingAdmins: { ...r.bookingAdmins, groups: list(d.value) } })}
        />,
      )}
      {check("policy.approval", r.approval.required, (v) =>
        set({ approval: { ...r.approval, required: v } }),
      )}
      {f(
        "policy.approvers",
        "approval.approvers",
        <Input
          value={r.approval.approvers.map((a) => a.email).join(", ")}
          onChange={(_, d) =>
            set({ approval: { ...r.approval, approvers: list(d.value).map((email) => ({ email })) } })
          }
        />,
      )}
      {check("policy.holdSlot", r.approval.holdSlot, (v) =>
        set({ approval: { ...r.approval, holdSlot: v } }),
      )}
      {check("policy.checkIn", r.checkIn.required, (v) => set({ checkIn: { ...r.checkIn, required: v } }))}
      {f(
        "policy.checkInBefore",
        "checkIn.windowBeforeMinutes",
        <Input
          type="number"
          value={String(r.checkIn.windowBeforeMinutes)}
          onChange={(_, d) => set({ checkIn: { ...r.checkIn, windowBeforeMinutes: Number(d.value) } })}
        />,
      )}
      {f(
        "policy.checkInGrace",
        "checkIn.graceAfterMinutes",
        <Input
          type="number"
          value={String(r.checkIn.graceAfterMinutes)}
          onChange={(_, d) => set({ checkIn: { ...r.checkIn, graceAfterMinutes: Number(d.value) } })}
        />,
      )}
      {f(
        "policy.privacy",
        "privacy",
        <Select value={r.privacy} onChange={(_, d) => set({ privacy: d.value as Rules["privacy"] })}>
          <option value="subject">{t("policy.privacy.subject")}</option>
          <option value="organizer">{t("policy.privacy.organizer")}</option>
          <option value="busy">{t("policy.privacy.busy")}</option>
        </Select>,
      )}
      {f(
        "policy.terms",
        "termsOfUse",
        <Textarea
          value={r.termsOfUse ?? ""}
          onChange={(_, d) => set({ termsOfUse: d.value.trim() === "" ? null : d.value })}
        />,
      )}
      <Field
        label={t("policy.formFields")}
        hint={t("policy.formFieldsHint")}
        {...(fieldsBad
          ? { validationMessage: t("policy.formFieldsBad"), validationState: "error" as const }
          : fieldProblem(problem, "formFields"))}
      >
        <Textarea value={fields} onChange={(_, d) => setFields(d.value)} rows={4} />
      </Field>
      <div>
        <Button appearance="primary" type="submit">
          {t("common.save")}
        </Button>
      </div>
    </form>
  );
}

const strip = (p: BookingPolicy & { own?: boolean }): Rules => {
  const { id: _id, roomIds: _rooms, updatedAt: _at, own: _own, ...rules } = p;
  return rules;
};

/** Rooms and policies: a room's own policy (or the one that governs it), and the shared policies. */
export function PoliciesPage() {
  const { t } = useI18n();
  const shared = useLoad(() => api.get<{ items: readonly BookingPolicy[] }>("/api/admin/policies"));
  const [room, setRoom] = useState("");
  const [open, setOpen] = useState("");
  const policy = useLoad(
    () =>
      open === ""
        ? Promise.resolve(undefined)
        : api.get<BookingPolicy & { own: boolean }>(`/api/admin/rooms/${encodeURIComponent(open)}/policy`),
    [open],
  );
  const [problem, setProblem] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const policies = shared.value?.items ?? [];
  return (
    <>
      <PageTitle>{t("policy.title")}</PageTitle>
      <ProblemBar error={shared.error} />
      <DataTable
        label={t("policy.shared")}
        columns={[t("policy.name"), t("policy.rooms")]}
        rows={policies.map((p) => ({ key: p.id, cells: [p.name, p.roomIds.join(", ")] }))}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          setOpen(room.trim().toLowerCase());
        }}
        style={{ display: "flex", gap: 8, alignItems: "end", marginTop: 16 }}
      >
        <Field label={t("policy.roomId")}>
          <Input value={room} onChange={(_, d) => setRoom(d.value)} />
        </Field>
        <Button type="submit">{t("policy.open")}</Button>
      </form>
      <ProblemBar error={policy.error} />
      {saved ? <Done>{t("common.saved")}</Done> : null}
      {policy.value === undefined ? null : (
        <>
          <p>{t(policy.value.own ? "policy.own" : "policy.inherited", { name: policy.value.name })}</p>
          <RulesEditor
            key={`${open}:${policy.value.updatedAt}`}
            rules={strip(policy.value)}
            problem={problem}
            onSave={(rules) => {
              setProblem(undefined);
              api
                .put(`/api/admin/rooms/${encodeURIComponent(open)}/policy`, rules)
                .then(() => setSaved(true), setProblem);
            }}
          />
        </>
      )}
    </>
  );
}
