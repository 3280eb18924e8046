import type { Locator, Page } from "@playwright/test";

/** The header every signed-in page shares: navigation and log out. */
export class Shell {
  readonly nav: Locator;
  readonly viewerName: Locator;
  readonly logoutButton: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole("navigation", { name: "Main" });
    this.viewerName = page.getByTestId("viewer-name");
    this.logoutButton = page.getByRole("button", { name: "Log out" });
  }

  link(name: string): Locator {
    return this.nav.getByRole("link", { name, exact: true });
  }

  async go(name: string): Promise<void> {
    await this.link(name).click();
  }

  async logout(): Promise<void> {
    await this.logoutButton.click();
    await this.page.waitForURL(/\/login/);
  }

  /** The value of a CSS custom property on <html>, e.g. --accent. */
  async cssVar(name: string): Promise<string> {
    return this.page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim(), name);
  }
}
