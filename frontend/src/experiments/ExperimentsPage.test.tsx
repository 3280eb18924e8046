import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { demoViewer, mockClient, renderWith } from "../test/helpers";
import ExperimentsPage from "./ExperimentsPage";

vi.mock("react-chartjs-2", () => ({
  Line: () => <canvas data-testid="line" />,
  Bar: () => <canvas data-testid="bar" />,
  Chart: () => <canvas data-testid="interval" />,
}));

const staff = { ...demoViewer, username: "admin", isStaff: true };
const estimate = (value: number, low: number, high: number, excludesZero = false) => ({ value, low, high, excludesZero });
const experiment = {
  experimentId: "3",
  name: "fresher-feed",
  description: "Fresher lists",
  status: "RUNNING",
  surface: "FOR_YOU",
  createdAt: "2026-11-26T07:00:00Z",
  startedAt: "2026-11-26T08:00:00Z",
  stoppedAt: null,
  shippedVariant: null,
  variants: [
    { variantId: "5", name: "control", isControl: true, trafficShare: 0.5, config: {} },
    { variantId: "6", name: "fresh", isControl: false, trafficShare: 0.5, config: {} },
  ],
};
const variant = (name: string, isControl: boolean, ctr: number) => ({
  name,
  isControl,
  trafficShare: 0.5,
  users: isControl ? 120 : 80,
  totals: { impressions: 1000, clicks: ctr * 1000, ctr: estimate(ctr, ctr - 0.02, ctr + 0.02), likeRate: null, hideRate: null },
  versusControl: isControl ? null : { ctr: estimate(0.05, 0.01, 0.09, true), likeRate: null, hideRate: null },
  days: [{ day: "2026-11-26", metrics: { impressions: 1000, ctr: { value: ctr } } }],
});
const results = {
  experimentResults: {
    experimentId: "3",
    name: "fresher-feed",
    status: "RUNNING",
    sampleRatio: { chiSquare: 20, pValue: 0.00001, mismatch: true },
    variants: [variant("control", true, 0.1), variant("fresh", false, 0.15)],
  },
};
const bandit = {
  banditState: {
    enabled: false,
    updatedAt: "2026-11-26T09:00:00Z",
    sources: [{ source: "GRAPH", mean: 0.1, low: 0.08, high: 0.12, slotShare: 1, shown: 500, engaged: 50 }],
    history: [{ takenAt: "2026-11-26T09:00:00Z", sources: [{ source: "GRAPH", slotShare: 1 }] }],
  },
};
const plan = { users: 40, rounds: 2, seed: 0 };
const simulation = {
  simulationReport: {
    ab: {
      generatedAt: "2026-11-26T10:00:00Z",
      seconds: 12,
      visits: 80,
      detected: true,
      sampleRatioMismatch: false,
      plan,
      ctrDifference: estimate(-0.04, -0.05, -0.03),
      variants: [{ variant: "default", control: true, impressions: 400, clicks: 40, ctr: estimate(0.1, 0.08, 0.12) }],
    },
    aa: { generatedAt: "2026-11-26T10:00:00Z", seconds: 30, runs: 50, flagged: 2, readersPerRun: 100 },
    bandit: {
      generatedAt: "2026-11-26T10:00:00Z",
      seconds: 60,
      visits: 600,
      rounds: 3,
      bestFixedMix: "only-content",
      finalRegretVsUniform: -11.9,
      finalRegretVsBestFixed: 3,
      regretVsUniform: [{ x: 1, y: 0 }, { x: 2, y: -1 }],
      regretVsBestFixed: [{ x: 1, y: 0.5 }, { x: 2, y: 3 }],
      clicksPerVisit: [{ name: "bandit", value: 0.668 }],
      slotSharesByRound: [[{ source: "content", share: 0.43 }]],
      plan,
    },
    fatigue: null,
  },
};

function respond(overrides: Record<string, unknown> = {}) {
  const answers: Record<string, unknown> = {
    Experiments: { experiments: [experiment] },
    ExperimentResults: results,
    BanditShares: bandit,
    SimulationReport: simulation,
    ...overrides,
  };
  return (name: string) => answers[name];
}

describe("experiments page", () => {
  it("tells a reader who is not staff that the page is for staff, asking the API nothing", () => {
    const { client, calls } = mockClient(respond());
    renderWith(<ExperimentsPage />, { client });
    expect(screen.getByRole("alert")).toHaveTextContent("Staff only");
    expect(calls).toEqual([]);
  });

  it("lists experiments and shows the chosen one's results, the SRM alert, the bandit and the simulator", async () => {
    const { client } = mockClient(respond());
    renderWith(<ExperimentsPage />, { client, viewer: staff });
    const list = await screen.findByRole("region", { name: "All experiments" });
    expect(within(list).getByRole("row", { name: /fresher-feed running/ })).toHaveTextContent("control 50%, fresh 50%");
    const [table] = within(await screen.findByTestId("experiment-results")).getAllByRole("table");
    expect(within(table).getByRole("row", { name: /^fresh/ })).toHaveTextContent("15.00% [13.00, 17.00]");
    expect(within(table).getByRole("row", { name: /^fresh/ })).toHaveTextContent("+5.00 pts [+1.00, +9.00]");
    expect(screen.getByTestId("srm-alert")).toHaveTextContent("Sample ratio mismatch");
    expect(within(screen.getByTestId("variant-chart")).getByRole("table")).toHaveTextContent("control10.00% [8.00, 12.00]");
    expect(screen.getByTestId("daily-chart")).toBeInTheDocument();
    expect(await screen.findByTestId("bandit-sources")).toHaveTextContent("Graph100%");
    expect(screen.getByTestId("bandit-history-chart")).toHaveAccessibleName(/after each of 1 counts/);
    expect(await screen.findByTestId("simulation-ab")).toHaveTextContent("-4.00 pts [-5.00, -3.00]: detected");
    expect(screen.getByTestId("simulation-aa")).toHaveTextContent("2 of 50");
    expect(screen.getByTestId("simulation-bandit")).toHaveTextContent("-11.9 clicks against uniform, 3 against the best fixed mix");
    expect(screen.getByTestId("regret-chart")).toBeInTheDocument();
    expect(screen.queryByTestId("simulation-fatigue")).toBeNull();
  });

  it("says when the simulator has not run", async () => {
    const { client } = mockClient(respond({ SimulationReport: { simulationReport: null } }));
    renderWith(<ExperimentsPage />, { client, viewer: staff });
    expect(await screen.findByTestId("simulation-empty")).toHaveTextContent("has not run yet");
  });

  it("creates a draft from the form", async () => {
    const { client, calls } = mockClient((name) =>
      name === "CreateExperiment" ? { createExperiment: { experimentId: "9", name: "bandit-test", status: "DRAFT" } } : respond({ Experiments: { experiments: [] } })(name),
    );
    renderWith(<ExperimentsPage />, { client, viewer: staff });
    const form = await screen.findByRole("form", { name: "New experiment" });
    await userEvent.type(within(form).getByLabelText("Name"), "bandit-test");
    await userEvent.selectOptions(within(form).getAllByLabelText("Sources")[1], "bandit");
    await userEvent.click(within(form).getByRole("button", { name: "Create draft" }));
    await waitFor(() => expect(calls.some((c) => c.name === "CreateExperiment")).toBe(true));
    const input = calls.find((c) => c.name === "CreateExperiment")?.variables.input as { name: string; variants: { config: { bandit: boolean } }[] };
    expect(input.name).toBe("bandit-test");
    expect(input.variants.map((v) => v.config.bandit)).toEqual([false, true]);
  });

  it("asks before shipping and shows the API's refusal", async () => {
    const { client, calls } = mockClient((name) =>
      name === "ShipExperiment" ? Object.assign(new Error("Only staff may read this."), { name: "FORBIDDEN" }) : respond()(name),
    );
    renderWith(<ExperimentsPage />, { client, viewer: staff });
    await userEvent.click(await screen.findByRole("button", { name: "Ship fresh" }));
    expect(calls.some((c) => c.name === "ShipExperiment")).toBe(false);
    expect(screen.getByRole("alertdialog")).toHaveTextContent("becomes the default");
    await userEvent.click(screen.getByRole("button", { name: "Yes, ship fresh" }));
    expect(await screen.findByText("Only staff may read this.")).toBeInTheDocument();
    expect(calls.find((c) => c.name === "ShipExperiment")?.variables).toEqual({ id: "3", variant: "fresh" });
  });
});
