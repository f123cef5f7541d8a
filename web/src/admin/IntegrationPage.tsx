import {
  Badge,
  Body1,
  Table,
  TableBody,
  TableCell,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { api } from "../api/client";
import type { CapabilityReport, IntegrationSettingsView } from "../api/types";
import { useI18n } from "../i18n/I18n";
import { DataTable } from "../ui/DataTable";
import { PageTitle, ProblemBar } from "../ui/Shell";
import { RouteLink } from "../ui/router";
import { useLoad } from "../ui/session";

/** The saved integration (never the secret) and what its mode allows, each "no" with its reason. */
export function IntegrationPage() {
  const { t, dateTime } = useI18n();
  const settings = useLoad(() => api.get<IntegrationSettingsView>("/api/admin/integration"));
  const caps = useLoad(() => api.get<CapabilityReport>("/api/integration/capabilities"));
  const s = settings.value;
  const rows: [string, string][] =
    s === undefined
      ? []
      : [
          [t("setup.name"), s.name ?? "—"],
          [t("integration.mode"), s.modeLabel ?? "—"],
          [t("setup.cloud"), s.cloud === undefined ? "—" : t(`setup.cloud.${s.cloud}`)],
          [t("setup.tenantId"), s.tenantId ?? "—"],
          [t("setup.clientId"), s.clientId ?? "—"],
          [
            t("setup.clientSecret"),
            s.clientSecret.set
              ? s.clientSecret.expiresAt === undefined
                ? t("integration.secretSet")
                : t("integration.secretExpires", { time: dateTime(s.clientSecret.expiresAt) })
              : t("integration.secretNotSet"),
          ],
          [t("setup.adminGroupId"), s.adminGroupId ?? "—"],
          [t("setup.adminEmails"), s.adminEmails.join(", ") || "—"],
          [t("setup.redirectUri"), s.redirectUri],
          [t("integration.updatedAt"), dateTime(s.updatedAt)],
        ];
  return (
    <>
      <PageTitle>{t("integration.title")}</PageTitle>
      <ProblemBar error={settings.error} />
      {s?.configured === false ? (
        <Body1 as="p" block>
          {t("integration.notConfigured")}
        </Body1>
      ) : null}
      <Table aria-label={t("integration.title")} size="small">
        <TableBody>
          {rows.map(([k, v]) => (
            <TableRow key={k}>
              <TableHeaderCell scope="row">{k}</TableHeaderCell>
              <TableCell>{v}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <p>
        <RouteLink href="/admin/setup">{t("integration.change")}</RouteLink>
      </p>
      <h2>{t("integration.capabilities")}</h2>
      <ProblemBar error={caps.error} />
      {caps.value === undefined ? null : (
        <DataTable
          label={t("integration.capabilities")}
          columns={[t("integration.function"), t("integration.available"), t("integration.why")]}
          rows={caps.value.capabilities.map((c) => ({
            key: c.capability,
            cells: [
              c.label,
              <Badge appearance="tint" color={c.available ? "success" : "subtle"}>
                {c.available ? t("common.yes") : t("common.no")}
              </Badge>,
              c.available ? (c.partial ?? "") : (c.reason ?? ""),
            ],
          }))}
        />
      )}
    </>
  );
}
