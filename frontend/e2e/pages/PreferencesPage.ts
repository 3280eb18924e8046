import type { Locator, Page } from "@playwright/test";

export class PreferencesPage {
  readonly heading: Locator;
  readonly hexInput: Locator;
  readonly fontSize: Locator;
  readonly saveState: Locator;
  readonly saveInterests: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Preferences", level: 1 });
    this.hexInput = page.getByLabel("Accent colour as hex");
    this.fontSize = page.getByRole("slider", { name: /Font size/ });
    this.saveState = page.getByTestId("save-state");
    this.saveInterests = page.getByRole("button", { name: "Save interests" });
  }

  async open(): Promise<void> {
    await this.page.goto("/preferences");
    await this.heading.waitFor();
  }

  async setAccent(hex: string): Promise<void> {
    await this.hexInput.fill(hex);
  }

  async setFontSize(px: number): Promise<void> {
    await this.fontSize.fill(String(px));
  }

  toggle(name: string): Locator {
    return this.page.getByRole("button", { name, exact: true });
  }
}
