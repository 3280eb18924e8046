import { describe, expect, it } from "vitest";
import { atlasDatasets, atlasLink, type AtlasPointInput } from "./atlasData";

const points: AtlasPointInput[] = [
  { kind: "ITEM", id: "1", label: "Pasta", x: 0, y: 1, categoryId: "2", categoryName: "Cooking" },
  { kind: "ITEM", id: "2", label: "Synths", x: 1, y: 0, categoryId: "1", categoryName: "Music" },
  { kind: "ITEM", id: "3", label: "Risotto", x: 0.1, y: 1.1, categoryId: "2", categoryName: "Cooking" },
  { kind: "USER", id: "u1", label: "you", x: 0.5, y: 0.5 },
  { kind: "TAG", id: "t1", label: "#pasta", x: 0, y: 0.9 },
];

describe("atlas data", () => {
  it("colours items by category and layers users and tags", () => {
    const sets = atlasDatasets(points, new Set(["ITEM", "USER", "TAG"]));
    expect(sets.map((s) => [s.label, s.data.length])).toEqual([
      ["Cooking", 2],
      ["Music", 1],
      ["Users", 1],
      ["Tags", 1],
    ]);
    expect(new Set(sets.map((s) => s.color)).size).toBe(4);
  });

  it("shows only the chosen kinds", () => {
    expect(atlasDatasets(points, new Set(["TAG"])).map((s) => s.label)).toEqual(["Tags"]);
  });

  it("links items and tags, not people", () => {
    expect(atlasLink({ kind: "ITEM", id: "5" })).toBe("/items/5");
    expect(atlasLink({ kind: "TAG", id: "9" })).toBe("/items?tag=9");
    expect(atlasLink({ kind: "USER", id: "u1" })).toBeNull();
  });
});
