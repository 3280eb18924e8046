import { Link } from "react-router-dom";
import type { ForYouQuery, InteractionKind } from "../gql/graphql";
import { formatCount, formatDateTime } from "../lib/format";

type Dashboard = ForYouQuery["dashboard"];

// What the viewer did, as the activity list says it; one entry per InteractionKind, so a
// kind added to the schema fails the type check until it has its words.
export const ACTIVITY_LABEL: Record<InteractionKind, string> = {
  VIEW: "Viewed",
  CLICK: "Opened",
  LIKE: "Liked",
  SHARE: "Shared",
  COMMENT: "Commented",
  SAVE: "Saved",
  DWELL: "Read",
  SKIP: "Skipped",
  DISLIKE: "Disliked",
  HIDE: "Hid",
};

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
                <span className="badge">{ACTIVITY_LABEL[a.kind]}</span>{" "}
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
