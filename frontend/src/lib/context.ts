/** The client context sent with every interaction: device class, time zone, local hour. */
export interface InteractionContext {
  device: string;
  timezone: string;
  localHour: number;
}

export function deviceClass(width: number = globalThis.innerWidth ?? 1024): "mobile" | "tablet" | "desktop" {
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
