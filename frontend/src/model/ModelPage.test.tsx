import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { mockClient, renderWith } from "../test/helpers";
import ModelPage from "./ModelPage";

vi.mock("react-chartjs-2", () => ({ Line: () => <canvas data-testid="line" />, Scatter: () => <canvas data-testid="scatter" /> }));
vi.mock("chartjs-plugin-zoom", () => ({ default: { id: "zoom" } }));

const run = (id: string, recall: number) => ({
  __typename: "TrainingRun",
  id,
  status: "succeeded",
  lossCurve: [0.6, 0.5, 0.45],
  metrics: { "recall@20": recall, "ndcg@20": recall / 2, users: 100 },
  numUsers: 170,
  numItems: 398,
  numInteractions: 2400,
  error: "",
  startedAt: "2026-11-26T07:32:00Z",
  finishedAt: "2026-11-26T07:32:13Z",
});

const version = {
  __typename: "ModelVersion",
  id: "1",
  version: "20261126T073231-r1",
  isActive: true,
  createdAt: "2026-11-26T07:32:00Z",
  promotedAt: "2026-11-26T07:32:31Z",
  rolledBackAt: null,
  metrics: { "recall@20": 0.25 },
  trainingRun: { __typename: "TrainingRun", id: "2" },
};

const schedule = {
  __typename: "RetrainingSchedule",
  enabled: true,
  intervalSeconds: 21600,
  minNewFeedback: 500,
  newFeedback: 120,
  lastRunAt: "2026-11-26T07:32:00Z",
  lastTrigger: "schedule",
  nextRunAt: "2026-11-26T13:32:00Z",
};

describe("model page", () => {
  it("shows the active version, every run with its metrics, and the atlas", async () => {
    const { client } = mockClient((name) => {
      if (name === "ModelOverview") return { activeModel: version, modelVersions: [version], trainingRuns: [run("2", 0.25), run("1", 0.2)] };
      if (name === "RetrainingSchedule") return { retrainingSchedule: schedule };
      if (name === "EmbeddingAtlas")
        return {
          embeddingAtlas: {
            __typename: "EmbeddingAtlas",
            modelVersion: version.version,
            method: "t-SNE",
            points: [{ __typename: "AtlasPoint", kind: "ITEM", id: "4", label: "Pasta", x: 0, y: 1, categoryId: "1", categoryName: "Cooking" }],
          },
        };
      return undefined;
    });
    renderWith(<ModelPage />, { client });
    expect(await screen.findByTestId("active-version")).toHaveTextContent("20261126T073231-r1");
    const runs = screen.getByRole("region", { name: "Training runs" });
    expect(within(runs).getAllByRole("row")).toHaveLength(3);
    expect(within(runs).getByRole("columnheader", { name: "recall@20" })).toBeInTheDocument();
    expect(within(runs).getByRole("row", { name: /#2 succeeded/ })).toHaveTextContent("0.250");
    expect(within(runs).getByRole("checkbox", { name: "Compare run 2" })).toBeChecked();
    const retraining = screen.getByRole("region", { name: "Retraining" });
    expect(within(retraining).getByTestId("retraining-schedule")).toHaveTextContent(
      "Retrains every 6 hours, or once 500 new interactions arrive",
    );
    expect(within(retraining).getByTestId("retraining-last")).toHaveTextContent("(schedule)");
    expect(within(retraining).getByTestId("retraining-last")).toHaveTextContent(/2026/);
    expect(within(retraining).getByTestId("retraining-next")).toHaveTextContent(/2026/);
    expect(await screen.findByText(/t-SNE projection of 1 point,/)).toBeInTheDocument();
    expect(await screen.findByTestId("scatter")).toBeInTheDocument();
  });

  it("says so when no model is serving", async () => {
    const { client } = mockClient((name) => {
      if (name === "ModelOverview") return { activeModel: null, modelVersions: [], trainingRuns: [] };
      if (name === "RetrainingSchedule")
        return { retrainingSchedule: { ...schedule, enabled: false, intervalSeconds: null, minNewFeedback: null, newFeedback: 0, lastRunAt: null, lastTrigger: null, nextRunAt: null } };
      if (name === "EmbeddingAtlas") return { embeddingAtlas: null };
      return undefined;
    });
    renderWith(<ModelPage />, { client });
    expect(await screen.findByText(/No model is serving: recommendations fall back/)).toBeInTheDocument();
    expect(await screen.findByText(/no embedding space to map yet/)).toBeInTheDocument();
    expect(screen.getByTestId("retraining-schedule")).toHaveTextContent(/^Not scheduled/);
    expect(screen.getByTestId("retraining-next")).toHaveTextContent("–");
  });
});
