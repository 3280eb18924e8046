import { describe, expect, it } from "vitest";
import { formatDwell, formatGrowth, trendSeries } from "./insightsData";

describe("insights data", () => {
  it("orders days and keeps CTR gaps as gaps", () => {
    const s = trendSeries([
      { date: "2026-01-02", views: 5, impressions: 10, ctr: 0.25 },
      { date: "2026-01-01", views: 3, impressions: 0, ctr: null },
    ]);
    expect(s.labels).toEqual(["Jan 1", "Jan 2"]);
    expect(s.views).toEqual([3, 5]);
    expect(s.ctr).toEqual([null, 25]);
  });

  it("formats growth and dwell for people", () => {
    expect(formatGrowth(1.5)).toBe("+150%");
    expect(formatGrowth(-0.2)).toBe("−20%");
    expect(formatGrowth(null)).toBe("new");
    expect(formatDwell(null)).toBe("–");
    expect(formatDwell(4200)).toBe("4.2 s");
    expect(formatDwell(150_000)).toBe("2 min 30 s");
  });
});
