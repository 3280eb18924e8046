import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockClient, renderWith, demoViewer } from "../test/helpers";
import { ForYouPage } from "./ForYouPage";

function rec(id: string, title: string, creator = "c1", tags: [string, string][] = [["t1", "jazz"]]) {
  return {
    __typename: "Recommendation",
    score: 0.9 - Number(id) / 100,
    reasons: [{ __typename: "Reason", kind: "TAG_YOU_FOLLOW", text: "Tagged #jazz, which you follow", evidenceType: "tag", evidenceIds: ["t1"] }],
    breakdown: {
      __typename: "ScoreBreakdown",
      graph: 0.5,
      content: 0.3,
      popularity: 0,
      freshness: 0.1,
      context: 0,
      fatiguePenalty: 0,
      diversityPenalty: 0.02,
    },
    item: {
      __typename: "ContentItem",
      id,
      type: "BLOG",
      title,
      excerpt: `About ${title}`,
      imageUrl: "",
      creator: { __typename: "Creator", id: creator, displayName: `Creator ${creator}` },
      category: { __typename: "Category", id: "k1", name: "Music" },
      tags: tags.map(([tid, name]) => ({ __typename: "Tag", id: tid, name })),
    },
  };
}

function dashboard(items: ReturnType<typeof rec>[], method = "HYBRID") {
  return {
    dashboard: {
      __typename: "Dashboard",
      recommendations: {
        __typename: "RecommendationList",
        method,
        modelVersion: "v1",
        diversity: 0.5,
        cached: false,
        requestId: FIRST_LIST,
        items,
      },
      stats: { __typename: "UserStats", interactions: 12, likes: 3, saves: 1, hides: 0, itemsEngaged: 9, creatorsEngaged: 4 },
      recentActivity: [],
    },
  };
}

const FIRST_LIST = "a".repeat(32);
const SECOND_LIST = "b".repeat(32);

const catalogue = { categories: [{ __typename: "Category", id: "k1", name: "Music", slug: "music" }], tags: [] };

describe("For you", () => {
  it("shows cards with reasons, and hiding one removes it before the server answers", async () => {
    let releaseHide: (() => void) | undefined;
    const { client, calls } = mockClient((name) => {
      if (name === "ForYou") return dashboard([rec("1", "First"), rec("2", "Second"), rec("3", "Third")]);
      if (name === "Catalogue") return catalogue;
      if (name === "RecordFeedback") return { recordInteraction: { __typename: "Interaction", id: "99", kind: "HIDE" } };
      if (name === "MoreRecommendations")
        return {
          recommendations: { __typename: "RecommendationList", method: "HYBRID", requestId: SECOND_LIST, items: [rec("4", "Fourth")] },
        };
      return undefined;
    });
    renderWith(<ForYouPage />, { client });
    const cards = await screen.findAllByTestId("rec-card");
    expect(cards).toHaveLength(3);
    expect(within(cards[0]).getByText("Tagged #jazz, which you follow")).toBeInTheDocument();
    expect(within(cards[0]).getByRole("note")).toHaveTextContent("Score 0.890");
    // The knob and the measured diversity are told apart; the model version is not shown.
    const meta = screen.getByRole("list", { name: "About this list" });
    expect(meta).toHaveTextContent("Measured list diversity 50%");
    expect(meta).not.toHaveTextContent("v1");
    expect(screen.getByRole("slider", { name: /Diversity knob/ })).toHaveValue("0.3");

    await userEvent.click(within(cards[1]).getByRole("button", { name: /Hide/ }));
    expect(screen.queryByText("Second")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByText("Fourth")).toBeInTheDocument());
    // The list is asked for the browser's moment, and the next page for the same one.
    const first = calls.find((c) => c.name === "ForYou");
    const moment = first?.variables.context as { localHour: number; device: string };
    expect(moment.localHour).toBe(new Date().getHours());
    expect(["mobile", "tablet", "desktop", "tv"]).toContain(moment.device);
    const hide = calls.find((c) => c.name === "RecordFeedback");
    // Credited to the list it was served in, at its rank there.
    expect(hide?.variables).toMatchObject({ input: { itemId: "2", kind: "HIDE", requestId: FIRST_LIST, position: 1 } });
    // The refill never asks for what is already on screen.
    const more = calls.find((c) => c.name === "MoreRecommendations");
    expect((more?.variables.filters as { excludeIds: string[] }).excludeIds).toEqual(["1", "2", "3"]);
    expect(more?.variables.context).toEqual(moment);
    // A card of a later page carries that page's list.
    await userEvent.click(within(screen.getByText("Fourth").closest("article")!).getByRole("button", { name: /Like/ }));
    await waitFor(() =>
      expect(calls.filter((c) => c.name === "RecordFeedback").at(-1)?.variables).toMatchObject({
        input: { itemId: "4", kind: "LIKE", requestId: SECOND_LIST, position: 0 },
      }),
    );
    releaseHide?.();
  });

  it("likes show as pressed and 'not interested' in a tag drops all its cards", async () => {
    const { client, calls } = mockClient((name) => {
      if (name === "ForYou")
        return dashboard([rec("1", "First", "c1", [["t1", "jazz"]]), rec("2", "Second", "c2", [["t2", "rock"]]), rec("3", "Third", "c3", [["t1", "jazz"]])]);
      if (name === "Catalogue") return catalogue;
      if (name === "RecordFeedback") return { recordInteraction: { __typename: "Interaction", id: "1", kind: "LIKE" } };
      if (name === "MarkNotInterested") return { markNotInterested: { __typename: "NotInterested", id: "5" } };
      if (name === "MoreRecommendations") return { recommendations: { __typename: "RecommendationList", method: "HYBRID", items: [] } };
      return undefined;
    });
    renderWith(<ForYouPage />, { client });
    const cards = await screen.findAllByTestId("rec-card");
    await userEvent.click(within(cards[1]).getByRole("button", { name: /Like/ }));
    expect(within(cards[1]).getByRole("button", { name: /Liked/ })).toHaveAttribute("aria-pressed", "true");
    await userEvent.click(within(cards[0]).getByText("Not interested…"));
    await userEvent.click(within(cards[0]).getByRole("button", { name: "in #jazz" }));
    await waitFor(() => expect(screen.getAllByTestId("rec-card")).toHaveLength(1));
    expect(screen.getByText("Second")).toBeInTheDocument();
    expect(calls.find((c) => c.name === "MarkNotInterested")?.variables).toEqual({ tagId: "t1" });
    expect(await screen.findByText(/Fewer items tagged #jazz/)).toBeInTheDocument();
  });

  it("explains cold start and offers the interests picker", async () => {
    const { client } = mockClient((name) => {
      if (name === "ForYou") return dashboard([rec("1", "Popular")], "TRENDING");
      if (name === "Catalogue") return catalogue;
      return undefined;
    });
    renderWith(<ForYouPage />, { client, viewer: { ...demoViewer } });
    expect(await screen.findByRole("heading", { name: "Tell us what you like" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Music" })).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByTestId("list-method")).toHaveTextContent("Trending");
  });

  it("re-queries with the chosen type", async () => {
    const { client, calls } = mockClient((name) => {
      if (name === "ForYou") return dashboard([rec("1", "First")]);
      if (name === "Catalogue") return catalogue;
      return undefined;
    });
    renderWith(<ForYouPage />, { client });
    await screen.findAllByTestId("rec-card");
    await userEvent.selectOptions(screen.getByLabelText("Type"), "VIDEO");
    await waitFor(() =>
      expect(calls.filter((c) => c.name === "ForYou").at(-1)?.variables).toMatchObject({ filters: { types: ["VIDEO"] } }),
    );
  });
});
