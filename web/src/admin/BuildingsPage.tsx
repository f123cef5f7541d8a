import {
  Button,
  Combobox,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { api, ApiProblem } from "../api/client";
import type { Building } from "../api/types";
import { useI18n } from "../i18n/I18n";
import { Done, PageTitle, ProblemBar } from "../ui/Shell";
import { useLoad } from "../ui/session";

/** Each building's time zone (IANA), used by its rooms without working hours; applied at once. */
export function BuildingsPage() {
  const { t, number } = useI18n();
  const list = useLoad(() => api.get<{ buildings: Building[] }>("/api/admin/buildings"));
  const [saved, setSaved] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const zones = useMemo(() => Intl.supportedValuesOf("timeZone"), []);
  return (
    <>
      <PageTitle>{t("buildings.title")}</PageTitle>
      <ProblemBar error={list.error} />
      <ProblemBar error={problem} />
      {saved === undefined ? null : <Done>{saved}</Done>}
      {list.value?.buildings.length === 0 ? <p>{t("buildings.none")}</p> : null}
      <Table aria-label={t("buildings.title")} size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t("buildings.name")}</TableHeaderCell>
            <TableHeaderCell>{t("buildings.rooms")}</TableHeaderCell>
            <TableHeaderCell>{t("buildings.timeZone")}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {list.value?.buildings.map((b) => (
            <BuildingRow
              key={b.id}
              building={b}
              zones={zones}
              rooms={t("buildings.roomCount", { active: number(b.activeRooms), all: number(b.rooms) })}
              onSaved={(n) => {
                setProblem(undefined);
                setSaved(t("buildings.saved", { name: b.name, rooms: number(n) }));
                list.reload();
              }}
              onProblem={(e) => {
                setSaved(undefined);
                setProblem(e);
              }}
            />
          ))}
        </TableBody>
      </Table>
    </>
  );
}

function BuildingRow(props: {
  building: Building;
  zones: readonly string[];
  rooms: string;
  onSaved: (roomsUpdated: number) => void;
  onProblem: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const b = props.building;
  const [zone, setZone] = useState(b.timeZone ?? "");
  const [error, setError] = useState<string | undefined>();
  const matches = props.zones.filter((z) => z.toLowerCase().includes(zone.toLowerCase())).slice(0, 50);
  const save = async (): Promise<void> => {
    setError(undefined);
    try {
      const result = await api.put<{ roomsUpdated: number }>(
        `/api/admin/buildings/${encodeURIComponent(b.id)}`,
        {
          timeZone: zone,
        },
      );
      props.onSaved(result.roomsUpdated);
    } catch (e) {
      setError(e instanceof ApiProblem ? (e.field("timeZone") ?? e.message) : String(e));
      props.onProblem(e);
    }
  };
  return (
    <TableRow>
      <TableCell>{b.name}</TableCell>
      <TableCell>{props.rooms}</TableCell>
      <TableCell>
        <Combobox
          aria-label={t("buildings.zoneOf", { name: b.name })}
          freeform
          value={zone}
          onChange={(e) => setZone(e.target.value)}
          onOptionSelect={(_, d) => setZone(d.optionValue ?? "")}
          aria-invalid={error !== undefined}
        >
          {matches.map((z) => (
            <Option key={z} value={z}>
              {z}
            </Option>
          ))}
        </Combobox>{" "}
        <Button onClick={() => void save()}>{t("common.save")}</Button>
        {error === undefined ? null : <div role="alert">{error}</div>}
      </TableCell>
    </TableRow>
  );
}
