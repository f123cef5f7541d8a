import {
  createDOMRenderer,
  FluentProvider,
  RendererProvider,
  webLightTheme,
} from "@fluentui/react-components";
import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from "../i18n/I18n";

/**
 * Mounts one of the apps. Fluent UI writes its styles at run time into `<style>` elements; they carry
 * the nonce the server put in this response's page and Content-Security-Policy, so no other inline
 * style can apply.
 */
export function boot(app: ReactNode): void {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]');
  const nonce = meta?.nonce ?? "";
  const renderer = createDOMRenderer(document, { styleElementAttributes: { nonce } });
  const root = document.getElementById("root");
  if (root === null) return;
  createRoot(root).render(
    <StrictMode>
      <RendererProvider renderer={renderer} targetDocument={document}>
        <FluentProvider theme={webLightTheme}>
          <I18nProvider>{app}</I18nProvider>
        </FluentProvider>
      </RendererProvider>
    </StrictMode>,
  );
}
