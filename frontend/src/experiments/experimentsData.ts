/**
 * Shaping the experiments API's answers for the page: the create form into an
 * `ExperimentInput`, results into chart rows, the bandit's history into series.
 */
import type { ExperimentInput, ExperimentStatus, SourceMixInput } from "../gql/graphql";

export const SOURCES = [
  { key: "graph", label: "Graph", api: "GRAPH" },
  { key: "content", label: "Content", api: "CONTENT" },
  { key: "trending", label: "Trending", api: "TRENDING" },
  { key: "newItems", label: "New items", api: "NEW_ITEMS" },
  { key: "newCreators", label: "New creators", api: "NEW_CREATORS" },
] as const;

export type SourceKey = (typeof SOURCES)[number]["key"];

/** How a variant picks its list's sources: the ranking's own mix, a fixed mix, or the bandit. */
export type SourceMode = "default" | "mix" | "bandit";

export interface VariantForm {
  name: string;
  sharePercent: string;
  isControl: boolean;
  mode: SourceMode;
  mix: Record<SourceKey, string>;
  diversity: string;
  freshnessDays: string;
}

export interface ExperimentForm {
  name: string;
  description: string;
  variants: VariantForm[];
}

export function emptyVariant(name: string, isControl: boolean, sharePercent = "50"): VariantForm {
  return {
    name,
    sharePercent,
    isControl,
    mode: "default",
    mix: { graph: "", content: "", trending: "", newItems: "", newCreators: "" },
    diversity: "",
    freshnessDays: "",
  };
}

export function emptyForm(): ExperimentForm {
  return { name: "", description: "", variants: [emptyVariant("control", true), emptyVariant("treatment", false)] };
}

/** A number typed in a field; null when it is left blank, NaN when it is not a number. */
function typed(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

function mixInput(mix: VariantForm["mix"]): SourceMixInput | string {
  const out: SourceMixInput = {};
  for (const { key, label } of SOURCES) {
    const value = typed(mix[key]);
    if (value === null) continue;
    if (Number.isNaN(value) || value < 0 || value > 1) return `${label} weight must be a number from 0 to 1.`;
    out[key] = value;
  }
  return Object.keys(out).length === 0 ? "Give at least one source a weight for a fixed mix." : out;
}

/**
 * The form as the API's input, or the first problem a person can fix in the form (the
 * server checks the rest, e.g. unique names, and its message is shown as it is).
 */
export function experimentInput(form: ExperimentForm): { input: ExperimentInput } | { error: string } {
  if (!form.name.trim()) return { error: "Give the experiment a name." };
  const variants = [];
  for (const v of form.variants) {
    const where = `Variant “${v.name || "unnamed"}”`;
    if (!v.name.trim()) return { error: "Every variant needs a name." };
    const share = typed(v.sharePercent);
    if (share === null || Number.isNaN(share) || share <= 0 || share > 100)
      return { error: `${where}: traffic share must be above 0 and at most 100%.` };
    const diversity = typed(v.diversity);
    const freshness = typed(v.freshnessDays);
    if (diversity !== null && (Number.isNaN(diversity) || diversity < 0 || diversity > 1))
      return { error: `${where}: diversity must be from 0 to 1.` };
    if (freshness !== null && Number.isNaN(freshness)) return { error: `${where}: freshness half-life must be a number of days.` };
    const mix = v.mode === "mix" ? mixInput(v.mix) : null;
    if (typeof mix === "string") return { error: `${where}: ${mix}` };
    const knobs =
      diversity === null && freshness === null
        ? null
        : { ...(diversity === null ? {} : { diversity }), ...(freshness === null ? {} : { freshnessHalfLifeDays: freshness }) };
    variants.push({
      name: v.name.trim(),
      trafficShare: Math.round(share * 100) / 10000,
      isControl: v.isControl,
      config: { bandit: v.mode === "bandit", sourceMix: mix, knobs },
    });
  }
  return { input: { name: form.name.trim(), description: form.description.trim(), variants } };
}

/** Which lifecycle buttons an experiment in `status` offers (the API refuses the others). */
export function actionsFor(status: ExperimentStatus): { start: boolean; pause: boolean; stop: boolean; ship: boolean } {
  return {
    start: status === "DRAFT" || status === "PAUSED",
    pause: status === "RUNNING",
    stop: status === "RUNNING" || status === "PAUSED",
    ship: status === "RUNNING" || status === "PAUSED" || status === "STOPPED",
  };
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface IntervalRow extends Interval {
  label: string;
}

/** Rows of a chart of one estimate per variant, skipping variants without one. */
export function intervalRows<V>(variants: readonly V[], label: (v: V) => string, pick: (v: V) => Interval | null | undefined): IntervalRow[] {
  return variants.flatMap((v) => {
    const e = pick(v);
    return e ? [{ label: label(v), value: e.value, low: e.low, high: e.high }] : [];
  });
}

/** A rate's interval in percentage points, "4.2% [3.1, 5.3]". */
export function intervalText(e: Interval | null | undefined, signed = false): string {
  if (!e) return "–";
  const pts = (x: number) => `${signed && x > 0 ? "+" : ""}${(x * 100).toFixed(2)}`;
  return `${pts(e.value)}${signed ? " pts" : "%"} [${pts(e.low)}, ${pts(e.high)}]`;
}

export interface Series {
  name: string;
  values: (number | null)[];
}

/** Daily CTR per variant on one axis of every day any variant had impressions. */
export function dailyCtr(
  variants: readonly { name: string; days: readonly { day: string; metrics: { ctr?: { value: number } | null } }[] }[],
): { days: string[]; series: Series[] } {
  const days = [...new Set(variants.flatMap((v) => v.days.map((d) => d.day)))].sort();
  const series = variants.map((v) => {
    const byDay = new Map(v.days.map((d) => [d.day, d.metrics.ctr?.value ?? null]));
    return { name: v.name, values: days.map((d) => byDay.get(d) ?? null) };
  });
  return { days, series };
}

/** The bandit's slot share per source after each count of outcomes, oldest first. */
export function shareHistory(
  history: readonly { takenAt: string; sources: readonly { source: string; slotShare: number }[] }[],
): { times: string[]; series: Series[] } {
  const times = history.map((h) => h.takenAt);
  const series = SOURCES.map(({ label, api }) => ({
    name: label,
    values: history.map((h) => h.sources.find((s) => s.source === api)?.slotShare ?? null),
  }));
  return { times, series };
}

export function sourceLabel(source: string): string {
  const known = SOURCES.find((s) => s.api === source || s.key === source || s.key === camel(source));
  if (known) return known.label;
  return source === "blended" ? "Blended" : source;
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
