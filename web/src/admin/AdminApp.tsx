import type { ReactNode } from "react";
import { Shell, type NavItem } from "../ui/Shell";
import { usePath } from "../ui/router";
import { AdvancedPage } from "./AdvancedPage";
import { BuildingsPage } from "./BuildingsPage";
import { DeadLettersPage } from "./DeadLettersPage";
import { DisplaysPage } from "./DisplaysPage";
import { PoliciesPage } from "./PoliciesPage";
import { IntegrationPage } from "./IntegrationPage";
import { RoomImportPage } from "./RoomImportPage";
import { SetupWizard } from "./SetupWizard";
import { SyncPage } from "./SyncPage";

const pages: Record<string, { nav: NavItem; page: () => ReactNode }> = {
  "/admin/setup": { nav: { href: "/admin/setup", label: "nav.setup" }, page: () => <SetupWizard /> },
  "/admin/integration": {
    nav: { href: "/admin/integration", label: "nav.integration" },
    page: () => <IntegrationPage />,
  },
  "/admin/advanced": {
    nav: { href: "/admin/advanced", label: "nav.advanced" },
    page: () => <AdvancedPage />,
  },
  "/admin/sync": { nav: { href: "/admin/sync", label: "nav.sync" }, page: () => <SyncPage /> },
  "/admin/buildings": {
    nav: { href: "/admin/buildings", label: "nav.buildings" },
    page: () => <BuildingsPage />,
  },
  "/admin/rooms/import": {
    nav: { href: "/admin/rooms/import", label: "nav.roomImport" },
    page: () => <RoomImportPage />,
  },
  "/admin/policies": {
    nav: { href: "/admin/policies", label: "nav.policies" },
    page: () => <PoliciesPage />,
  },
  "/admin/displays": {
    nav: { href: "/admin/displays", label: "nav.displays" },
    page: () => <DisplaysPage />,
  },
  "/admin/dead-letters": {
    nav: { href: "/admin/dead-letters", label: "nav.deadLetters" },
    page: () => <DeadLettersPage />,
  },
};

const nav = Object.values(pages).map((p) => p.nav);

/** The management console: admins only; the setup wizard is the landing page. */
export function AdminApp() {
  const path = usePath().replace(/\/+$/, "");
  const entry = pages[path] ?? pages["/admin/setup"];
  return (
    <Shell title="shell.adminTitle" nav={nav} allowed={(me) => me.isAdmin} notAllowed="shell.adminOnly">
      {() => entry?.page()}
    </Shell>
  );
}
