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

/** Covers of the demo data point at an outside image host; tests answer with a local SVG. */
function coverSvg(url: string): string {
  let h = 0;
  for (const ch of url) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = h % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},60%,70%)"/>
<stop offset="1" stop-color="hsl(${(hue + 60) % 360},55%,45%)"/></linearGradient></defs>
<rect width="640" height="360" fill="url(#g)"/><circle cx="${160 + (h % 320)}" cy="180" r="90" fill="rgba(255,255,255,.25)"/></svg>`;
}

export async function routeExternalImages(page: Page): Promise<void> {
  await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => {
    const request = route.request();
    if (request.resourceType() === "image") {
      return route.fulfill({ status: 200, contentType: "image/svg+xml", body: coverSvg(request.url()) });
    }
    return route.abort();
  });
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
  loginAs: (username: string) => Promise<void>;
}

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    await use(process.env.LUPI_E2E_BASE_URL);
  },
  // Every test fails on a console error or an uncaught exception in the page.
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") errors.push(msg.text());
      });
      page.on("pageerror", (err) => errors.push(String(err)));
      await routeExternalImages(page);
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
