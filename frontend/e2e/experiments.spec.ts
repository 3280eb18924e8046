import { test, expect, snap } from "./fixtures";
import { ExperimentsPage } from "./pages/ExperimentsPage";
import { ForYouPage } from "./pages/ForYouPage";
import { Shell } from "./pages/Shell";

test.describe("experiments", () => {
  test("staff create and start an experiment, read its results, the bandit and the simulator's figures", async ({ page, loginAs }) => {
    await loginAs("admin");
    const shell = new Shell(page);
    await shell.go("Experiments");
    const experiments = new ExperimentsPage(page);
    await expect(experiments.heading).toBeVisible();
    // A unique name, so the test also passes on a reused database.
    const name = `e2e-${Date.now()}`;
    await experiments.create(name);
    await expect(experiments.row(name)).toContainText("draft");
    await expect(experiments.detail.getByRole("heading", { level: 2 })).toContainText(name);
    await experiments.button("Start").click();
    await expect(experiments.row(name)).toContainText("running");

    // The staff member is a reader too: their For you list is served by their variant.
    await shell.go("For you");
    await new ForYouPage(page).settled();
    await expect(new ForYouPage(page).cards.first()).toBeVisible();
    await shell.go("Experiments");
    await experiments.row(name).getByRole("button", { name }).click();
    await expect
      .poll(
        async () => {
          await experiments.results.getByRole("button", { name: "Refresh" }).click();
          return experiments.results.getByRole("table").first().textContent();
        },
        { message: "the list's impressions counted", timeout: 30_000 },
      )
      .toMatch(/\d+\.\d\d% \[/);
    await expect(experiments.page.getByTestId("variant-chart").locator("canvas")).toBeVisible();
    await expect(experiments.page.getByTestId("daily-chart").locator("canvas")).toBeVisible();

    // Shipping asks first; cancelled here, as a shipped default would change every reader's lists.
    await experiments.button("Ship control").click();
    await expect(page.getByRole("alertdialog")).toContainText("becomes the default");
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByRole("alertdialog")).toHaveCount(0);

    await expect(experiments.bandit.getByTestId("bandit-sources").getByRole("row")).toHaveCount(6);
    // The simulator ran briefly as the server was prepared (e2e/serve.sh).
    await expect(experiments.simulation.getByTestId("simulation-ab")).toContainText(/CTR difference [+-]?\d/);
    await expect(experiments.simulation.getByTestId("simulation-aa")).toContainText("of 3");
    await expect(experiments.simulation.getByTestId("regret-chart").locator("canvas")).toBeVisible();
    await expect(experiments.simulation.getByTestId("simulation-fatigue")).toContainText("20 readers, 2 visits each");
    await snap(page, "experiments");

    // Stopped, so the surface is free for the tests that follow.
    await experiments.button("Stop").click();
    await expect(experiments.row(name)).toContainText("stopped");
  });

  test("a reader sees no link and is refused at /experiments", async ({ page, loginAs }) => {
    await loginAs("demo");
    const shell = new Shell(page);
    await expect(shell.link("Model")).toBeVisible();
    await expect(shell.link("Experiments")).toHaveCount(0);
    const experiments = new ExperimentsPage(page);
    await experiments.open();
    await expect(experiments.refusal).toContainText("Staff only");
    await expect(experiments.list).toHaveCount(0);
    await snap(page, "experiments-refused");
  });
});
