import { test, expect, snap } from "./fixtures";
import { LoginPage } from "./pages/LoginPage";
import { Shell } from "./pages/Shell";
import { BrowsePage } from "./pages/BrowsePage";
import { ItemPage } from "./pages/ItemPage";

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
    await browse.type.selectOption("VIDEO");
    await expect(browse.cards.first().getByText("Video", { exact: true })).toBeVisible();
    await browse.cards.first().getByRole("heading").getByRole("link").click();
    const item = new ItemPage(page);
    await expect(item.title).toBeVisible();
    await expect(item.similarCards.first()).toBeVisible();
    await item.page.getByRole("button", { name: "Like" }).click();
    await expect(item.page.getByRole("button", { name: "Liked" })).toHaveAttribute("aria-pressed", "true");
    await snap(page, "item");
    // Similar items lead to other items.
    const next = await item.similarCards.first().getByRole("heading").innerText();
    await item.similarCards.first().getByRole("heading").getByRole("link").click();
    await expect(item.title).toHaveText(next);
  });
});
