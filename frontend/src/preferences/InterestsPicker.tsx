import { useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { useCatalogue } from "../components/CatalogueFilters";
import { errorText, Loading } from "../components/Status";
import { plural } from "../lib/format";
import { useSession } from "../session/SessionContext";
import { matchTags, sameSelection, selectionOf, toggle, type InterestSelection } from "./interests";

const SetInterestsMutation = graphql(`
  mutation SetInterests($tagIds: [ID!], $categoryIds: [ID!]) {
    setInterests(tagIds: $tagIds, categoryIds: $categoryIds) {
      id
      interests {
        tags {
          id
          name
        }
        categories {
          id
          name
        }
      }
    }
  }
`);

/**
 * Follow categories and tags. They place a new viewer in the model's space before any
 * click, so recommendations are personal from the first visit (cold start).
 */
export function InterestsPicker({ onSaved, compact = false }: { onSaved?: () => void; compact?: boolean }) {
  const { viewer, refresh } = useSession();
  const catalogue = useCatalogue();
  const saved = selectionOf(viewer?.interests);
  const [draft, setDraft] = useState<InterestSelection>(saved);
  const [query, setQuery] = useState("");
  const [{ fetching, error }, setInterests] = useMutation(SetInterestsMutation);
  const [done, setDone] = useState(false);
  const dirty = !sameSelection(draft, saved);

  async function save() {
    setDone(false);
    const result = await setInterests({ tagIds: [...draft.tagIds], categoryIds: [...draft.categoryIds] });
    if (!result.error) {
      setDone(true);
      refresh();
      onSaved?.();
    }
  }

  if (catalogue.fetching && catalogue.tags.length === 0) return <Loading label="Loading topics…" />;
  const tags = matchTags(catalogue.tags, query);

  return (
    <div className={compact ? "interests interests--compact" : "interests"}>
      <fieldset>
        <legend>Categories</legend>
        <div className="chips">
          {catalogue.categories.map((c) => (
            <button
              key={c.id}
              type="button"
              className="chip chip--toggle"
              aria-pressed={draft.categoryIds.has(c.id)}
              onClick={() => setDraft({ ...draft, categoryIds: toggle(draft.categoryIds, c.id) })}
            >
              {c.name}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Tags</legend>
        <label className="visually-hidden" htmlFor="tag-search">
          Find a tag
        </label>
        <input
          id="tag-search"
          type="search"
          placeholder="Find a tag…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <div className="chips chips--scroll">
          {tags.map((t) => (
            <button
              key={t.id}
              type="button"
              className="chip chip--toggle"
              aria-pressed={draft.tagIds.has(t.id)}
              onClick={() => setDraft({ ...draft, tagIds: toggle(draft.tagIds, t.id) })}
            >
              #{t.name}
            </button>
          ))}
          {tags.length === 0 && <span className="muted">No tag matches “{query}”.</span>}
        </div>
      </fieldset>
      <div className="form-actions">
        <button type="button" className="button button--primary" onClick={save} disabled={!dirty || fetching}>
          {fetching ? "Saving…" : "Save interests"}
        </button>
        <span className="muted" role="status" aria-live="polite">
          {plural(draft.categoryIds.size, "category", "categories")}, {plural(draft.tagIds.size, "tag")}
          {done && !dirty ? " · saved" : ""}
        </span>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
    </div>
  );
}
