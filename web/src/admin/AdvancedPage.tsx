import { Body1, Button, Field, Input, makeStyles, Subtitle2, tokens } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { api, ApiProblem } from "../api/client";
import { fieldProblem } from "../ui/fields";
import type { HealthReport, MailSettings, Representative } from "../api/types";
import { useI18n } from "../i18n/I18n";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";
import { useLoad } from "../ui/session";

const useStyles = makeStyles({
  row: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "start", flexWrap: "wrap" },
  section: { marginTop: tokens.spacingVerticalXXL, maxWidth: "760px" },
});

const errorOf = fieldProblem;

/** Cross-domain representatives; the sender address of system mail and the channel that sends it. */
export function AdvancedPage() {
  const styles = useStyles();
  const { t } = useI18n();
  const [reps, setReps] = useState<Representative[]>([]);
  const [repsProblem, setRepsProblem] = useState<unknown>();
  const [repsSaved, setRepsSaved] = useState(false);
  const [sender, setSender] = useState("");
  const [mailProblem, setMailProblem] = useState<unknown>();
  const [mailSaved, setMailSaved] = useState(false);
  // Health answers 503 with the same report when something is down: the mail entry is still there.
  const health = useLoad(async () => {
    try {
      return await api.get<HealthReport>("/api/health");
    } catch (e) {
      if (e instanceof ApiProblem) return e.body as unknown as HealthReport;
      throw e;
    }
  });

  useEffect(() => {
    api
      .get<{ representatives: Representative[] }>("/api/admin/settings/cross-domain")
      .then((r) => setReps(r.representatives), setRepsProblem);
    api
      .get<MailSettings>("/api/admin/settings/mail")
      .then((m) => setSender((typed) => (typed === "" ? (m.senderAddress ?? "") : typed)), setMailProblem);
  }, []);

  const saveReps = async (): Promise<void> => {
    setRepsProblem(undefined);
    setRepsSaved(false);
    try {
      const saved = await api.put<{ representatives: Representative[] }>("/api/admin/settings/cross-domain", {
        representatives: reps,
      });
      setReps(saved.representatives);
      setRepsSaved(true);
    } catch (error) {
      setRepsProblem(error);
    }
  };
  const saveMail = async (): Promise<void> => {
    setMailProblem(undefined);
    setMailSaved(false);
    try {
      const saved = await api.put<{ senderAddress: string }>("/api/admin/settings/mail", {
        senderAddress: sender,
      });
      setSender(saved.senderAddress);
      setMailSaved(true);
    } catch (error) {
      setMailProblem(error);
    }
  };
  const update = (i: number, key: keyof Representative, value: string) =>
    setReps((list) => list.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  const mail = health.value?.dependencies.mail;

  return (
    <>
      <PageTitle>{t("advanced.title")}</PageTitle>
      <section className={styles.section} aria-labelledby="adv-cross">
        <Subtitle2 as="h2" id="adv-cross" block>
          {t("advanced.crossDomain")}
        </Subtitle2>
        <Body1 as="p" block>
          {t("advanced.crossDomainIntro")}
        </Body1>
        {reps.length === 0 ? (
          <Body1 as="p" block>
            {t("advanced.noRepresentatives")}
          </Body1>
        ) : null}
        {reps.map((r, i) => (
          <div className={styles.row} key={i} data-testid={`representative-${i}`}>
            <Field label={t("advanced.domain")} {...errorOf(repsProblem, `representatives.${i}.domain`)}>
              <Input value={r.domain} onChange={(_, d) => update(i, "domain", d.value)} />
            </Field>
            <Field label={t("advanced.mailbox")} {...errorOf(repsProblem, `representatives.${i}.mailbox`)}>
              <Input value={r.mailbox} onChange={(_, d) => update(i, "mailbox", d.value)} />
            </Field>
            <Button
              aria-label={t("advanced.removeRepresentative", { domain: r.domain })}
              onClick={() => setReps((list) => list.filter((_, j) => j !== i))}
            >
              {t("common.remove")}
            </Button>
          </div>
        ))}
        <p className={styles.row}>
          <Button onClick={() => setReps((list) => [...list, { domain: "", mailbox: "" }])}>
            {t("advanced.addRepresentative")}
          </Button>
          <Button appearance="primary" onClick={() => void saveReps()}>
            {t("common.save")}
          </Button>
        </p>
        <ProblemBar error={repsProblem} />
        {repsSaved ? <Done>{t("common.saved")}</Done> : null}
      </section>

      <section className={styles.section} aria-labelledby="adv-mail">
        <Subtitle2 as="h2" id="adv-mail" block>
          {t("advanced.mail")}
        </Subtitle2>
        <Field
          label={t("advanced.sender")}
          hint={t("advanced.senderHint")}
          {...errorOf(mailProblem, "senderAddress")}
        >
          <Input type="email" value={sender} onChange={(_, d) => setSender(d.value)} />
        </Field>
        <p>
          <Button appearance="primary" onClick={() => void saveMail()}>
            {t("common.save")}
          </Button>
        </p>
        <ProblemBar error={mailProblem} />
        {mailSaved ? <Done>{t("common.saved")}</Done> : null}
        <Body1 as="p" block data-testid="mail-channel">
          {mail === undefined
            ? t("advanced.channelUnknown")
            : t("advanced.channel", { status: mail.status, detail: mail.reason ?? "" })}
        </Body1>
        <Body1 as="p" block>
          {t("advanced.channelHint")}
        </Body1>
      </section>
    </>
  );
}
