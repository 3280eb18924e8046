import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { EmptyState, ErrorMessage, Loading } from "../components/Status";
import { useSession } from "../session/SessionContext";
import { formatCount, formatDate, formatRate, titleCase } from "../lib/format";
import { formatDwell, formatGrowth, WINDOWS } from "./insightsData";
import { MetricCards } from "../components/MetricCards";
import { TrendChart } from "./TrendChart";
import { ShareBars } from "./ShareBars";
import { useTitle } from "../lib/useTitle";

const CreatorInsightsQuery = graphql(`
  query CreatorInsights($creatorId: ID!, $windowDays: Int!) {
    creatorInsights(creatorId: $creatorId, windowDays: $windowDays) {
      creatorId
      displayName
      windowDays
      start
      end
      totals {
        items
        views
        likes
        clicks
        impressions
        clickedImpressions
        ctr
        dwellMs
        audienceSize
      }
      series {
        date
        views
        likes
        impressions
        clickedImpressions
        ctr
      }
      topItems {
        itemId
        title
        type
        views
        likes
        impressions
        ctr
        dwellMs
      }
      risingItems {
        itemId
        title
        viewsLast7d
        viewsPrev7d
        growth
      }
      audienceInterests {
        tagId
        name
        share
      }
      methods {
        method
        impressions
        clickedImpressions
        ctr
        share
      }
      similarCreators {
        creatorId
        displayName
        score
        source
        sharedAudience
      }
      written {
        kind
        text
      }
    }
  }
`);

function Refusal() {
  return (
    <EmptyState title="Creator insights are for creators">
      <p>
        Insights show creators how their own work is doing. Your account does not publish, so there is nothing to show
        here. <Link to="/">Back to your recommendations</Link>.
      </p>
    </EmptyState>
  );
}

export default function InsightsPage() {
  useTitle("Creator insights");
  const { viewer } = useSession();
  const [params, setParams] = useSearchParams();
  // Staff may look at any creator with ?creator=ID; everyone else sees their own.
  const creatorId = params.get("creator") ?? viewer?.creator?.id ?? null;
  const windowDays = Number(params.get("window") ?? 30) || 30;
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: CreatorInsightsQuery,
    variables: { creatorId: creatorId ?? "", windowDays },
    pause: creatorId === null,
  });

  if (creatorId === null) return <Refusal />;

  const setWindow = (days: number) => {
    const next = new URLSearchParams(params);
    next.set("window", String(days));
    setParams(next, { replace: true });
  };

  const insights = data?.creatorInsights;
  const forbidden = error?.graphQLErrors.some((e) => e.extensions?.code === "FORBIDDEN" || /not allowed|forbidden|permission/i.test(e.message));

  return (
    <section aria-labelledby="insights-title" className="stack">
      <header className="page-header page-header--row">
        <div>
          <h1 id="insights-title">Creator insights</h1>
          <p className="muted">
            {insights ? `${insights.displayName} · ${formatDate(insights.start)} – ${formatDate(insights.end)}` : " "}
          </p>
        </div>
        <label className="inline-label">
          Window
          <select value={windowDays} onChange={(e) => setWindow(Number(e.target.value))}>
            {WINDOWS.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </select>
        </label>
      </header>

      {error && !insights && (
        forbidden ? (
          <div role="alert" className="status status--error">
            <strong>Not allowed</strong>
            <p>You can only see insights for your own work.</p>
          </div>
        ) : (
          <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
        )
      )}
      {!insights && fetching && <Loading label="Counting views, likes and clicks…" />}
      {insights && (
        <>
          <MetricCards
            label="Totals"
            figures={[
              ["Views", formatCount(insights.totals.views)],
              ["Likes", formatCount(insights.totals.likes)],
              ["Impressions", formatCount(insights.totals.impressions)],
              ["CTR", formatRate(insights.totals.ctr)],
              ["Avg. dwell", formatDwell(insights.totals.dwellMs)],
              ["Audience", formatCount(insights.totals.audienceSize)],
              ["Items", formatCount(insights.totals.items)],
            ]}
          />

          {insights.written.length > 0 && (
            <section className="card panel" aria-labelledby="written-title">
              <h2 id="written-title">What stands out</h2>
              <ul className="written">
                {insights.written.map((w, i) => (
                  <li key={`${w.kind}-${i}`} data-kind={w.kind}>
                    {w.text}
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section className="card panel" aria-labelledby="trend-title">
            <h2 id="trend-title">Daily views and CTR</h2>
            <TrendChart points={insights.series} />
          </section>

          <div className="two-col">
            <section className="card panel" aria-labelledby="top-title">
              <h2 id="top-title">Top items</h2>
              {insights.topItems.length === 0 ? (
                <p className="muted">No views in this window.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Item</th>
                        <th scope="col" className="num">Views</th>
                        <th scope="col" className="num">Likes</th>
                        <th scope="col" className="num">CTR</th>
                        <th scope="col" className="num">Dwell</th>
                      </tr>
                    </thead>
                    <tbody>
                      {insights.topItems.map((it) => (
                        <tr key={it.itemId}>
                          <td>
                            <Link to={`/items/${it.itemId}`}>{it.title}</Link>{" "}
                            <span className="muted">{titleCase(it.type)}</span>
                          </td>
                          <td className="num">{formatCount(it.views)}</td>
                          <td className="num">{formatCount(it.likes)}</td>
                          <td className="num">{formatRate(it.ctr)}</td>
                          <td className="num">{formatDwell(it.dwellMs)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
            <section className="card panel" aria-labelledby="rising-title">
              <h2 id="rising-title">Rising this week</h2>
              {insights.risingItems.length === 0 ? (
                <p className="muted">Nothing is rising right now.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Item</th>
                        <th scope="col" className="num">Last 7 days</th>
                        <th scope="col" className="num">Week before</th>
                        <th scope="col" className="num">Growth</th>
                      </tr>
                    </thead>
                    <tbody>
                      {insights.risingItems.map((it) => (
                        <tr key={it.itemId}>
                          <td>
                            <Link to={`/items/${it.itemId}`}>{it.title}</Link>
                          </td>
                          <td className="num">{formatCount(it.viewsLast7d)}</td>
                          <td className="num">{formatCount(it.viewsPrev7d)}</td>
                          <td className="num growth">{formatGrowth(it.growth)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          </div>

          <div className="two-col">
            <section className="card panel" aria-labelledby="audience-title">
              <h2 id="audience-title">Audience interests</h2>
              <p className="muted">Tags the people who engage with your work care about.</p>
              <ShareBars
                label="Share of audience interest"
                rows={insights.audienceInterests.slice(0, 10).map((a) => ({ label: `#${a.name}`, share: a.share }))}
                empty="No audience yet."
              />
            </section>
            <section className="card panel" aria-labelledby="methods-title">
              <h2 id="methods-title">Where impressions came from</h2>
              <p className="muted">Which recommendation methods showed your items, and how often they were clicked.</p>
              <ShareBars
                label="Share of impressions"
                rows={insights.methods.map((m) => ({
                  label: `${titleCase(m.method)} · CTR ${formatRate(m.ctr)}`,
                  share: m.share,
                }))}
                empty="Your items have not been shown in recommendations in this window."
              />
            </section>
          </div>

          <section className="card panel" aria-labelledby="similar-creators-title">
            <h2 id="similar-creators-title">Similar creators</h2>
            {insights.similarCreators.length === 0 ? (
              <p className="muted">No similar creators yet.</p>
            ) : (
              <ul className="creator-list">
                {insights.similarCreators.map((c) => (
                  <li key={c.creatorId}>
                    <Link to={`/creators/${c.creatorId}`}>{c.displayName}</Link>
                    <span className="muted">
                      {c.source === "audience" ? `${formatCount(c.sharedAudience)} shared fans` : `similarity ${c.score.toFixed(2)}`}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </section>
  );
}
