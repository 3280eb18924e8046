import type { Locator, Page } from "@playwright/test";

export class ModelPage {
  readonly heading: Locator;
  readonly activeVersion: Locator;
  readonly lossChart: Locator;
  readonly runs: Locator;
  readonly atlas: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Model", level: 1 });
    this.activeVersion = page.getByTestId("active-version");
    this.lossChart = page.getByTestId("loss-chart");
    this.runs = page.getByRole("region", { name: "Training runs" }).getByRole("row");
    this.atlas = page.getByRole("region", { name: "Embedding atlas" });
  }

  async open(): Promise<void> {
    await this.page.goto("/model");
    await this.heading.waitFor();
  }
}
