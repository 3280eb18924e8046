import { formatRate } from "../lib/format";

const METHOD_TEXT: Record<string, string> = {
  HYBRID: "Personal: graph model and content",
  CONTENT: "From your interests",
  TRENDING: "Trending",
  FALLBACK: "Trending (model unavailable)",
};

/**
 * How the list was made: method, the diversity measured on it, cache. The model version is
 * left to the Model page: to a reader it is noise.
 */
export function ListMeta({
  list,
  updating,
}: {
  list: { method: string; diversity: number; cached: boolean };
  updating: boolean;
}) {
  return (
    <ul className="list-meta" aria-label="About this list">
      <li className="badge badge--method" data-testid="list-method" title={`method: ${list.method}`}>
        {METHOD_TEXT[list.method] ?? list.method}
      </li>
      <li title="Mean pairwise distance between the items' embeddings: what the diversity knob asked for, as achieved">
        Measured list diversity {formatRate(list.diversity)}
      </li>
      {list.cached && <li>cached</li>}
      {updating && <li aria-live="polite">updating…</li>}
    </ul>
  );
}
