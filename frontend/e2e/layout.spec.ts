import { test, expect, snap } from "./fixtures";
import { hiddenPart, rowCounts, sidewaysOverflow } from "./layout";
import { ForYouPage } from "./pages/ForYouPage";
import { ModelPage } from "./pages/ModelPage";
import { InsightsPage } from "./pages/InsightsPage";
import { Shell } from "./pages/Shell";

/** Rows of cards differ by at most one: no card is left alone on a row the others fill. */
function expectBalanced(rows: number[]): void {
  expect(rows.length).toBeGreaterThan(0);
  expect(Math.max(...rows) - Math.min(...rows), `cards per row: ${rows.join(", ")}`).toBeLessThanOrEqual(1);
}

test.describe("layout", () => {
  for (const width of [1280, 390]) {
    test(`the "Not interested" menu opens in full at ${width} px`, async ({ page, loginAs }) => {
      await page.setViewportSize({ width, height: 900 });
      await loginAs("demo");
      const feed = new ForYouPage(page);
      await feed.open();
      // The first card, and the last of the first row (the menu must not run off the side).
      const columns = await feed.grid.evaluate((g) => getComputedStyle(g).gridTemplateColumns.split(" ").length);
      for (const index of new Set([0, columns - 1])) {
        const card = feed.card(index);
        await card.getByText("Not interested…").click();
        const menu = card.locator(".menu__list");
        await expect(menu).toBeVisible();
        expect(await hiddenPart(menu, ".menu__item")).toBe("");
        if (index === 0) await snap(page, `for-you-menu-${width}`);
        await page.keyboard.press("Escape");
        await expect(menu).toBeHidden();
      }
    });
  }

  test("the Model page fits 1280 px: runs table, balanced metric cards", async ({ page, loginAs }) => {
    await loginAs("demo");
    const model = new ModelPage(page);
    await model.open();
    await expect(model.runs.nth(1)).toBeVisible();
    for (const region of ["Training runs", "Model versions"]) {
      const table = page.getByRole("region", { name: region }).locator(".table-wrap");
      expect(await sidewaysOverflow(table), `${region} scrolls sideways`).toBeLessThanOrEqual(0);
    }
    expectBalanced(await rowCounts(page.getByTestId("metric-cards")));
  });

  for (const width of [1280, 390]) {
    test(`insights totals are balanced at ${width} px`, async ({ page, loginAs }) => {
      await page.setViewportSize({ width, height: 900 });
      await loginAs("creator");
      const insights = new InsightsPage(page);
      await insights.open();
      await expect(insights.total("Views")).toBeVisible();
      expectBalanced(await rowCounts(page.getByTestId("metric-cards")));
    });
  }

  test("the phone navigation shows every link in full", async ({ page, loginAs }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    // The creator has the most links (Insights too).
    await loginAs("creator");
    const shell = new Shell(page);
    for (const name of ["For you", "Browse", "Insights", "Model", "Preferences"]) {
      expect(await hiddenPart(shell.link(name)), name).toBe("");
    }
    expect(await sidewaysOverflow(shell.nav)).toBeLessThanOrEqual(0);
    await snap(page, "navigation-phone");
  });

  test("readers see no model version, and the diversity knob and the measured diversity are told apart", async ({
    page,
    loginAs,
  }) => {
    await loginAs("demo");
    const model = new ModelPage(page);
    await model.open();
    const version = (await model.activeVersion.innerText()).trim();
    expect(version).not.toBe("");
    const feed = new ForYouPage(page);
    await feed.open();
    await expect(page.locator("main")).not.toContainText(version);
    await expect(page.getByRole("slider", { name: "Diversity knob" })).toBeVisible();
    await expect(page.locator('label[for="diversity-knob"]')).toHaveText(/^Diversity knob \d+%$/);
    await expect(feed.listMeta).toContainText(/Measured list diversity \d+(\.\d)?%/);
  });
});
