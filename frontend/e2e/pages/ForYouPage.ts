import type { Locator, Page } from "@playwright/test";

export class ForYouPage {
  readonly heading: Locator;
  readonly cards: Locator;
  readonly method: Locator;
  readonly notice: Locator;
  readonly showMore: Locator;
  readonly type: Locator;
  readonly category: Locator;
  readonly halfLife: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "For you", level: 1 });
    this.cards = page.getByTestId("rec-card");
    this.method = page.getByTestId("list-method");
    this.notice = page.locator(".notice");
    this.showMore = page.getByRole("button", { name: "Show more" });
    this.type = page.getByLabel("Type");
    this.category = page.getByLabel("Category");
    this.halfLife = page.getByLabel("Freshness half-life");
  }

  async open(): Promise<void> {
    await this.page.goto("/");
    await this.heading.waitFor();
    await this.cards.first().waitFor();
  }

  card(index: number): Locator {
    return this.cards.nth(index);
  }

  cardByItemId(id: string): Locator {
    return this.page.locator(`[data-testid="rec-card"][data-item-id="${id}"]`);
  }

  async itemIds(): Promise<string[]> {
    return this.cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-item-id") ?? ""));
  }

  reasons(card: Locator): Locator {
    return card.getByRole("list", { name: "Why this is here" }).getByRole("listitem");
  }

  async hide(card: Locator): Promise<void> {
    await card.getByRole("button", { name: "Hide" }).click();
  }

  async like(card: Locator): Promise<void> {
    await card.getByRole("button", { name: "Like" }).click();
  }
}
