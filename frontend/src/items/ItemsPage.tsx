import { plural } from "../lib/format";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { ContentType, ItemOrder } from "../gql/graphql";
import { EmptyState, ErrorMessage, Loading } from "../components/Status";
import { CatalogueFilters, useCatalogue } from "../components/CatalogueFilters";
import { ItemCard } from "./ItemCard";
import { useTitle } from "../lib/useTitle";

const PAGE_SIZE = 24;

const BrowseItemsQuery = graphql(`
  query BrowseItems(
    $first: Int!
    $after: String
    $type: ContentType
    $categoryId: ID
    $tagId: ID
    $orderBy: ItemOrder!
  ) {
    items(first: $first, after: $after, type: $type, categoryId: $categoryId, tagId: $tagId, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          type
          title
          excerpt
          imageUrl
          creator {
            id
            displayName
          }
          category {
            id
            name
          }
        }
      }
    }
  }
`);

interface Filters {
  type: ContentType | null;
  categoryId: string | null;
  tagId: string | null;
  orderBy: ItemOrder;
}

/** One page of results; the last page offers the next one. */
function ItemsChunk({
  filters,
  after,
  isLast,
  onLoadMore,
}: {
  filters: Filters;
  after: string | null;
  isLast: boolean;
  onLoadMore: (cursor: string) => void;
}) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: BrowseItemsQuery,
    variables: { first: PAGE_SIZE, after, ...filters },
  });
  if (error) return <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return fetching ? <Loading label="Loading items…" /> : null;
  const { edges, pageInfo, totalCount } = data.items;
  if (after === null && edges.length === 0) {
    return (
      <EmptyState title="No items match">
        <p>Try another type, category or tag.</p>
      </EmptyState>
    );
  }
  return (
    <>
      {after === null && (
        <p className="muted" aria-live="polite">
          {plural(totalCount ?? edges.length, "item")}
        </p>
      )}
      <div className="grid">
        {edges.map(({ node }) => (
          <ItemCard key={node.id} item={node} />
        ))}
      </div>
      {isLast && pageInfo.hasNextPage && pageInfo.endCursor && (
        <div className="load-more">
          <button type="button" className="button" onClick={() => onLoadMore(pageInfo.endCursor!)}>
            Load more
          </button>
        </div>
      )}
    </>
  );
}

export default function ItemsPage() {
  useTitle("Browse");
  const [params, setParams] = useSearchParams();
  const catalogue = useCatalogue();
  const filters: Filters = {
    type: (params.get("type") as ContentType | null) || null,
    categoryId: params.get("category") || null,
    tagId: params.get("tag") || null,
    orderBy: (params.get("order") as ItemOrder | null) || "PUBLISHED_AT_DESC",
  };
  const key = JSON.stringify(filters);
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key, cursors: [null] });
  const cursors = pages.key === key ? pages.cursors : [null];

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  return (
    <section aria-labelledby="browse-title">
      <header className="page-header">
        <h1 id="browse-title">Browse</h1>
        <p className="muted">Everything published on the platform, newest first.</p>
      </header>
      <CatalogueFilters
        catalogue={catalogue}
        type={filters.type ?? ""}
        categoryId={filters.categoryId ?? ""}
        onType={(v) => setFilter("type", v)}
        onCategory={(v) => setFilter("category", v)}
      >
        <label>
          Tag
          <select value={filters.tagId ?? ""} onChange={(e) => setFilter("tag", e.target.value)}>
            <option value="">Any tag</option>
            {catalogue.tags.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order
          <select value={filters.orderBy} onChange={(e) => setFilter("order", e.target.value)}>
            <option value="PUBLISHED_AT_DESC">Newest first</option>
            <option value="PUBLISHED_AT_ASC">Oldest first</option>
            <option value="TITLE_ASC">Title A–Z</option>
            <option value="TITLE_DESC">Title Z–A</option>
          </select>
        </label>
      </CatalogueFilters>
      {cursors.map((after, i) => (
        <ItemsChunk
          key={`${key}:${after ?? "first"}`}
          filters={filters}
          after={after}
          isLast={i === cursors.length - 1}
          onLoadMore={(cursor) => setPages({ key, cursors: [...cursors, cursor] })}
        />
      ))}
    </section>
  );
}
