import { describe, expect, it } from "vitest";
import { matchTags, sameSelection, selectionOf, toggle } from "./interests";

describe("interests", () => {
  it("starts from the saved interests", () => {
    const s = selectionOf({ tags: [{ id: "1" }], categories: [{ id: "a" }, { id: "b" }] });
    expect([...s.tagIds]).toEqual(["1"]);
    expect([...s.categoryIds]).toEqual(["a", "b"]);
    expect(selectionOf(null).tagIds.size).toBe(0);
  });

  it("toggles without mutating", () => {
    const before = new Set(["1"]);
    const after = toggle(before, "2");
    expect([...after]).toEqual(["1", "2"]);
    expect([...toggle(after, "1")]).toEqual(["2"]);
    expect([...before]).toEqual(["1"]);
  });

  it("compares selections regardless of order", () => {
    const a = { tagIds: new Set(["1", "2"]), categoryIds: new Set<string>() };
    const b = { tagIds: new Set(["2", "1"]), categoryIds: new Set<string>() };
    expect(sameSelection(a, b)).toBe(true);
    expect(sameSelection(a, { ...b, categoryIds: new Set(["x"]) })).toBe(false);
  });

  it("filters tags by name", () => {
    const tags = [{ name: "Vegan" }, { name: "python" }, { name: "vegetables" }];
    expect(matchTags(tags, " VEG").map((t) => t.name)).toEqual(["Vegan", "vegetables"]);
    expect(matchTags(tags, "")).toHaveLength(3);
  });
});
