import { expect, type Locator, type Page } from "@playwright/test";

/** The GraphiQL IDE at /graphql/: its query editor, the run button and the result pane. */
export class GraphiQLPage {
  readonly queryEditor: Locator;
  readonly run: Locator;
  readonly result: Locator;

  constructor(readonly page: Page) {
    this.queryEditor = page.locator(".graphiql-query-editor .CodeMirror");
    this.run = page.getByRole("button", { name: /Execute query/ });
    this.result = page.locator(".graphiql-response .CodeMirror");
  }

  async open(): Promise<void> {
    await this.page.goto("/graphql/");
    await this.queryEditor.waitFor();
  }

  /** Replaces the query editor's text, as pasting it would. */
  async setQuery(text: string): Promise<void> {
    await this.queryEditor.evaluate((el, value) => {
      (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(value);
    }, text);
  }

  async resultText(): Promise<string> {
    return this.result.evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
  }

  /** Runs the query in the editor and returns the result pane's JSON once it shows one. */
  async execute(): Promise<Record<string, unknown>> {
    const before = await this.resultText();
    const answered = this.page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/graphql/",
    );
    await this.run.click();
    await answered;
    await expect.poll(() => this.resultText()).not.toBe(before);
    await expect.poll(async () => parses(await this.resultText())).toBe(true);
    return JSON.parse(await this.resultText()) as Record<string, unknown>;
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
