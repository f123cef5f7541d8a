import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The staff pages (/app), the management console (/admin) and the Outlook add-in's task pane (/addin,
 * with the stand-in Outlook host the local stack serves): HTML entries sharing chunks, built
 * into dist/web next to the Functions bundle, which serves them (functions/web-*.ts). Asset names carry
 * a content hash, so the app may cache them for a year; no inline script anywhere (strict CSP).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, "../dist/web"),
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        app: resolve(import.meta.dirname, "app/index.html"),
        admin: resolve(import.meta.dirname, "admin/index.html"),
        addin: resolve(import.meta.dirname, "addin/index.html"),
        "addin-dev-host": resolve(import.meta.dirname, "addin/dev-host.html"),
      },
    },
  },
});
