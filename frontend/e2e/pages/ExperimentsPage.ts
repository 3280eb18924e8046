import type { Locator, Page } from "@playwright/test";

/** The staff's Experiments page: the list, the chosen experiment, the form, the bandit and the simulator. */
export class ExperimentsPage {
  readonly heading: Locator;
  readonly list: Locator;
  readonly form: Locator;
  readonly detail: Locator;
  readonly results: Locator;
  readonly bandit: Locator;
  readonly simulation: Locator;
  readonly refusal: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Experiments", level: 1 });
    this.list = page.getByRole("region", { name: "All experiments" });
    this.form = page.getByRole("form", { name: "New experiment" });
    this.detail = page.getByTestId("experiment-detail");
    this.results = page.getByTestId("experiment-results");
    this.bandit = page.getByRole("region", { name: "Source bandit" });
    this.simulation = page.getByRole("region", { name: "Simulated traffic" });
    this.refusal = page.getByTestId("staff-only");
  }

  async open(): Promise<void> {
    await this.page.goto("/experiments");
    await this.heading.waitFor();
  }

  /** Fills the form with two 50% variants, the second served by the bandit, and creates the draft. */
  async create(name: string): Promise<void> {
    await this.form.getByLabel("Name", { exact: true }).fill(name);
    await this.form.getByLabel("Sources").nth(1).selectOption("bandit");
    await this.form.getByRole("button", { name: "Create draft" }).click();
  }

  row(name: string): Locator {
    return this.list.getByRole("row").filter({ hasText: name });
  }

  button(name: string): Locator {
    return this.detail.getByRole("button", { name, exact: true });
  }
}
