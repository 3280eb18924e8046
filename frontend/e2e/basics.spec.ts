import { test, expect, snap } from "./fixtures";
import { LoginPage } from "./pages/LoginPage";
import { Shell } from "./pages/Shell";
import { BrowsePage } from "./pages/BrowsePage";
import { ItemPage } from "./pages/ItemPage";
import { afterResponse } from "./graphql";

test.describe("session", () => {
  test("an anonymous visitor is sent to the login page and can sign in and out", async ({ page }) => {
    await page.goto("/preferences");
    await expect(page).toHaveURL(/\/login\?next=%2Fpreferences/);
    const login = new LoginPage(page);
    await snap(page, "login");
    await login.signIn("demo", "wrong password");
    await expect(login.error).toBeVisible();
    await login.signIn("demo", "lupi-demo");
    await expect(page).toHaveURL(/\/preferences$/);
    const shell = new Shell(page);
    await expect(shell.viewerName).toBeVisible();
    await shell.logout();
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
  });
});

test.describe("browsing", () => {
  test("the catalogue pages, filters and opens an item", async ({ page, loginAs }) => {
    await loginAs("demo");
    const browse = new BrowsePage(page);
    await browse.open();
    const first = await browse.cards.count();
    expect(first).toBeGreaterThan(0);
    await snap(page, "browse");
    await browse.loadMore.click();
    await expect.poll(() => browse.cards.count()).toBeGreaterThan(first);
    await afterResponse(
      page,
      "BrowseItems",
      () => browse.type.selectOption("VIDEO"),
      (v) => v.type === "VIDEO",
    );
    // Every card on screen is a video (the list before the filter is gone).
    await expect
      .poll(async () => {
        const types = await browse.types();
        return types.length > 0 && types.every((t) => t.toUpperCase() === "VIDEO");
      })
      .toBe(true);
    await browse.cards.first().getByRole("heading").getByRole("link").click();
    const item = new ItemPage(page);
    await expect(item.title).toBeVisible();
    await expect(item.similarCards.first()).toBeVisible();
    await item.page.getByRole("button", { name: "Like", exact: true }).click();
    await expect(item.page.getByRole("button", { name: "Liked", exact: true })).toHaveAttribute("aria-pressed", "true");
    await snap(page, "item");
    // Similar items lead to other items (told apart by id: titles need not be unique).
    const link = item.similarCards.first().getByRole("heading").getByRole("link");
    const href = (await link.getAttribute("href")) ?? "";
    const next = await link.innerText();
    expect(href).toMatch(/^\/items\/\d+$/);
    expect(href).not.toBe(new URL(page.url()).pathname);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`${href}$`));
    await expect(item.title).toHaveText(next);
  });
});
