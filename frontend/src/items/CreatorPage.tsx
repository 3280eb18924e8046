import { useParams } from "react-router-dom";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { EmptyState, ErrorMessage, Loading } from "../components/Status";
import { ItemCard } from "./ItemCard";
import { useTitle } from "../lib/useTitle";

const CreatorProfileQuery = graphql(`
  query CreatorProfile($id: ID!) {
    creator(id: $id) {
      id
      displayName
      bio
      items(first: 24) {
        totalCount
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
  }
`);

export default function CreatorPage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CreatorProfileQuery, variables: { id } });
  useTitle(data?.creator?.displayName ?? "Creator");
  if (error) return <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return fetching ? <Loading label="Loading creator…" /> : null;
  const creator = data.creator;
  if (!creator) return <EmptyState title="Creator not found" />;
  return (
    <section aria-labelledby="creator-title">
      <header className="page-header">
        <h1 id="creator-title">{creator.displayName}</h1>
        <p className="muted">{creator.bio}</p>
        <p className="muted">{creator.items.totalCount ?? creator.items.edges.length} published items</p>
      </header>
      <div className="grid">
        {creator.items.edges.map(({ node }) => (
          <ItemCard key={node.id} item={node} />
        ))}
      </div>
    </section>
  );
}
