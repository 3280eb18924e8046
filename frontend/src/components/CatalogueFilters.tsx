import { useQuery } from "urql";
import { graphql } from "../gql";

export const CONTENT_TYPES = ["BLOG", "VIDEO", "IMAGE", "AUDIO"] as const;

const CatalogueQuery = graphql(`
  query Catalogue {
    categories {
      id
      name
      slug
    }
    tags {
      id
      name
      slug
    }
  }
`);

export interface Catalogue {
  categories: { id: string; name: string; slug: string }[];
  tags: { id: string; name: string; slug: string }[];
  fetching: boolean;
}

/** Every category and tag (small lists, cached for the session). */
export function useCatalogue(): Catalogue {
  const [{ data, fetching }] = useQuery({ query: CatalogueQuery, requestPolicy: "cache-first" });
  return { categories: data?.categories ?? [], tags: data?.tags ?? [], fetching };
}

/** Type and category selects, plus whatever extra controls a page adds. */
export function CatalogueFilters({
  catalogue,
  type,
  categoryId,
  onType,
  onCategory,
  children,
}: {
  catalogue: Catalogue;
  type: string;
  categoryId: string;
  onType: (value: string) => void;
  onCategory: (value: string) => void;
  children?: React.ReactNode;
}) {
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        Type
        <select value={type} onChange={(e) => onType(e.target.value)}>
          <option value="">All types</option>
          {CONTENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t.charAt(0) + t.slice(1).toLowerCase()}
            </option>
          ))}
        </select>
      </label>
      <label>
        Category
        <select value={categoryId} onChange={(e) => onCategory(e.target.value)}>
          <option value="">All categories</option>
          {catalogue.categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      {children}
    </form>
  );
}
