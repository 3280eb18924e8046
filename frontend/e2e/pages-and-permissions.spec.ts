import { test, expect, snap } from "./fixtures";
import { InsightsPage } from "./pages/InsightsPage";
import { ModelPage } from "./pages/ModelPage";
import { PreferencesPage } from "./pages/PreferencesPage";
import { Shell } from "./pages/Shell";

test.describe("creator insights", () => {
  test("a creator sees totals, the daily chart, tables and audience", async ({ page, loginAs }) => {
    await loginAs("creator");
    const shell = new Shell(page);
    await shell.go("Insights");
    const insights = new InsightsPage(page);
    await expect(insights.heading).toBeVisible();
    await expect(insights.total("Views")).not.toHaveText("–");
    await expect(insights.trend.locator("canvas")).toBeVisible();
    await expect(insights.topItems.getByRole("row").nth(1)).toBeVisible();
    await expect(page.getByRole("region", { name: "Audience interests" }).locator("canvas")).toBeVisible();
    await insights.window.selectOption("7");
    await expect(page).toHaveURL(/window=7/);
    await expect(insights.window).toHaveValue("7");
    await expect(insights.trend).toHaveAttribute("aria-label", /over 7 days/);
    await insights.window.selectOption("30");
    await expect(insights.trend.locator("canvas")).toBeVisible();
    await snap(page, "insights");
  });

  test("a reader is refused, from the page and from the API", async ({ page, loginAs }) => {
    await loginAs("demo");
    const shell = new Shell(page);
    await expect(shell.link("Insights")).toHaveCount(0);
    const insights = new InsightsPage(page);
    await insights.open();
    await expect(insights.refusal).toBeVisible();
    await snap(page, "insights-refused");
    // Asking for a creator's insights by id is refused by the server.
    await insights.open("?creator=1");
    await expect(page.getByRole("alert")).toContainText(/not allowed|own work/i);
  });
});

test.describe("preferences", () => {
  test("accent colour and font size apply live and survive a reload", async ({ page, loginAs }) => {
    await loginAs("demo");
    const prefs = new PreferencesPage(page);
    const shell = new Shell(page);
    await prefs.open();
    // Pick values that differ from the current ones, so the test also passes on a reused database.
    const accent = (await shell.cssVar("--accent")) === "#7c3aed" ? "#16a34a" : "#7c3aed";
    const rgb = accent === "#7c3aed" ? "rgb(124, 58, 237)" : "rgb(22, 163, 74)";
    const size = (await shell.cssVar("--font-size")) === "18px" ? 17 : 18;
    await prefs.setAccent(accent);
    await expect.poll(() => shell.cssVar("--accent")).toBe(accent);
    await prefs.setFontSize(size);
    await expect.poll(() => shell.cssVar("--font-size")).toBe(`${size}px`);
    await expect(prefs.saveState).toHaveText("Saved");
    await snap(page, "preferences");
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await expect(prefs.heading).toBeVisible();
    await expect.poll(() => shell.cssVar("--accent")).toBe(accent);
    await expect.poll(() => shell.cssVar("--font-size")).toBe(`${size}px`);
    // The active nav link is painted in the accent.
    const bg = await shell.link("Preferences").evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe(rgb);
  });

  test("interests can be followed and saved", async ({ page, loginAs }) => {
    await loginAs("creator");
    const prefs = new PreferencesPage(page);
    await prefs.open();
    const chip = page.getByRole("group", { name: "Categories" }).getByRole("button").first();
    const pressed = await chip.getAttribute("aria-pressed");
    await chip.click();
    await expect(chip).toHaveAttribute("aria-pressed", pressed === "true" ? "false" : "true");
    // The count under the picker says "1 category", not "1 categories".
    const chosen = await page.getByRole("group", { name: "Categories" }).locator('[aria-pressed="true"]').count();
    await expect(page.getByText(/\d+ categor(y|ies), \d+ tags?/)).toContainText(
      chosen === 1 ? "1 category," : `${chosen} categories,`,
    );
    await prefs.saveInterests.click();
    await expect(page.getByText(/· saved/)).toBeVisible();
    await page.reload();
    await expect(page.getByRole("group", { name: "Categories" }).getByRole("button").first()).toHaveAttribute(
      "aria-pressed",
      pressed === "true" ? "false" : "true",
    );
  });
});

test.describe("model", () => {
  test("shows the active version, runs with loss curves and the atlas", async ({ page, loginAs }) => {
    await loginAs("demo");
    const model = new ModelPage(page);
    await model.open();
    await expect(model.activeVersion).not.toBeEmpty();
    await expect(model.lossChart.locator("canvas")).toBeVisible();
    expect(await model.runs.count()).toBeGreaterThan(1);
    // The test server has no schedule; its last run is the model it trained on start-up.
    await expect(model.retraining.getByTestId("retraining-schedule")).toHaveText(/^Not scheduled/);
    await expect(model.retraining.getByTestId("retraining-last")).toContainText("(manual)");
    await expect(model.atlas).toBeVisible();
    await expect(model.atlasCanvas).toBeVisible({ timeout: 60_000 });
    await snap(page, "model");
    await model.atlas.getByLabel(/Readers/).check();
    await model.atlas.getByRole("button", { name: "Zoom in" }).click();
    await model.atlas.getByRole("button", { name: "Reset view" }).click();
    // Clicking an item's point opens the item (the canvas is read until one is drawn).
    await expect.poll(() => model.itemPointPosition()).not.toBeNull();
    const point = await model.itemPointPosition();
    await model.atlasCanvas.click({ position: point! });
    await expect(page).toHaveURL(/\/items\/\d+$/);
    await expect(page.locator("#item-title")).toBeVisible();
  });
});

test.describe("keyboard", () => {
  test("the skip link and navigation work without a mouse", async ({ page, loginAs }) => {
    await loginAs("demo");
    await page.goto("/items");
    await page.getByRole("heading", { name: "Browse", level: 1 }).waitFor();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.locator("#main")).toBeFocused();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Model" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/model$/);
  });
});
