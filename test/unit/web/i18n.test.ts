import { describe, expect, it } from "vitest";
import { en } from "../../../web/src/i18n/en";
import { catalogues, format, locales, pickLocale } from "../../../web/src/i18n/locales";
import { policyRules } from "../../../shared/domain/bookings/evaluate";
import { bookingStates } from "../../../shared/domain/bookings/booking";

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();

describe("the pages' language catalogues", () => {
  it("says every policy rule's refusal and every booking state in words", () => {
    const keys = new Set(Object.keys(en));
    const missing = [
      ...policyRules.map((rule) => `refusal.${rule}`),
      ...bookingStates.map((state) => `staff.state.${state}`),
    ].filter((k) => !keys.has(k));
    expect(missing).toEqual([]);
    expect(format(en["refusal.max-duration"], { limit: 30 })).toBe("A booking may last at most 30 minutes.");
  });

  it("has every English key, and no other, in each language, each text non-empty", () => {
    const keys = Object.keys(en).sort();
    expect(keys.length).toBeGreaterThan(150);
    for (const locale of locales) {
      const catalogue = catalogues[locale] as Record<string, string>;
      const missing = keys.filter((k) => !(k in catalogue));
      const extra = Object.keys(catalogue).filter((k) => !(k in en));
      expect({ locale, missing, extra }).toEqual({ locale, missing: [], extra: [] });
      for (const key of keys) expect(catalogue[key]?.trim(), `${locale} ${key}`).not.toBe("");
    }
  });

  it("keeps each message's placeholders in every language", () => {
    for (const locale of locales)
      for (const [key, text] of Object.entries(en))
        expect(placeholders(catalogues[locale][key as keyof typeof en]), `${locale} ${key}`).toEqual(
          placeholders(text),
        );
  });

  it("would fail for a catalogue missing a key", () => {
    const broken: Record<string, string> = { ...catalogues.ja };
    delete broken["sync.runNow"];
    expect(Object.keys(en).filter((k) => !(k in broken))).toEqual(["sync.runNow"]);
  });

  it("picks the language from the browser's list: Chinese by script or region, Japanese, else English", () => {
    expect(pickLocale(["ja-JP", "en-US"])).toBe("ja");
    expect(pickLocale(["zh-HK"])).toBe("zh-Hant");
    expect(pickLocale(["zh-TW"])).toBe("zh-Hant");
    expect(pickLocale(["zh-Hant-CN"])).toBe("zh-Hant");
    expect(pickLocale(["zh-CN"])).toBe("zh-Hans");
    expect(pickLocale(["zh"])).toBe("zh-Hans");
    expect(pickLocale(["fr-FR", "de"])).toBe("en");
    expect(pickLocale(["fr-FR", "ja"])).toBe("ja");
    expect(pickLocale(["en-GB", "ja"])).toBe("en");
    expect(pickLocale([])).toBe("en");
  });

  it("fills placeholders as plain text and leaves unknown ones", () => {
    expect(format("{a} and {b}", { a: "<b>x</b>", b: 2 })).toBe("<b>x</b> and 2");
    expect(format("{a} {missing}", { a: 1 })).toBe("1 {missing}");
  });
});
