import type { Locator, Page } from "@playwright/test";

export class InsightsPage {
  readonly heading: Locator;
  readonly totals: Locator;
  readonly trend: Locator;
  readonly topItems: Locator;
  readonly window: Locator;
  readonly refusal: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Creator insights", level: 1 });
    this.totals = page.getByRole("definition").first();
    this.trend = page.getByRole("img", { name: /Daily views and CTR/ });
    this.topItems = page.getByRole("region", { name: "Top items" });
    this.window = page.getByLabel("Window");
    this.refusal = page.getByRole("heading", { name: "Creator insights are for creators" });
  }

  async open(query = ""): Promise<void> {
    await this.page.goto(`/insights${query}`);
  }

  total(label: string): Locator {
    return this.page.getByLabel("Totals").locator("div", { has: this.page.getByText(label, { exact: true }) }).locator("dd");
  }
}
