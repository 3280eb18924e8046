/** Words for the retraining schedule (the `retrainingSchedule` field). */

const UNITS: [number, string][] = [
  [86400, "day"],
  [3600, "hour"],
  [60, "minute"],
  [1, "second"],
];

/** "hour", "6 hours", "90 minutes": the largest unit that divides the interval. */
export function intervalText(seconds: number): string {
  const [size, unit] = UNITS.find(([size]) => seconds % size === 0) ?? UNITS[UNITS.length - 1];
  const n = seconds / size;
  return n === 1 ? unit : `${n} ${unit}s`;
}

export interface ScheduleSettings {
  enabled: boolean;
  intervalSeconds?: number | null;
  minNewFeedback?: number | null;
}

/** What triggers a training, in one sentence. */
export function scheduleText(s: ScheduleSettings): string {
  if (!s.enabled) return "Not scheduled: a model is trained when someone runs manage.py train_gnn.";
  const parts: string[] = [];
  if (s.intervalSeconds) parts.push(`every ${intervalText(s.intervalSeconds)}`);
  if (s.minNewFeedback) parts.push(`once ${s.minNewFeedback.toLocaleString("en-US")} new interactions arrive`);
  const text = parts.join(", or ");
  return `Retrains ${text}, through the same promotion gate as a manual run.`;
}
