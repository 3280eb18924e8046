import { describe, expect, it } from "vitest";
import { plural } from "./format";

describe("plural", () => {
  it("uses the singular for exactly one", () => {
    expect(plural(1, "category", "categories")).toBe("1 category");
    expect(plural(0, "category", "categories")).toBe("0 categories");
    expect(plural(2, "tag")).toBe("2 tags");
    expect(plural(5000, "item")).toBe("5,000 items");
  });
});
