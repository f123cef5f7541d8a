import {
  Body1,
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Subtitle1,
  Title2,
  tokens,
  useId,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import { ApiProblem } from "../api/client";
import { useI18n } from "../i18n/I18n";
import { localeNames, locales, type Locale, type MessageKey } from "../i18n/locales";
import { RouteLink, usePath } from "./router";
import { signInUrl, signOut, useSession } from "./session";
import type { Me } from "../api/types";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", minHeight: "100vh" },
  skip: {
    position: "absolute",
    left: "-10000px",
    ":focus": { left: tokens.spacingHorizontalM, top: tokens.spacingVerticalS, zIndex: 10 },
  },
  header: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalL,
    flexWrap: "wrap",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { flexGrow: 1 },
  user: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
    overflowWrap: "anywhere",
  },
  body: { display: "flex", flexGrow: 1, flexWrap: "wrap" },
  nav: {
    minWidth: "200px",
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground2,
    "& ul": { listStyleType: "none", margin: 0, padding: 0 },
    "& li": { marginBottom: tokens.spacingVerticalS },
  },
  // Long addresses and room names break anywhere rather than push the page wider than the window
  // (inherited by every table and card); minWidth 0 lets the flex item shrink below its content.
  main: {
    flexGrow: 1,
    flexBasis: "600px",
    minWidth: 0,
    padding: tokens.spacingHorizontalXL,
    maxWidth: "1200px",
    overflowWrap: "anywhere",
  },
  center: { padding: tokens.spacingHorizontalXXL, maxWidth: "640px", overflowWrap: "anywhere" },
});

export interface NavItem {
  readonly href: string;
  readonly label: MessageKey;
}

export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  const id = useId("language");
  return (
    <Select
      id={id}
      aria-label={t("shell.language")}
      value={locale}
      onChange={(_, d) => setLocale(d.value as Locale)}
      size="small"
    >
      {locales.map((l) => (
        <option key={l} value={l} lang={l}>
          {localeNames[l]}
        </option>
      ))}
    </Select>
  );
}

/**
 * The frame of both apps: a skip link, the header (name, language, person, sign out), the navigation,
 * and the page. Nobody signed in: the sign-in page; signed in without `allowed`: why not.
 */
export function Shell(props: {
  title: MessageKey;
  nav: readonly NavItem[];
  allowed?: (me: Me) => boolean;
  notAllowed?: MessageKey;
  children: (me: Me) => ReactNode;
}) {
  const styles = useStyles();
  const { t } = useI18n();
  const session = useSession();
  const path = usePath();
  const header = (me?: Me) => (
    <header className={styles.header}>
      <Subtitle1 as="p" className={styles.brand}>
        {t(props.title)}
      </Subtitle1>
      <LanguageSwitch />
      {me === undefined ? null : (
        <span className={styles.user}>
          <Body1 data-testid="signed-in-as">{me.name}</Body1>
          <Button size="small" onClick={() => void signOut()}>
            {t("shell.signOut")}
          </Button>
        </span>
      )}
    </header>
  );
  /** A page without navigation: loading, a failure, the sign-in page, or why not. */
  const bare = (content: ReactNode, me?: Me) => (
    <div className={styles.page}>
      {header(me)}
      <main className={styles.center}>{content}</main>
    </div>
  );
  const explain = (title: MessageKey, text: MessageKey, action?: ReactNode) => (
    <>
      <Title2 as="h1">{t(title)}</Title2>
      <p>
        <Body1>{t(text)}</Body1>
      </p>
      {action}
    </>
  );
  if (session.kind === "loading") return bare(<Spinner label={t("common.loading")} />);
  if (session.kind === "error") return bare(<ProblemBar error={session.message} />);
  if (session.kind === "signed-out")
    return bare(
      explain(
        "signIn.title",
        "signIn.explain",
        <Button as="a" appearance="primary" href={signInUrl(location.pathname + location.search)}>
          {t("signIn.button")}
        </Button>,
      ),
    );
  const me = session.me;
  if (props.allowed !== undefined && !props.allowed(me))
    return bare(explain("shell.notAllowedTitle", props.notAllowed ?? "shell.notAllowed"), me);
  return (
    <div className={styles.page}>
      <a href="#main" className={styles.skip}>
        {t("shell.skip")}
      </a>
      {header(me)}
      <div className={styles.body}>
        <nav className={styles.nav} aria-label={t("shell.navigation")}>
          <ul>
            {props.nav.map((item) => (
              <li key={item.href}>
                <RouteLink href={item.href} current={path === item.href}>
                  {t(item.label)}
                </RouteLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className={styles.main} tabIndex={-1}>
          {props.children(me)}
        </main>
      </div>
    </div>
  );
}

/** An error as a message bar: the problem's detail (plain text) and its correlation id. */
export function ProblemBar({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error === undefined || error === null) return null;
  const detail =
    error instanceof ApiProblem
      ? error.status === 404 &&
        error.body.type === "urn:ones:problem:not-found" &&
        error.body.detail === "There is no such endpoint."
        ? t("common.notYetAvailable")
        : error.message
      : error instanceof Error
        ? error.message
        : typeof error === "string"
          ? error
          : t("common.unexpected");
  const id = error instanceof ApiProblem ? error.body.correlationId : undefined;
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        {detail}
        {id === undefined ? null : ` (${t("common.correlationId")}: ${id})`}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Done({ children }: { children: ReactNode }) {
  return (
    <MessageBar intent="success" role="status">
      <MessageBarBody>{children}</MessageBarBody>
    </MessageBar>
  );
}

export function PageTitle({ children }: { children: ReactNode }) {
  return (
    <Title2 as="h1" block>
      {children}
    </Title2>
  );
}
