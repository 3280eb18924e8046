import { describe, expect, it } from "vitest";
import { balancedColumns } from "./balancedColumns";

describe("balancedColumns", () => {
  it("never leaves a lone card on the last row when a better split fits", () => {
    // 7 cards, room for 6: 4 + 3 instead of 6 + 1.
    expect(balancedColumns(7, 6 * 100 + 5 * 10, 100, 10)).toBe(4);
    // Room for 3: 2 + 2 + 2 + 1 (rows differ by one) instead of 3 + 3 + 1.
    expect(balancedColumns(7, 3 * 100 + 2 * 10, 100, 10)).toBe(2);
    // Room for all: one row.
    expect(balancedColumns(7, 2000, 100, 10)).toBe(7);
    expect(balancedColumns(6, 5 * 100 + 4 * 10, 100, 10)).toBe(3);
    expect(balancedColumns(5, 4 * 100 + 3 * 10, 100, 10)).toBe(3);
  });

  it("falls back to one column when nothing wider fits", () => {
    expect(balancedColumns(7, 50, 100, 10)).toBe(1);
    expect(balancedColumns(1, 1000, 100, 10)).toBe(1);
    expect(balancedColumns(0, 1000, 100, 10)).toBe(1);
  });
});
