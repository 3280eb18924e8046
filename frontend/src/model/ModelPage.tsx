import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorMessage, Loading } from "../components/Status";
import { formatCount, formatDateTime } from "../lib/format";
import { asMetrics, durationText, formatMetric, metricKeys } from "./metrics";
import { LossChart } from "./LossChart";
import { MetricCards } from "../components/MetricCards";
import { AtlasSection } from "./AtlasSection";
import { RetrainingSection } from "./RetrainingSection";
import { useTitle } from "../lib/useTitle";

const ModelOverviewQuery = graphql(`
  query ModelOverview {
    activeModel {
      id
      version
      createdAt
      promotedAt
      metrics
      trainingRun {
        id
      }
    }
    modelVersions(first: 20) {
      id
      version
      isActive
      createdAt
      promotedAt
      rolledBackAt
      metrics
      trainingRun {
        id
      }
    }
    trainingRuns(first: 20) {
      id
      status
      lossCurve
      metrics
      numUsers
      numItems
      numInteractions
      error
      startedAt
      finishedAt
    }
  }
`);

export default function ModelPage() {
  useTitle("Model");
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ModelOverviewQuery });
  const [selected, setSelected] = useState<ReadonlySet<string> | null>(null);

  if (error && !data) return <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return fetching ? <Loading label="Loading model history…" /> : null;

  const { activeModel, modelVersions, trainingRuns } = data;
  const runMetrics = trainingRuns.map((r) => asMetrics(r.metrics));
  // Three ranking metrics keep the table within a laptop's width; the active version's
  // card above lists all of them.
  const keys = metricKeys(runMetrics).slice(0, 3);
  // By default the chart compares the five latest runs.
  const chosen = selected ?? new Set(trainingRuns.slice(0, 5).map((r) => r.id));
  const toggleRun = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const activeMetrics = asMetrics(activeModel?.metrics);

  return (
    <section aria-labelledby="model-title" className="stack">
      <header className="page-header">
        <h1 id="model-title">Model</h1>
        <p className="muted">The graph recommender: what is serving now, how each training went, and its embedding space.</p>
      </header>

      <section className="card panel active-model" aria-labelledby="active-title">
        <h2 id="active-title">Active version</h2>
        {activeModel ? (
          <>
            <p>
              <code data-testid="active-version">{activeModel.version}</code>{" "}
              <span className="badge badge--ok">serving</span>
            </p>
            <p className="muted">
              Promoted {formatDateTime(activeModel.promotedAt)} · trained {formatDateTime(activeModel.createdAt)}
            </p>
            <MetricCards
              className="totals totals--small"
              label="Metrics of the active version"
              figures={metricKeys([activeMetrics]).map((k) => [k, formatMetric(k, activeMetrics[k])] as const)}
            />
          </>
        ) : (
          <p className="muted">
            No model is serving: recommendations fall back to trending items. Train one with{" "}
            <code>manage.py train_gnn</code>.
          </p>
        )}
      </section>

      <RetrainingSection />

      <section className="card panel" aria-labelledby="runs-title">
        <h2 id="runs-title">Training runs</h2>
        {trainingRuns.length === 0 ? (
          <p className="muted">No training runs yet.</p>
        ) : (
          <>
            <LossChart runs={trainingRuns.filter((r) => chosen.has(r.id))} />
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Compare</th>
                    <th scope="col">Run</th>
                    <th scope="col">Status</th>
                    <th scope="col">Started</th>
                    <th scope="col" className="num">Took</th>
                    <th scope="col" className="num">Users</th>
                    <th scope="col" className="num">Items</th>
                    <th scope="col" className="num">Pairs</th>
                    {keys.map((k) => (
                      <th key={k} scope="col" className="num">
                        {k}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {trainingRuns.map((r, i) => (
                    <tr key={r.id}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Compare run ${r.id}`}
                          checked={chosen.has(r.id)}
                          onChange={() => toggleRun(r.id)}
                        />
                      </td>
                      <td>#{r.id}</td>
                      <td>
                        <span className={`badge badge--${r.status}`} title={r.error || undefined}>
                          {r.status}
                        </span>
                      </td>
                      <td className="nowrap">{formatDateTime(r.startedAt)}</td>
                      <td className="num">{durationText(r.startedAt, r.finishedAt)}</td>
                      <td className="num">{formatCount(r.numUsers)}</td>
                      <td className="num">{formatCount(r.numItems)}</td>
                      <td className="num">{formatCount(r.numInteractions)}</td>
                      {keys.map((k) => (
                        <td key={k} className="num">
                          {formatMetric(k, runMetrics[i][k])}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <section className="card panel" aria-labelledby="versions-title">
        <h2 id="versions-title">Model versions</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Trained</th>
                <th scope="col">Promoted</th>
                <th scope="col" className="num">recall@20</th>
                <th scope="col" className="num">ndcg@20</th>
              </tr>
            </thead>
            <tbody>
              {modelVersions.map((v) => {
                const m = asMetrics(v.metrics);
                return (
                  <tr key={v.id} aria-current={v.isActive ? "true" : undefined}>
                    <td>
                      <code>{v.version}</code>
                    </td>
                    <td>
                      {v.isActive ? (
                        <span className="badge badge--ok">active</span>
                      ) : v.rolledBackAt ? (
                        <span className="badge">rolled back</span>
                      ) : v.promotedAt ? (
                        <span className="badge">retired</span>
                      ) : (
                        <span className="badge">not promoted</span>
                      )}
                    </td>
                    <td className="nowrap">{formatDateTime(v.createdAt)}</td>
                    <td className="nowrap">{formatDateTime(v.promotedAt)}</td>
                    <td className="num">{formatMetric("recall", m["recall@20"])}</td>
                    <td className="num">{formatMetric("ndcg", m["ndcg@20"])}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <AtlasSection />
    </section>
  );
}
