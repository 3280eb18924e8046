/** The client context sent with every interaction: device class, time zone, local hour. */
export interface InteractionContext {
  device: string;
  timezone: string;
  localHour: number;
}

/** The moment a list is asked for, which the ranking takes into account. */
export interface RankingContext {
  device: DeviceClass;
  localHour: number;
}

export type DeviceClass = "mobile" | "tablet" | "desktop" | "tv";

// Browsers of televisions and TV sticks say so in their user agent.
const TV_AGENT = /smart-?tv|hbbtv|tizen|web0s|webos|netcast|bravia|appletv|crkey|googletv|android tv|\bAFT[A-Z]/i;

/**
 * The device class: a television by its user agent, else by the viewport (the media query
 * breakpoints of the layout: phones under 640 px, tablets under 1024 px).
 */
export function deviceClass(
  width: number = globalThis.innerWidth ?? 1024,
  userAgent: string = globalThis.navigator?.userAgent ?? "",
): DeviceClass {
  if (TV_AGENT.test(userAgent)) return "tv";
  if (width < 640) return "mobile";
  if (width < 1024) return "tablet";
  return "desktop";
}

export function interactionContext(now: Date = new Date()): InteractionContext {
  let timezone = "";
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    timezone = "";
  }
  return { device: deviceClass(), timezone: timezone.slice(0, 64), localHour: now.getHours() };
}

/** The context of a recommendations request: the browser's local hour and device class. */
export function rankingContext(now: Date = new Date()): RankingContext {
  return { device: deviceClass(), localHour: now.getHours() };
}
