import { useQuery } from "urql";
import { ErrorMessage, Loading } from "../components/Status";
import { ShareBars } from "../insights/ShareBars";
import { formatCount, formatDateTime, formatRate } from "../lib/format";
import { shareHistory, sourceLabel } from "./experimentsData";
import { SeriesChart } from "./SeriesChart";
import { BanditQuery } from "./operations";

/** The source bandit now (each source's slot share and posterior) and its slot shares
 * after each of the latest counts of outcomes. */
export function BanditSection() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: BanditQuery });
  let body: React.ReactNode;
  if (error && !data) body = <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  else if (!data) body = fetching ? <Loading label="Loading the bandit…" /> : null;
  else {
    const state = data.banditState;
    const history = shareHistory(state.history);
    body = (
      <>
        <p className="muted">
          {state.enabled ? "Serving lists that name no source mix." : "Off by default (RECOMMENDATION_BANDIT); experiment variants may turn it on."}{" "}
          Last counted {formatDateTime(state.updatedAt)}.
        </p>
        <div className="grid-2">
          <div>
            <h3>Slot shares now</h3>
            <ShareBars
              label="Share of a list's slots per source"
              empty="No outcomes counted yet."
              rows={state.sources.map((s) => ({ label: sourceLabel(s.source), share: s.slotShare }))}
            />
          </div>
          <div className="table-wrap">
            <table data-testid="bandit-sources">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col" className="num">Slots</th>
                  <th scope="col" className="num">Engagement (95%)</th>
                  <th scope="col" className="num">Impressions</th>
                </tr>
              </thead>
              <tbody>
                {state.sources.map((s) => (
                  <tr key={s.source}>
                    <th scope="row">{sourceLabel(s.source)}</th>
                    <td className="num">{formatRate(s.slotShare)}</td>
                    <td className="num">
                      {formatRate(s.mean)} [{formatRate(s.low)}, {formatRate(s.high)}]
                    </td>
                    <td className="num">{formatCount(s.shown)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
        <h3>Slot shares over time</h3>
        {history.times.length === 0 ? (
          <p className="muted">No counts of outcomes yet (manage.py count_source_outcomes).</p>
        ) : (
          <SeriesChart
            testId="bandit-history-chart"
            labels={history.times.map(formatDateTime)}
            series={history.series}
            label={`The bandit's slot share per source after each of ${history.times.length} counts of outcomes`}
            xTitle="count of outcomes"
            yTitle="slot share"
            percent
          />
        )}
      </>
    );
  }
  return (
    <section className="card panel" aria-labelledby="bandit-title">
      <h2 id="bandit-title">Source bandit</h2>
      {body}
    </section>
  );
}
