import { en, type MessageKey } from "./en";
import { ja } from "./ja";
import { zhHans } from "./zh-Hans";
import { zhHant } from "./zh-Hant";

/** The languages of the pages: one catalogue each, every key of English in every one. */
export const locales = ["en", "zh-Hant", "zh-Hans", "ja"] as const;
export type Locale = (typeof locales)[number];

export const catalogues: Record<Locale, Record<MessageKey, string>> = {
  en,
  "zh-Hant": zhHant,
  "zh-Hans": zhHans,
  ja,
};

/** Each language's name in itself, for the switch. */
export const localeNames: Record<Locale, string> = {
  en: "English",
  "zh-Hant": "繁體中文",
  "zh-Hans": "简体中文",
  ja: "日本語",
};

/**
 * The first of the browser's languages the pages have: Chinese by script (Hant for Taiwan, Hong Kong
 * and Macau, Hans otherwise), Japanese, else English.
 */
export function pickLocale(languages: readonly string[]): Locale {
  for (const raw of languages) {
    const tag = raw.toLowerCase();
    if (tag === "en" || tag.startsWith("en-")) return "en";
    if (tag === "ja" || tag.startsWith("ja-")) return "ja";
    if (tag === "zh" || tag.startsWith("zh-")) {
      if (/(^|-)(hant|tw|hk|mo)(-|$)/.test(tag)) return "zh-Hant";
      return "zh-Hans";
    }
  }
  return "en";
}

/** A message with `{name}` placeholders filled in (values are plain text; React escapes them). */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export type { MessageKey };
