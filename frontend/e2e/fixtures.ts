import { test as base, expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LoginPage } from "./pages/LoginPage";

export const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), "artifacts");
export const DEMO_PASSWORD = "lupi-demo";

/** Whether a request stays on this machine (the test server is on loopback). */
export function isLocal(url: URL): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) || !url.protocol.startsWith("http");
}

/** Aborts every request that would leave the machine and returns the list of their URLs. */
export async function blockOutsideRequests(page: Page): Promise<string[]> {
  const outside: string[] = [];
  await page.route(
    (url) => !isLocal(url),
    (route) => {
      outside.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  return outside;
}

/**
 * Saves a full-page screenshot as a test artifact, e2e/artifacts/<name>.png, once every
 * image on the page has loaded (charts draw without animation).
 */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Lazy images load only near the viewport: make them eager, then wait for all of them.
  await page.evaluate(() => {
    for (const img of document.querySelectorAll("img")) img.loading = "eager";
  });
  await expect
    .poll(() => page.evaluate(() => [...document.images].every((img) => img.complete)), { message: "images loaded" })
    .toBe(true);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });
}

interface Fixtures {
  consoleErrors: string[];
  outsideRequests: string[];
  loginAs: (username: string) => Promise<void>;
}

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    await use(process.env.LUPI_E2E_BASE_URL);
  },
  // Every test fails on a request to any host but the test server's (nothing may be
  // fetched from outside at run time: covers, scripts and fonts all come from the project).
  outsideRequests: [
    async ({ page }, use) => {
      const outside = await blockOutsideRequests(page);
      await use(outside);
      expect(outside, "requests to other hosts").toEqual([]);
    },
    { auto: true },
  ],
  // Every test fails on a console error or an uncaught exception in the page.
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") errors.push(msg.text());
      });
      page.on("pageerror", (err) => errors.push(String(err)));
      await use(errors);
      expect(errors, "console errors").toEqual([]);
    },
    { auto: true },
  ],
  loginAs: async ({ page }, use) => {
    await use(async (username: string) => {
      const login = new LoginPage(page);
      await login.open();
      await login.signIn(username, DEMO_PASSWORD);
      await expect(page.getByTestId("viewer-name")).toBeVisible();
    });
  },
});

export { expect };
