import { describe, expect, it } from "vitest";
import {
  emptyFeed,
  feedReducer,
  hasReaction,
  queryArguments,
  servedFrom,
  servedIds,
  settingsFromParams,
  settingsToParams,
  visibleCards,
  type FeedCard,
} from "./feedState";

const card = (id: string, creatorId = "c1", tagIds: string[] = []): FeedCard => ({ id, creatorId, tagIds });

describe("feed state", () => {
  const start = feedReducer(emptyFeed(), { type: "reset", page: [card("1"), card("2", "c2", ["t1"]), card("3", "c3", ["t2"])] });

  it("hides an item at once and can restore it", () => {
    const hidden = feedReducer(start, { type: "hide", id: "2" });
    expect(visibleCards(hidden).map((c) => c.id)).toEqual(["1", "3"]);
    expect(visibleCards(feedReducer(hidden, { type: "restore", id: "2" })).map((c) => c.id)).toEqual(["1", "2", "3"]);
  });

  it("drops every card of a refused tag or creator", () => {
    const more = feedReducer(start, { type: "append", page: [card("4", "c2"), card("5", "c9", ["t1", "t3"])] });
    expect(visibleCards(feedReducer(more, { type: "blockTag", tagId: "t1" })).map((c) => c.id)).toEqual(["1", "3", "4"]);
    expect(visibleCards(feedReducer(more, { type: "blockCreator", creatorId: "c2" })).map((c) => c.id)).toEqual([
      "1",
      "3",
      "5",
    ]);
  });

  it("shows each item once across pages and remembers what was served", () => {
    const more = feedReducer(start, { type: "append", page: [card("3"), card("6")] });
    expect(visibleCards(more).map((c) => c.id)).toEqual(["1", "2", "3", "6"]);
    expect(servedIds(feedReducer(more, { type: "hide", id: "1" }))).toEqual(["1", "2", "3", "6"]);
  });

  it("a fresh first page replaces the pages but keeps local marks", () => {
    const hidden = feedReducer(start, { type: "hide", id: "9" });
    const reset = feedReducer(hidden, { type: "reset", page: [card("8"), card("9")] });
    expect(visibleCards(reset).map((c) => c.id)).toEqual(["8"]);
  });

  it("tracks likes and saves per item", () => {
    const liked = feedReducer(start, { type: "react", id: "1", reaction: "LIKE", on: true });
    expect(hasReaction(liked, "1", "LIKE")).toBe(true);
    expect(hasReaction(liked, "1", "SAVE")).toBe(false);
    expect(hasReaction(feedReducer(liked, { type: "react", id: "1", reaction: "LIKE", on: false }), "1", "LIKE")).toBe(
      false,
    );
  });
});

describe("feed settings", () => {
  it("round-trips through the URL and clamps knobs", () => {
    const s = settingsFromParams(new URLSearchParams("type=VIDEO&category=4&diversity=3&halfLife=0.5"));
    expect(s).toEqual({ type: "VIDEO", categoryId: "4", diversity: 1, halfLifeDays: 1 });
    expect(settingsFromParams(settingsToParams(s))).toEqual(s);
    expect(settingsFromParams(new URLSearchParams("type=PODCAST&diversity=x")).type).toBe("");
    expect(settingsFromParams(new URLSearchParams("diversity=x")).diversity).toBeNull();
  });

  it("sends only what was chosen, leaving the server's defaults", () => {
    expect(queryArguments({ type: "", categoryId: "", diversity: null, halfLifeDays: null })).toEqual({
      filters: null,
      knobs: null,
    });
    expect(queryArguments({ type: "BLOG", categoryId: "2", diversity: 0.5, halfLifeDays: 7 }, ["1", "2"])).toEqual({
      filters: { types: ["BLOG"], categoryIds: ["2"], excludeIds: ["1", "2"] },
      knobs: { diversity: 0.5, freshnessHalfLifeDays: 7 },
    });
  });
});

describe("served attribution", () => {
  it("reads a served list's request id and rank from navigation state, and nothing else", () => {
    const requestId = "0123456789abcdef0123456789abcdef";
    expect(servedFrom({ requestId, position: 3 })).toEqual({ requestId, position: 3 });
    expect(servedFrom(null)).toBeNull();
    expect(servedFrom({ requestId: "not-a-request", position: 3 })).toBeNull();
    expect(servedFrom({ requestId, position: -1 })).toBeNull();
    expect(servedFrom({ requestId, position: 1.5 })).toBeNull();
    expect(servedFrom({ requestId })).toBeNull();
  });
});
