import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorMessage, Loading } from "../components/Status";
import { formatCount, formatDateTime } from "../lib/format";
import { scheduleText } from "./retraining";

const RetrainingScheduleQuery = graphql(`
  query RetrainingSchedule {
    retrainingSchedule {
      enabled
      intervalSeconds
      minNewFeedback
      newFeedback
      lastRunAt
      lastTrigger
      nextRunAt
    }
  }
`);

/** When the workers train again on their own: the schedule, the last run and the next. */
export function RetrainingSection() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RetrainingScheduleQuery });
  let body;
  if (error && !data) body = <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  else if (!data) body = fetching ? <Loading label="Loading the schedule…" /> : null;
  else {
    const s = data.retrainingSchedule;
    const next = s.nextRunAt
      ? formatDateTime(s.nextRunAt)
      : s.minNewFeedback
        ? `after ${formatCount(Math.max(0, s.minNewFeedback - s.newFeedback))} more interactions`
        : "–";
    body = (
      <>
        <p data-testid="retraining-schedule">{scheduleText(s)}</p>
        <dl className="figures figures--small">
          <div>
            <dt>Last run</dt>
            <dd data-testid="retraining-last">
              {formatDateTime(s.lastRunAt)}
              {s.lastTrigger ? ` (${s.lastTrigger})` : ""}
            </dd>
          </div>
          <div>
            <dt>Next run</dt>
            <dd data-testid="retraining-next">{s.enabled ? next : "–"}</dd>
          </div>
          {s.minNewFeedback ? (
            <div>
              <dt>New interactions since</dt>
              <dd>{formatCount(s.newFeedback)}</dd>
            </div>
          ) : null}
        </dl>
      </>
    );
  }
  return (
    <section className="card panel" aria-labelledby="retraining-title">
      <h2 id="retraining-title">Retraining</h2>
      {body}
    </section>
  );
}
