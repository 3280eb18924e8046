import { Link } from "react-router-dom";
import type { ForYouQuery } from "../gql/graphql";
import { formatCount, formatDateTime, titleCase } from "../lib/format";

type Dashboard = ForYouQuery["dashboard"];

export function ActivityPanel({ stats, activity }: { stats: Dashboard["stats"]; activity: Dashboard["recentActivity"] }) {
  const figures: [string, number][] = [
    ["interactions", stats.interactions],
    ["likes", stats.likes],
    ["saves", stats.saves],
    ["items", stats.itemsEngaged],
  ];
  return (
    <aside className="feed-aside" aria-labelledby="activity-title">
      <section className="card panel">
        <h2 id="activity-title">Your activity</h2>
        <dl className="figures">
          {figures.map(([label, n]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{formatCount(n)}</dd>
            </div>
          ))}
        </dl>
        <h3>Recently</h3>
        {activity.length === 0 ? (
          <p className="muted">Nothing yet. Open, like or save something.</p>
        ) : (
          <ol className="activity">
            {activity.map((a) => (
              <li key={a.interactionId}>
                <span className="badge">{titleCase(a.kind)}</span>{" "}
                <Link to={`/items/${a.item.id}`}>{a.item.title}</Link>
                <time className="muted" dateTime={a.occurredAt}>
                  {formatDateTime(a.occurredAt)}
                </time>
              </li>
            ))}
          </ol>
        )}
      </section>
    </aside>
  );
}
