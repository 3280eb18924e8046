/** Shapes the insights numbers for charts and tables (pure, unit-tested). */

export interface DailyPointLike {
  date: string;
  views: number;
  impressions: number;
  ctr?: number | null;
}

export interface TrendSeries {
  labels: string[];
  views: number[];
  /** CTR in percent; null where there were no impressions (a gap, not a dip). */
  ctr: (number | null)[];
}

const dayLabel = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });

export function trendSeries(points: DailyPointLike[]): TrendSeries {
  const sorted = [...points].sort((a, b) => a.date.localeCompare(b.date));
  return {
    labels: sorted.map((p) => dayLabel.format(new Date(`${p.date}T00:00:00Z`))),
    views: sorted.map((p) => p.views),
    ctr: sorted.map((p) => (p.ctr === null || p.ctr === undefined ? null : Math.round(p.ctr * 1000) / 10)),
  };
}

/** Growth as "+150%", "−20%", or "new" when the week before had no views. */
export function formatGrowth(growth: number | null | undefined): string {
  if (growth === null || growth === undefined) return "new";
  const pct = Math.round(growth * 100);
  return `${pct >= 0 ? "+" : "−"}${Math.abs(pct)}%`;
}

export function formatDwell(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export const WINDOWS = [7, 14, 30, 90, 180, 365];
