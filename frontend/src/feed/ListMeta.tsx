import { formatRate } from "../lib/format";

const METHOD_TEXT: Record<string, string> = {
  HYBRID: "Personal: graph model and content",
  CONTENT: "From your interests",
  TRENDING: "Trending",
  FALLBACK: "Trending (model unavailable)",
};

/** How the list was made: method, model version, diversity, cache. */
export function ListMeta({
  list,
  updating,
}: {
  list: { method: string; modelVersion: string; diversity: number; cached: boolean };
  updating: boolean;
}) {
  return (
    <ul className="list-meta" aria-label="About this list">
      <li className="badge badge--method" data-testid="list-method" title={`method: ${list.method}`}>
        {METHOD_TEXT[list.method] ?? list.method}
      </li>
      {list.modelVersion && <li title="Model version">model {list.modelVersion}</li>}
      <li title="Mean pairwise distance of the items">diversity {formatRate(list.diversity)}</li>
      {list.cached && <li>cached</li>}
      {updating && <li aria-live="polite">updating…</li>}
    </ul>
  );
}
