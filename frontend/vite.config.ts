/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Django serves the build: index.html at every SPA path and the assets under /static/
// (frontend/dist is one of STATICFILES_DIRS). The dev server proxies the API instead.
const django = process.env.LUPI_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig(({ command }) => ({
  base: command === "build" ? "/static/" : "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    proxy: {
      "/graphql/": { target: django, changeOrigin: false },
      "/static/": { target: django, changeOrigin: false },
      "/admin/": { target: django, changeOrigin: false },
      "/covers/": { target: django, changeOrigin: false },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // A ceiling, not a wait: component tests take a second alone, far longer on a busy machine.
    testTimeout: 30_000,
  },
}));
