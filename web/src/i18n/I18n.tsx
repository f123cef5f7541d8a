import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { catalogues, format, pickLocale, locales, type Locale, type MessageKey } from "./locales";

const STORAGE_KEY = "ones.locale";

export interface I18n {
  readonly locale: Locale;
  readonly setLocale: (locale: Locale) => void;
  readonly t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  /** A date and time in the viewer's language, in `timeZone` when given (else the viewer's own). */
  readonly dateTime: (iso: string | undefined, timeZone?: string) => string;
  readonly number: (n: number) => string;
}

const Context = createContext<I18n | undefined>(undefined);

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved !== null && (locales as readonly string[]).includes(saved)) return saved as Locale;
  return pickLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  document.documentElement.lang = locale;
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const catalogue = catalogues[locale];
    return {
      locale,
      setLocale,
      t: (key, vars) => format(catalogue[key], vars),
      dateTime: (iso, timeZone) =>
        iso === undefined
          ? "—"
          : new Intl.DateTimeFormat(locale, {
              dateStyle: "medium",
              timeStyle: "short",
              ...(timeZone === undefined ? {} : { timeZone }),
            }).format(new Date(iso)),
      number: (n) => new Intl.NumberFormat(locale).format(n),
    };
  }, [locale, setLocale]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (value === undefined) throw new Error("useI18n outside I18nProvider");
  return value;
}
