import { describe, expect, it } from "vitest";
import { asMetrics, durationText, formatMetric, metricKeys } from "./metrics";

describe("model metrics", () => {
  it("orders ranking metrics first and skips non-numbers", () => {
    const keys = metricKeys([
      { "novelty@20": 5.4, "ndcg@20": 0.1, users: 145, note: "x" },
      { "recall@20": 0.2, "coverage@20": 0.8, "zeta": 1 },
    ]);
    expect(keys).toEqual(["recall@20", "ndcg@20", "coverage@20", "novelty@20", "zeta"]);
  });

  it("accepts only objects as metrics", () => {
    expect(asMetrics([1, 2])).toEqual({});
    expect(asMetrics(null)).toEqual({});
    expect(asMetrics({ a: 1 })).toEqual({ a: 1 });
  });

  it("formats values and durations", () => {
    expect(formatMetric("recall@20", 0.24851)).toBe("0.249");
    expect(formatMetric("novelty@20", 5.4296)).toBe("5.43");
    expect(formatMetric("x", "n/a")).toBe("–");
    expect(durationText("2026-01-01T00:00:00Z", "2026-01-01T00:00:13.2Z")).toBe("13.2 s");
    expect(durationText("2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z")).toBe("10 min");
    expect(durationText("2026-01-01T00:00:00Z", null)).toBe("running");
  });
});
