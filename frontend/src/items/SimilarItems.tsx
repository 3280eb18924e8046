import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorMessage, Loading } from "../components/Status";
import { ItemCard } from "./ItemCard";

const SimilarItemsQuery = graphql(`
  query SimilarItems($itemId: ID!, $first: Int!) {
    similarItems(itemId: $itemId, first: $first) {
      method
      items {
        score
        item {
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

/** Items most like this one, from the active model (or its content tower). */
export function SimilarItems({ itemId, first = 6 }: { itemId: string; first?: number }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SimilarItemsQuery, variables: { itemId, first } });
  if (error) return <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return fetching ? <Loading label="Finding similar items…" /> : null;
  const items = data.similarItems.items.flatMap((r) => (r.item ? [r.item] : []));
  if (items.length === 0) return <p className="muted">Nothing similar yet.</p>;
  return (
    <div className="similar-list">
      {items.map((item) => (
        <ItemCard key={item.id} item={item} compact />
      ))}
    </div>
  );
}
