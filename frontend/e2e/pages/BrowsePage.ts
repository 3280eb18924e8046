import type { Locator, Page } from "@playwright/test";

export class BrowsePage {
  readonly heading: Locator;
  readonly cards: Locator;
  readonly type: Locator;
  readonly loadMore: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Browse", level: 1 });
    this.cards = page.getByTestId("item-card");
    this.type = page.getByLabel("Type");
    this.loadMore = page.getByRole("button", { name: "Load more" });
  }

  /** The type badge of every card, e.g. ["Video", "Blog"]. */
  async types(): Promise<string[]> {
    return this.cards.locator(".item-card__meta .badge").allInnerTexts();
  }

  async open(): Promise<void> {
    await this.page.goto("/items");
    await this.heading.waitFor();
    await this.cards.first().waitFor();
  }
}
