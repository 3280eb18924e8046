import { describe, expect, it } from "vitest";
import { intervalText, scheduleText } from "./retraining";

describe("retraining schedule words", () => {
  it("names the interval in its largest whole unit", () => {
    expect(intervalText(3600)).toBe("hour");
    expect(intervalText(6 * 3600)).toBe("6 hours");
    expect(intervalText(5400)).toBe("90 minutes");
    expect(intervalText(86400)).toBe("day");
    expect(intervalText(45)).toBe("45 seconds");
  });

  it("says what triggers a training", () => {
    expect(scheduleText({ enabled: false })).toMatch(/^Not scheduled/);
    expect(scheduleText({ enabled: true, intervalSeconds: 21600, minNewFeedback: 5000 })).toBe(
      "Retrains every 6 hours, or once 5,000 new interactions arrive, through the same promotion gate as a manual run.",
    );
    expect(scheduleText({ enabled: true, minNewFeedback: 200 })).toBe(
      "Retrains once 200 new interactions arrive, through the same promotion gate as a manual run.",
    );
  });
});
