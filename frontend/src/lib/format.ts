const numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1, notation: "compact" });
const percentFormat = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
const dateFormat = new Intl.DateTimeFormat("en", { year: "numeric", month: "short", day: "numeric" });
const dateTimeFormat = new Intl.DateTimeFormat("en", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : numberFormat.format(n);
}

/** A rate in [0, 1] as a percentage; "–" when there is no denominator (null). */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "–" : percentFormat.format(rate);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "–" : dateFormat.format(d);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "–" : dateTimeFormat.format(d);
}

export function formatScore(score: number): string {
  return score.toFixed(3);
}

/** "BLOG" -> "Blog". */
export function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase().replace(/_/g, " ");
}

/** "1 category", "2 categories": a count with its noun in the right number. */
export function plural(n: number, one: string, many: string = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}
