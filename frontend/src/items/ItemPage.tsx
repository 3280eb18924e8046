import { useEffect, useRef } from "react";
import { Link, useLocation, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { Cover, TypeBadge } from "../components/Cover";
import { EmptyState, ErrorMessage, Loading } from "../components/Status";
import { formatDate } from "../lib/format";
import { interactionContext } from "../lib/context";
import { SimilarItems } from "./SimilarItems";
import { ItemActions } from "./ItemActions";
import { useTitle } from "../lib/useTitle";
import { servedFrom } from "../feed/feedState";

const ItemDetailQuery = graphql(`
  query ItemDetail($id: ID!) {
    item(id: $id) {
      id
      type
      title
      excerpt
      body
      imageUrl
      publishedAt
      creator {
        id
        displayName
        bio
      }
      category {
        id
        name
      }
      tags {
        id
        name
      }
    }
  }
`);

const RecordViewMutation = graphql(`
  mutation RecordView($input: InteractionInput!) {
    recordInteraction(input: $input) {
      id
      kind
    }
  }
`);

export default function ItemPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ItemDetailQuery, variables: { id } });
  const [, recordView] = useMutation(RecordViewMutation);
  const recorded = useRef<string | null>(null);
  // Opened from a served list: the view, likes and saves here are credited to it.
  const served = servedFrom(useLocation().state);
  const item = data?.item;
  useTitle(item?.title ?? "Item");

  // Opening an item is a view: it feeds the model and drops the item from "For you".
  useEffect(() => {
    if (item && recorded.current !== item.id) {
      recorded.current = item.id;
      void recordView({ input: { itemId: item.id, kind: "VIEW", context: interactionContext(), ...served } });
    }
  }, [item, recordView, served]);

  if (error) return <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return fetching ? <Loading label="Loading item…" /> : null;
  if (!item) {
    return (
      <EmptyState title="Item not found">
        <p>
          It may have been unpublished. <Link to="/">Back to your recommendations</Link>.
        </p>
      </EmptyState>
    );
  }

  return (
    <div className="item-layout">
      <article className="item-detail" aria-labelledby="item-title">
        <Cover src={item.imageUrl} type={item.type} seed={item.id} />
        <div className="item-card__meta">
          <TypeBadge type={item.type} />
          {item.category && (
            <Link to={`/items?category=${item.category.id}`} className="muted">
              {item.category.name}
            </Link>
          )}
          <span className="muted">{formatDate(item.publishedAt)}</span>
        </div>
        <h1 id="item-title">{item.title}</h1>
        <p className="lead">{item.excerpt}</p>
        <p className="muted">
          by <Link to={`/creators/${item.creator.id}`}>{item.creator.displayName}</Link>
        </p>
        <ItemActions itemId={item.id} served={served} />
        {item.tags.length > 0 && (
          <ul className="chips" aria-label="Tags">
            {item.tags.map((t) => (
              <li key={t.id}>
                <Link className="chip" to={`/items?tag=${t.id}`}>
                  #{t.name}
                </Link>
              </li>
            ))}
          </ul>
        )}
        <div className="item-detail__body">
          {item.body.split(/\n{2,}/).map((para, i) => (
            <p key={i}>{para}</p>
          ))}
        </div>
      </article>
      <aside className="item-aside" aria-labelledby="similar-title">
        <h2 id="similar-title">Similar items</h2>
        <SimilarItems itemId={item.id} />
      </aside>
    </div>
  );
}
