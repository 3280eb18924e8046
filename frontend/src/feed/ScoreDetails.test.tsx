import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ScoreDetails, type RecommendationData } from "./RecommendationCard";

function rec(context: number, fatiguePenalty: number): RecommendationData {
  return {
    score: 1.2,
    reasons: [],
    breakdown: { graph: 0.8, content: 0.2, popularity: 0.1, freshness: 0, context, fatiguePenalty, diversityPenalty: 0.1 },
    item: {
      id: "1",
      type: "VIDEO",
      title: "A video",
      excerpt: "",
      imageUrl: "",
      creator: { id: "c", displayName: "C" },
      category: null,
      tags: [],
    },
  } as unknown as RecommendationData;
}

describe("the score's parts", () => {
  it("show what the moment added and what earlier showings took off", () => {
    render(<ScoreDetails rec={rec(0.4, 0.35)} />);
    const note = screen.getByRole("note");
    expect(note).toHaveTextContent("this moment+0.400");
    expect(note).toHaveTextContent("shown before−0.350");
  });

  it("leave them out where they changed nothing", () => {
    render(<ScoreDetails rec={rec(0, 0)} />);
    const note = screen.getByRole("note");
    expect(note).not.toHaveTextContent("this moment");
    expect(note).not.toHaveTextContent("shown before");
    expect(note).toHaveTextContent("graph+0.800");
  });
});
