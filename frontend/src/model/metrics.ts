/** Training metrics arrive as a JSON object ("recall@20": 0.24, ...); these order and format them. */

const PREFERRED = ["recall", "ndcg", "precision", "hit_rate", "coverage", "diversity", "novelty"];

export type Metrics = Record<string, unknown>;

export function asMetrics(value: unknown): Metrics {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Metrics) : {};
}

/** Numeric metric names across runs, the ranking ones first. */
export function metricKeys(all: Metrics[]): string[] {
  const keys = new Set<string>();
  for (const m of all) for (const [k, v] of Object.entries(m)) if (typeof v === "number" && k !== "users") keys.add(k);
  const rank = (k: string) => {
    const i = PREFERRED.indexOf(k.split("@")[0]);
    return i < 0 ? PREFERRED.length : i;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function formatMetric(key: string, value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  if (key.startsWith("novelty")) return value.toFixed(2);
  return value.toFixed(3);
}

export function durationText(start: string, end: string | null | undefined): string {
  if (!end) return "running";
  const s = (new Date(end).getTime() - new Date(start).getTime()) / 1000;
  if (!Number.isFinite(s) || s < 0) return "–";
  if (s < 90) return `${s.toFixed(1)} s`;
  return `${Math.round(s / 60)} min`;
}
