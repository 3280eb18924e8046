import { expect, type Locator, type Page } from "@playwright/test";
import { afterResponse } from "../graphql";

export class ForYouPage {
  readonly heading: Locator;
  readonly cards: Locator;
  readonly grid: Locator;
  readonly method: Locator;
  readonly notice: Locator;
  readonly showMore: Locator;
  readonly type: Locator;
  readonly category: Locator;
  readonly halfLife: Locator;
  readonly listMeta: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "For you", level: 1 });
    this.cards = page.getByTestId("rec-card");
    this.grid = page.locator(".feed .grid");
    this.method = page.getByTestId("list-method");
    this.notice = page.locator(".notice");
    this.showMore = page.getByRole("button", { name: "Show more" });
    this.type = page.getByLabel("Type");
    this.category = page.getByLabel("Category");
    this.halfLife = page.getByLabel("Freshness half-life");
    this.listMeta = page.getByRole("list", { name: "About this list" });
  }

  async open(): Promise<void> {
    await this.page.goto("/");
    await this.heading.waitFor();
    await this.settled();
  }

  /** The list on screen is the one for the current settings (nothing is being fetched). */
  async settled(): Promise<void> {
    await expect(this.grid).toHaveAttribute("aria-busy", "false");
  }

  /** Runs `action`, which changes the settings, and waits until its list is on screen. */
  async requery(action: () => Promise<unknown>, match?: (variables: Record<string, unknown>) => boolean): Promise<void> {
    await afterResponse(this.page, "ForYou", action, match);
    await this.settled();
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

  /** The type badge of every card, e.g. ["Video", "Blog"]. */
  async types(): Promise<string[]> {
    return this.cards.locator(".item-card__meta .badge").allInnerTexts();
  }

  /** The creator id of every card, read from its creator link. */
  async creatorIds(): Promise<string[]> {
    return this.cards
      .locator(".item-card__creator a")
      .evaluateAll((els) => els.map((e) => (e.getAttribute("href") ?? "").split("/").pop() ?? ""));
  }

  reasons(card: Locator): Locator {
    return card.getByRole("list", { name: "Why this is here" }).getByRole("listitem");
  }

  async hide(card: Locator): Promise<void> {
    await card.getByRole("button", { name: "Hide", exact: true }).click();
  }

  async like(card: Locator): Promise<void> {
    await card.getByRole("button", { name: "Like", exact: true }).click();
  }
}
