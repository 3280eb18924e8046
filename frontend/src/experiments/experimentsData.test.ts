import { describe, expect, it } from "vitest";
import { actionsFor, dailyCtr, emptyForm, experimentInput, intervalRows, intervalText, shareHistory, sourceLabel } from "./experimentsData";

describe("experiments data", () => {
  it("turns the form into the API's input, shares as fractions and a fixed mix's weights", () => {
    const form = emptyForm();
    form.name = " fresher-feed ";
    form.variants[1] = { ...form.variants[1], mode: "mix", mix: { ...form.variants[1].mix, graph: "0.7", trending: "0.3" }, freshnessDays: "3" };
    form.variants[0].sharePercent = "33.3";
    const built = experimentInput(form);
    expect(built).toEqual({
      input: {
        name: "fresher-feed",
        description: "",
        variants: [
          { name: "control", trafficShare: 0.333, isControl: true, config: { bandit: false, sourceMix: null, knobs: null } },
          {
            name: "treatment",
            trafficShare: 0.5,
            isControl: false,
            config: { bandit: false, sourceMix: { graph: 0.7, trending: 0.3 }, knobs: { freshnessHalfLifeDays: 3 } },
          },
        ],
      },
    });
  });

  it("names the first problem a person can fix", () => {
    const form = emptyForm();
    expect(experimentInput(form)).toEqual({ error: "Give the experiment a name." });
    form.name = "x";
    form.variants[1].sharePercent = "0";
    expect(experimentInput(form)).toEqual({ error: "Variant “treatment”: traffic share must be above 0 and at most 100%." });
    form.variants[1].sharePercent = "50";
    form.variants[1].mode = "mix";
    expect(experimentInput(form)).toEqual({ error: "Variant “treatment”: Give at least one source a weight for a fixed mix." });
    form.variants[1].mix.content = "2";
    expect(experimentInput(form)).toEqual({ error: "Variant “treatment”: Content weight must be a number from 0 to 1." });
    form.variants[1].mode = "bandit";
    form.variants[1].diversity = "abc";
    expect(experimentInput(form)).toEqual({ error: "Variant “treatment”: diversity must be from 0 to 1." });
  });

  it("offers the lifecycle's next steps only", () => {
    expect(actionsFor("DRAFT")).toEqual({ start: true, pause: false, stop: false, ship: false });
    expect(actionsFor("RUNNING")).toEqual({ start: false, pause: true, stop: true, ship: true });
    expect(actionsFor("PAUSED")).toEqual({ start: true, pause: false, stop: true, ship: true });
    expect(actionsFor("SHIPPED")).toEqual({ start: false, pause: false, stop: false, ship: false });
  });

  it("keeps the variants with an estimate and writes intervals in points", () => {
    const rows = intervalRows(
      [
        { name: "a", e: { value: 0.1, low: 0.08, high: 0.12 } },
        { name: "b", e: null },
      ],
      (v) => v.name,
      (v) => v.e,
    );
    expect(rows).toEqual([{ label: "a", value: 0.1, low: 0.08, high: 0.12 }]);
    expect(intervalText(rows[0])).toBe("10.00% [8.00, 12.00]");
    expect(intervalText({ value: 0.0125, low: -0.001, high: 0.02 }, true)).toBe("+1.25 pts [-0.10, +2.00]");
    expect(intervalText(null)).toBe("–");
  });

  it("puts every variant's daily CTR on the days any had, gaps left null", () => {
    const daily = dailyCtr([
      { name: "a", days: [{ day: "2026-01-02", metrics: { ctr: { value: 0.2 } } }, { day: "2026-01-01", metrics: { ctr: { value: 0.1 } } }] },
      { name: "b", days: [{ day: "2026-01-02", metrics: { ctr: null } }] },
    ]);
    expect(daily).toEqual({
      days: ["2026-01-01", "2026-01-02"],
      series: [
        { name: "a", values: [0.1, 0.2] },
        { name: "b", values: [null, null] },
      ],
    });
  });

  it("turns the bandit's history into one slot-share series per source", () => {
    const history = shareHistory([
      { takenAt: "t1", sources: [{ source: "GRAPH", slotShare: 0.6 }, { source: "TRENDING", slotShare: 0.4 }] },
      { takenAt: "t2", sources: [{ source: "GRAPH", slotShare: 0.7 }] },
    ]);
    expect(history.times).toEqual(["t1", "t2"]);
    expect(history.series.find((s) => s.name === "Graph")?.values).toEqual([0.6, 0.7]);
    expect(history.series.find((s) => s.name === "Trending")?.values).toEqual([0.4, null]);
    expect(sourceLabel("new_creators")).toBe("New creators");
    expect(sourceLabel("NEW_ITEMS")).toBe("New items");
    expect(sourceLabel("blended")).toBe("Blended");
  });
});
