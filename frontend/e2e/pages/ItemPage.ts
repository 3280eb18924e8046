import type { Locator, Page } from "@playwright/test";

export class ItemPage {
  readonly title: Locator;
  readonly similar: Locator;
  readonly similarCards: Locator;

  constructor(readonly page: Page) {
    this.title = page.locator("#item-title");
    this.similar = page.getByRole("complementary", { name: "Similar items" });
    this.similarCards = this.similar.getByTestId("item-card");
  }

  async open(id: string): Promise<void> {
    await this.page.goto(`/items/${id}`);
    await this.title.waitFor();
  }
}
