import { plural } from "../lib/format";
import { lazy, Suspense, useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorMessage, Loading } from "../components/Status";
import { atlasDatasets, type AtlasKind } from "./atlasData";

const AtlasChart = lazy(() => import("./AtlasChart").then((m) => ({ default: m.AtlasChart })));

const EmbeddingAtlasQuery = graphql(`
  query EmbeddingAtlas {
    embeddingAtlas {
      modelVersion
      method
      points {
        kind
        id
        label
        x
        y
        categoryId
        categoryName
      }
    }
  }
`);

const KINDS: [AtlasKind, string][] = [
  ["ITEM", "Items"],
  ["USER", "Readers"],
  ["TAG", "Tags"],
];

/**
 * The active model's embedding space in 2-D. It has its own request: the server computes
 * the projection once per model version, and the rest of the page need not wait for it.
 */
export function AtlasSection() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: EmbeddingAtlasQuery });
  const [kinds, setKinds] = useState<ReadonlySet<AtlasKind>>(new Set<AtlasKind>(["ITEM", "TAG"]));
  const atlas = data?.embeddingAtlas;

  const toggle = (kind: AtlasKind) => {
    const next = new Set(kinds);
    if (next.has(kind)) next.delete(kind);
    else next.add(kind);
    setKinds(next);
  };

  return (
    <section className="card panel" aria-labelledby="atlas-title">
      <h2 id="atlas-title">Embedding atlas</h2>
      <p className="muted">
        Items, readers and tags placed by the active model: points close together are recommended together. Items
        are coloured by category.
        {atlas && ` ${atlas.method} projection of ${plural(atlas.points.length, "point")}, model ${atlas.modelVersion}.`}
      </p>
      {error && !data && <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      {!data && fetching && <Loading label="Projecting the embeddings (the first time takes a few seconds)…" />}
      {data && !atlas && <p className="muted">No model is serving, so there is no embedding space to map yet.</p>}
      {atlas && (
        <>
          <fieldset className="atlas__kinds">
            <legend className="visually-hidden">Show</legend>
            {KINDS.map(([kind, label]) => (
              <label key={kind}>
                <input type="checkbox" checked={kinds.has(kind)} onChange={() => toggle(kind)} />
                {label} ({atlas.points.filter((p) => p.kind === kind).length})
              </label>
            ))}
          </fieldset>
          <Suspense fallback={<Loading label="Drawing the map…" />}>
            <AtlasChart datasets={atlasDatasets(atlas.points, kinds)} />
          </Suspense>
        </>
      )}
    </section>
  );
}
