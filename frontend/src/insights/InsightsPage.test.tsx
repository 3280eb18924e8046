import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { mockClient, renderWith, demoViewer } from "../test/helpers";
import InsightsPage from "./InsightsPage";

// Canvas charts do not draw in jsdom; the page's own logic is what is under test.
vi.mock("react-chartjs-2", () => ({ Chart: () => <canvas />, Bar: () => <canvas />, Line: () => <canvas /> }));

const insights = {
  creatorInsights: {
    __typename: "CreatorInsights",
    creatorId: "3",
    displayName: "Ines's Pantry",
    windowDays: 30,
    start: "2026-10-28T00:00:00Z",
    end: "2026-11-26T00:00:00Z",
    totals: { __typename: "InsightTotals", items: 12, views: 340, likes: 41, clicks: 50, impressions: 900, clickedImpressions: 45, ctr: 0.05, dwellMs: 42000, audienceSize: 88 },
    series: [{ __typename: "DailyPoint", date: "2026-11-25", views: 12, likes: 2, impressions: 30, clickedImpressions: 3, ctr: 0.1 }],
    topItems: [{ __typename: "ItemInsights", itemId: "9", title: "Fresh pasta", type: "VIDEO", views: 40, likes: 7, impressions: 100, ctr: 0.07, dwellMs: 61000 }],
    risingItems: [{ __typename: "RisingItem", itemId: "9", title: "Fresh pasta", viewsLast7d: 30, viewsPrev7d: 10, growth: 2 }],
    audienceInterests: [{ __typename: "AudienceInterest", tagId: "1", name: "pasta", share: 0.4 }],
    methods: [{ __typename: "MethodBreakdown", method: "HYBRID", impressions: 700, clickedImpressions: 40, ctr: 0.057, share: 0.78 }],
    similarCreators: [{ __typename: "SimilarCreator", creatorId: "4", displayName: "Hana Singh", score: 0.81, source: "embedding", sharedAudience: null }],
    written: [{ __typename: "WrittenInsight", kind: "growth", text: "Views rose 200% this week." }],
  },
};

describe("creator insights", () => {
  it("refuses a viewer who does not publish, without asking the server", () => {
    const { client, calls } = mockClient(() => undefined);
    renderWith(<InsightsPage />, { client, viewer: demoViewer });
    expect(screen.getByRole("heading", { name: "Creator insights are for creators" })).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it("shows a creator their totals, tables and written insights", async () => {
    const { client, calls } = mockClient((name) => (name === "CreatorInsights" ? insights : undefined));
    renderWith(<InsightsPage />, {
      client,
      viewer: { ...demoViewer, creator: { id: "3", displayName: "Ines's Pantry" } },
    });
    expect(await screen.findByText("Views rose 200% this week.")).toBeInTheDocument();
    expect(screen.getByLabelText("Totals")).toHaveTextContent("340");
    expect(screen.getByLabelText("Totals")).toHaveTextContent("5%");
    expect(screen.getByRole("row", { name: /Fresh pasta 30 10 \+200%/ })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Hana Singh" })).toHaveAttribute("href", "/creators/4");
    expect(calls[0].variables).toEqual({ creatorId: "3", windowDays: 30 });
  });
});
