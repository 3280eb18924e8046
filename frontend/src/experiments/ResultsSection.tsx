import { useState } from "react";
import { useQuery } from "urql";
import { ErrorMessage, Loading } from "../components/Status";
import { formatCount } from "../lib/format";
import { dailyCtr, intervalRows, intervalText } from "./experimentsData";
import { IntervalChart } from "./IntervalChart";
import { SeriesChart } from "./SeriesChart";
import { ExperimentResultsQuery } from "./operations";

const METRICS = {
  ctr: "CTR",
  likeRate: "Like rate",
  hideRate: "Hide rate",
} as const;
type Metric = keyof typeof METRICS;

/** One experiment's results: per-variant estimates and differences with 95% intervals,
 * the sample-ratio check and the daily CTR. */
export function ResultsSection({ experimentId }: { experimentId: string }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ExperimentResultsQuery, variables: { id: experimentId } });
  const [metric, setMetric] = useState<Metric>("ctr");
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  if (error && !data) return <ErrorMessage error={error} onRetry={refresh} />;
  if (!data) return fetching ? <Loading label="Loading results…" /> : null;
  const results = data.experimentResults;
  const treatments = results.variants.filter((v) => !v.isControl);
  const daily = dailyCtr(results.variants);

  return (
    <div className="stack" data-testid="experiment-results">
      <div className="form-actions">
        <h3>Results</h3>
        <label>
          Metric{" "}
          <select value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
            {Object.entries(METRICS).map(([k, name]) => (
              <option key={k} value={k}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button button--ghost" onClick={refresh} disabled={fetching}>
          Refresh
        </button>
      </div>
      {results.sampleRatio.mismatch && (
        <div className="status status--error" role="alert" data-testid="srm-alert">
          <strong>Sample ratio mismatch</strong>
          <p>
            The users seen per variant do not match the traffic shares (χ² {results.sampleRatio.chiSquare?.toFixed(1)}, p ={" "}
            {results.sampleRatio.pValue?.toExponential(1)}): assignment or logging is broken, so these results cannot be trusted.
          </p>
        </div>
      )}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col" className="num">Users</th>
              <th scope="col" className="num">Impressions</th>
              <th scope="col" className="num">Clicks</th>
              <th scope="col">{METRICS[metric]} (95%)</th>
              <th scope="col">Difference to control (95%)</th>
            </tr>
          </thead>
          <tbody>
            {results.variants.map((v) => {
              const diff = v.versusControl?.[metric];
              return (
                <tr key={v.name}>
                  <th scope="row">
                    {v.name} {v.isControl && <span className="badge">control</span>}
                  </th>
                  <td className="num">{formatCount(v.users)}</td>
                  <td className="num">{formatCount(v.totals.impressions)}</td>
                  <td className="num">{formatCount(v.totals.clicks)}</td>
                  <td>{intervalText(v.totals[metric])}</td>
                  <td>
                    {v.isControl ? "–" : intervalText(diff, true)}
                    {diff?.excludesZero && <span className="badge badge--ok"> significant</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="grid-2">
        <div>
          <h4>{METRICS[metric]} per variant</h4>
          <IntervalChart
            testId="variant-chart"
            label={`${METRICS[metric]} per variant with 95% intervals`}
            rows={intervalRows(results.variants, (v) => v.name, (v) => v.totals[metric])}
          />
        </div>
        <div>
          <h4>Difference to control</h4>
          <IntervalChart
            testId="difference-chart"
            signed
            label={`${METRICS[metric]} difference to the control with 95% intervals`}
            rows={intervalRows(treatments, (v) => v.name, (v) => v.versusControl?.[metric])}
          />
        </div>
      </div>
      <h4>Daily CTR</h4>
      {daily.days.length === 0 ? (
        <p className="muted">No impressions yet.</p>
      ) : (
        <SeriesChart testId="daily-chart" labels={daily.days} series={daily.series} label="CTR per variant and UTC day" xTitle="day (UTC)" yTitle="CTR" percent />
      )}
    </div>
  );
}
