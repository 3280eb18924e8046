import { describe, expect, it } from "vitest";
import {
  applyTheme,
  clampFontSize,
  contrastText,
  DEFAULT_ACCENT,
  FONT_SIZE_MAX,
  FONT_SIZE_MIN,
  isHexColor,
  normaliseTheme,
  recallTheme,
  rememberTheme,
} from "./theme";

describe("theme", () => {
  it("accepts only #rrggbb colours", () => {
    expect(isHexColor("#1f9cee")).toBe(true);
    expect(isHexColor("#1F9CEE")).toBe(true);
    expect(isHexColor("1f9cee")).toBe(false);
    expect(isHexColor("#fff")).toBe(false);
    expect(isHexColor("#12345g")).toBe(false);
  });

  it("keeps font sizes within the backend's bounds", () => {
    expect(clampFontSize(4)).toBe(FONT_SIZE_MIN);
    expect(clampFontSize(99)).toBe(FONT_SIZE_MAX);
    expect(clampFontSize(15.6)).toBe(16);
    expect(clampFontSize(Number.NaN)).toBe(14);
  });

  it("picks readable text for the accent", () => {
    expect(contrastText("#ffffff")).toBe("#000000");
    expect(contrastText("#000000")).toBe("#ffffff");
    expect(contrastText("#7c3aed")).toBe("#ffffff");
    expect(contrastText("#fde047")).toBe("#000000");
  });

  it("falls back to defaults for bad input", () => {
    expect(normaliseTheme({ accentColor: "red", fontSize: 100 })).toEqual({ accentColor: DEFAULT_ACCENT, fontSize: 28 });
    expect(normaliseTheme(null)).toEqual({ accentColor: DEFAULT_ACCENT, fontSize: 14 });
  });

  it("sets the CSS variables the whole UI reads", () => {
    applyTheme({ accentColor: "#7C3AED", fontSize: 18 });
    const style = document.documentElement.style;
    expect(style.getPropertyValue("--accent")).toBe("#7c3aed");
    expect(style.getPropertyValue("--accent-contrast")).toBe("#ffffff");
    expect(style.getPropertyValue("--font-size")).toBe("18px");
  });

  it("remembers the last theme for the next visit", () => {
    expect(recallTheme()).toBeNull();
    rememberTheme({ accentColor: "#16a34a", fontSize: 12 });
    expect(recallTheme()).toEqual({ accentColor: "#16a34a", fontSize: 12 });
    localStorage.setItem("lupi.theme", "{not json");
    expect(recallTheme()).toBeNull();
  });
});
