/**
 * The viewer's display preferences as CSS custom properties on <html>: every colour and
 * size in styles.css derives from --accent and --font-size, so one call restyles the
 * whole UI. Bounds and defaults mirror the backend's validation.
 */

export const DEFAULT_ACCENT = "#1f9cee";
export const DEFAULT_FONT_SIZE = 14;
export const FONT_SIZE_MIN = 10;
export const FONT_SIZE_MAX = 28;
const STORAGE_KEY = "lupi.theme";

export interface Theme {
  accentColor: string;
  fontSize: number;
}

export const DEFAULT_THEME: Theme = { accentColor: DEFAULT_ACCENT, fontSize: DEFAULT_FONT_SIZE };

export function isHexColor(value: string): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(value);
}

export function clampFontSize(value: number): number {
  if (!Number.isFinite(value)) return DEFAULT_FONT_SIZE;
  return Math.min(FONT_SIZE_MAX, Math.max(FONT_SIZE_MIN, Math.round(value)));
}

/** Relative luminance (WCAG 2) of a #rrggbb colour. */
export function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white, whichever reads better on `hex` (used for text on accent buttons). */
export function contrastText(hex: string): "#000000" | "#ffffff" {
  const l = luminance(hex);
  // Contrast ratio against white vs against black; pick the larger.
  return (1.05 / (l + 0.05) >= (l + 0.05) / 0.05) ? "#ffffff" : "#000000";
}

export function normaliseTheme(theme: Partial<Theme> | null | undefined): Theme {
  const accent = theme?.accentColor;
  return {
    accentColor: accent && isHexColor(accent) ? accent.toLowerCase() : DEFAULT_ACCENT,
    fontSize: clampFontSize(theme?.fontSize ?? DEFAULT_FONT_SIZE),
  };
}

export function applyTheme(theme: Partial<Theme>, root: HTMLElement = document.documentElement): Theme {
  const t = normaliseTheme(theme);
  root.style.setProperty("--accent", t.accentColor);
  root.style.setProperty("--accent-contrast", contrastText(t.accentColor));
  root.style.setProperty("--font-size", `${t.fontSize}px`);
  return t;
}

/** Remembers the last theme so the next visit paints in it before the API answers. */
export function rememberTheme(theme: Theme, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(theme));
  } catch {
    // Storage may be full or disabled; the server copy is the source of truth anyway.
  }
}

export function recallTheme(storage: Storage | undefined = globalThis.localStorage): Theme | null {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    return raw ? normaliseTheme(JSON.parse(raw) as Partial<Theme>) : null;
  } catch {
    return null;
  }
}
