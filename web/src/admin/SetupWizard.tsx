import {
  Badge,
  Body1,
  Button,
  Card,
  CardHeader,
  Field,
  Input,
  makeStyles,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Subtitle2,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState, type ReactNode } from "react";
import { api, ApiProblem } from "../api/client";
import {
  integrationModes,
  type IntegrationInput,
  type IntegrationMode,
  type IntegrationSettingsView,
  type IntegrationTestReport,
} from "../api/types";
import { useI18n } from "../i18n/I18n";
import type { MessageKey } from "../i18n/locales";
import { DataTable } from "../ui/DataTable";
import { fieldProblem } from "../ui/fields";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";

const useStyles = makeStyles({
  modes: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(180px, 1fr))",
    gap: tokens.spacingHorizontalM,
  },
  chosen: { outline: `2px solid ${tokens.colorBrandStroke1}` },
  dl: {
    margin: 0,
    "& dt": { fontWeight: tokens.fontWeightSemibold, marginTop: tokens.spacingVerticalS },
    "& dd": { marginLeft: tokens.spacingHorizontalM, overflowWrap: "anywhere" },
  },
  form: { display: "grid", gap: tokens.spacingVerticalM, maxWidth: "640px" },
  section: { marginTop: tokens.spacingVerticalXXL },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "end", flexWrap: "wrap" },
});

/** The comparison rows of the four modes (ARCHITECTURE.md §2), one message per cell. */
const modeRows = ["for", "permissions", "token", "rooms", "people", "outlook", "creates"] as const;
const modeKey = (mode: IntegrationMode, row: string): MessageKey => `mode.${mode}.${row}` as MessageKey;

const statusColour = { granted: "success", missing: "danger", unverified: "warning" } as const;

interface Form {
  name: string;
  cloud: "global" | "china";
  tenantId: string;
  clientId: string;
  clientSecret: string;
  secretExpiresAt: string;
  adminGroupId: string;
  adminEmails: string;
}

function input(mode: IntegrationMode, f: Form): IntegrationInput {
  const emails = f.adminEmails
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter((e) => e !== "");
  return {
    name: f.name,
    cloud: f.cloud,
    tenantId: f.tenantId,
    clientId: f.clientId,
    mode,
    ...(f.clientSecret === "" ? {} : { clientSecret: f.clientSecret }),
    ...(f.secretExpiresAt === "" ? {} : { secretExpiresAt: f.secretExpiresAt }),
    adminGroupId: f.adminGroupId === "" ? null : f.adminGroupId,
    adminEmails: emails,
  };
}

/**
 * Setup: the four modes side by side, the app registration, "test settings" with the per-permission
 * report, the redirect URI to register, the Exchange script, then save (refused while a permission is
 * missing; the server says why next to the field).
 */
export function SetupWizard() {
  const styles = useStyles();
  const { t, dateTime } = useI18n();
  const [current, setCurrent] = useState<IntegrationSettingsView | undefined>();
  const [mode, setMode] = useState<IntegrationMode>("application");
  const [form, setForm] = useState<Form>({
    name: "",
    cloud: "global",
    tenantId: "",
    clientId: "",
    clientSecret: "",
    secretExpiresAt: "",
    adminGroupId: "",
    adminEmails: "",
  });
  const [report, setReport] = useState<IntegrationTestReport | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState<"test" | "save" | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    api.get<IntegrationSettingsView>("/api/admin/integration").then((view) => {
      setCurrent(view);
      if (view.mode !== undefined) setMode(view.mode);
      setForm((f) => ({
        ...f,
        name: view.name ?? "",
        cloud: view.cloud ?? "global",
        tenantId: view.tenantId ?? "",
        clientId: view.clientId ?? "",
        adminGroupId: view.adminGroupId ?? "",
        adminEmails: view.adminEmails.join(", "),
      }));
    }, setProblem);
  }, []);

  const set = (key: keyof Form) => (_: unknown, d: { value: string }) =>
    setForm((f) => ({ ...f, [key]: d.value }));
  const fieldError = (path: string): string | undefined =>
    problem instanceof ApiProblem ? problem.field(path) : undefined;
  const field = (path: string) => fieldProblem(problem, path);

  const test = async (): Promise<void> => {
    setBusy("test");
    setProblem(undefined);
    setSaved(undefined);
    try {
      const result = await api.post<IntegrationTestReport>("/api/admin/integration/test", input(mode, form));
      setReport(result.body);
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(undefined);
    }
  };

  const save = async (): Promise<void> => {
    setBusy("save");
    setProblem(undefined);
    setSaved(undefined);
    try {
      const result = await api.put<{ settings: IntegrationSettingsView; report: IntegrationTestReport }>(
        "/api/admin/integration",
        input(mode, form),
      );
      setCurrent(result.settings);
      setReport(result.report);
      setSaved(result.settings.updatedAt);
    } catch (error) {
      setProblem(error);
      if (error instanceof ApiProblem && typeof error.body.report === "object")
        setReport(error.body.report as IntegrationTestReport);
    } finally {
      setBusy(undefined);
    }
  };

  const redirectUri = report?.redirectUri ?? current?.redirectUri ?? "";

  // The form appears once the saved settings are in, so nothing typed meanwhile is overwritten by them.
  if (current === undefined && problem === undefined)
    return (
      <>
        <PageTitle>{t("setup.title")}</PageTitle>
        <Spinner label={t("common.loading")} />
      </>
    );

  return (
    <>
      <PageTitle>{t("setup.title")}</PageTitle>
      <Body1 as="p" block>
        {t("setup.intro")}
      </Body1>

      <Step id="setup-mode" title={t("setup.step.mode")}>
        <RadioGroup
          aria-labelledby="setup-mode"
          value={mode}
          onChange={(_, d) => setMode(d.value as IntegrationMode)}
          className={styles.modes}
        >
          {integrationModes.map((m) => (
            <Card key={m} className={m === mode ? styles.chosen : undefined} data-testid={`mode-${m}`}>
              <CardHeader header={<Radio value={m} label={t(`mode.${m}` as MessageKey)} />} />
              <dl className={styles.dl}>
                {modeRows.map((row) => (
                  <div key={row}>
                    <dt>{t(`mode.row.${row}` as MessageKey)}</dt>
                    <dd>{t(modeKey(m, row))}</dd>
                  </div>
                ))}
              </dl>
            </Card>
          ))}
        </RadioGroup>
        {fieldError("mode") === undefined ? null : (
          <p role="alert" data-testid="mode-error">
            <Body1>{fieldError("mode")}</Body1>
          </p>
        )}
      </Step>

      <Step id="setup-app" title={t("setup.step.app")}>
        <div className={styles.form}>
          <Field label={t("setup.redirectUri")} hint={t("setup.redirectUriHint")}>
            <div className={styles.row}>
              <Input
                readOnly
                value={redirectUri}
                aria-label={t("setup.redirectUri")}
                data-testid="redirect-uri"
              />
              <Button
                onClick={() =>
                  void navigator.clipboard.writeText(redirectUri).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  )
                }
              >
                {copied ? t("setup.copied") : t("setup.copy")}
              </Button>
            </div>
          </Field>
          <Field label={t("setup.name")} required {...field("name")}>
            <Input value={form.name} onChange={set("name")} />
          </Field>
          <Field label={t("setup.cloud")} {...field("cloud")}>
            <Select value={form.cloud} onChange={set("cloud")}>
              <option value="global">{t("setup.cloud.global")}</option>
              <option value="china">{t("setup.cloud.china")}</option>
            </Select>
          </Field>
          <Field label={t("setup.tenantId")} required hint={t("setup.tenantIdHint")} {...field("tenantId")}>
            <Input value={form.tenantId} onChange={set("tenantId")} />
          </Field>
          <Field label={t("setup.clientId")} required {...field("clientId")}>
            <Input value={form.clientId} onChange={set("clientId")} />
          </Field>
          <Field
            label={t("setup.clientSecret")}
            hint={current?.clientSecret.set === true ? t("setup.clientSecretKept") : undefined}
            {...field("clientSecret")}
          >
            <Input type="password" value={form.clientSecret} onChange={set("clientSecret")} />
          </Field>
          <Field label={t("setup.secretExpiresAt")} {...field("secretExpiresAt")}>
            <Input type="date" value={form.secretExpiresAt} onChange={set("secretExpiresAt")} />
          </Field>
          <Field
            label={t("setup.adminGroupId")}
            hint={t("setup.adminGroupIdHint")}
            {...field("adminGroupId")}
          >
            <Input value={form.adminGroupId} onChange={set("adminGroupId")} />
          </Field>
          <Field label={t("setup.adminEmails")} hint={t("setup.adminEmailsHint")} {...field("adminEmails")}>
            <Textarea value={form.adminEmails} onChange={set("adminEmails")} />
          </Field>
        </div>
      </Step>

      <Step id="setup-test" title={t("setup.step.test")}>
        <Button onClick={() => void test()} disabledFocusable={busy !== undefined}>
          {busy === "test" ? t("setup.testing") : t("setup.test")}
        </Button>
        {report === undefined ? null : <TestReport report={report} />}
      </Step>

      <Step id="setup-script" title={t("setup.step.script")}>
        <Body1 as="p" block>
          {t(mode === "application-resource-only" ? "setup.scriptNeeded" : "setup.scriptOptional")}
        </Body1>
        <Button as="a" href="/api/admin/integration/exchange-script" download="ones-exchange-setup.ps1">
          {t("setup.downloadScript")}
        </Button>
      </Step>

      <Step id="setup-save" title={t("setup.step.save")}>
        <ProblemBar error={problem} />
        {saved === undefined ? null : <Done>{t("setup.saved", { time: dateTime(saved) })}</Done>}
        <p>
          <Button appearance="primary" onClick={() => void save()} disabledFocusable={busy !== undefined}>
            {busy === "save" ? t("common.saving") : t("setup.save")}
          </Button>
        </p>
      </Step>
    </>
  );
}

function Step(props: { id: string; title: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-labelledby={props.id}>
      <Subtitle2 as="h2" id={props.id} block>
        {props.title}
      </Subtitle2>
      {props.children}
    </section>
  );
}

export function TestReport({ report }: { report: IntegrationTestReport }) {
  const { t } = useI18n();
  return (
    <div data-testid="test-report">
      {report.ok ? (
        <Done>{t("setup.reportOk", { mode: report.modeLabel })}</Done>
      ) : (
        <ProblemBar
          error={
            report.credentials.ok
              ? t("setup.reportMissing", { mode: report.modeLabel, missing: report.missing.join(", ") })
              : report.credentials.detail
          }
        />
      )}
      <DataTable
        label={t("setup.reportTable")}
        columns={[t("setup.permission"), t("setup.permissionType"), t("setup.status"), t("setup.note")]}
        rows={report.permissions.map((p) => ({
          key: `${p.type}:${p.permission}`,
          testId: `permission-${p.permission}`,
          cells: [
            p.permission,
            t(`setup.type.${p.type}` as MessageKey),
            <Badge appearance="tint" color={statusColour[p.status]}>
              {t(`setup.status.${p.status}` as MessageKey)}
            </Badge>,
            p.note,
          ],
        }))}
      />
      {report.unavailable.length === 0 ? null : (
        <>
          <Body1 as="p" block>
            {t("setup.unavailable")}
          </Body1>
          <ul>
            {report.unavailable.map((u) => (
              <li key={u.capability}>{u.label}</li>
            ))}
          </ul>
        </>
      )}
      {report.warnings.map((w) => (
        <Body1 as="p" block key={w}>
          {w}
        </Body1>
      ))}
    </div>
  );
}
