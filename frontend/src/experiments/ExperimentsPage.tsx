import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { ErrorMessage, Loading, errorText } from "../components/Status";
import { formatDateTime } from "../lib/format";
import { useTitle } from "../lib/useTitle";
import { useSession } from "../session/SessionContext";
import type { ExperimentsQuery as ExperimentsData } from "../gql/graphql";
import { actionsFor } from "./experimentsData";
import {
  ExperimentsQuery,
  PauseExperimentMutation,
  ShipExperimentMutation,
  StartExperimentMutation,
  StopExperimentMutation,
} from "./operations";
import { CreateExperimentForm } from "./CreateExperimentForm";
import { ResultsSection } from "./ResultsSection";
import { BanditSection } from "./BanditSection";
import { SimulationSection } from "./SimulationSection";

type Experiment = ExperimentsData["experiments"][number];

export default function ExperimentsPage() {
  useTitle("Experiments");
  const { viewer } = useSession();
  if (!viewer?.isStaff) {
    return (
      <section aria-labelledby="experiments-title" className="stack">
        <h1 id="experiments-title">Experiments</h1>
        <div className="status status--error" role="alert" data-testid="staff-only">
          <strong>Staff only</strong>
          <p>Experiments are run by staff. Sign in with a staff account to see this page.</p>
        </div>
      </section>
    );
  }
  return <StaffExperiments />;
}

function StaffExperiments() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ExperimentsQuery });
  const [selected, setSelected] = useState<string | null>(null);
  const refresh = () => reexecute({ requestPolicy: "network-only" });

  if (error && !data) return <ErrorMessage error={error} onRetry={refresh} />;
  if (!data) return fetching ? <Loading label="Loading experiments…" /> : null;
  const experiments = data.experiments;
  const current = experiments.find((e) => e.experimentId === selected) ?? experiments[0] ?? null;

  return (
    <section aria-labelledby="experiments-title" className="stack">
      <header className="page-header">
        <h1 id="experiments-title">Experiments</h1>
        <p className="muted">A/B tests of served-list configurations, the source bandit, and the traffic simulator's figures.</p>
      </header>

      <section className="card panel" aria-labelledby="list-title">
        <h2 id="list-title">All experiments</h2>
        {experiments.length === 0 ? (
          <p className="muted">No experiments yet: create one below.</p>
        ) : (
          <ExperimentTable experiments={experiments} current={current} onSelect={setSelected} />
        )}
      </section>

      {current && <ExperimentDetail key={current.experimentId} experiment={current} onChanged={refresh} />}

      <section className="card panel" aria-labelledby="create-title">
        <h2 id="create-title">New experiment</h2>
        <CreateExperimentForm
          onCreated={(id) => {
            setSelected(id);
            refresh();
          }}
        />
      </section>

      <BanditSection />
      <SimulationSection />
    </section>
  );
}

function ExperimentTable({ experiments, current, onSelect }: { experiments: Experiment[]; current: Experiment | null; onSelect: (id: string) => void }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Variants</th>
            <th scope="col">Created</th>
            <th scope="col">Started</th>
            <th scope="col">Stopped</th>
          </tr>
        </thead>
        <tbody>
          {experiments.map((e) => (
            <tr key={e.experimentId} aria-current={e === current ? "true" : undefined} className={e === current ? "row--current" : undefined}>
              <td>
                <button type="button" className="link-button" onClick={() => onSelect(e.experimentId)}>
                  {e.name}
                </button>
              </td>
              <td>
                <span className={`badge badge--${e.status.toLowerCase()}`}>{e.status.toLowerCase()}</span>
                {e.shippedVariant && <span className="muted"> {e.shippedVariant}</span>}
              </td>
              <td>{e.variants.map((v) => `${v.name} ${Math.round(v.trafficShare * 100)}%`).join(", ")}</td>
              <td className="nowrap">{formatDateTime(e.createdAt)}</td>
              <td className="nowrap">{formatDateTime(e.startedAt)}</td>
              <td className="nowrap">{formatDateTime(e.stoppedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ExperimentDetail({ experiment, onChanged }: { experiment: Experiment; onChanged: () => void }) {
  const [start, startIt] = useMutation(StartExperimentMutation);
  const [pause, pauseIt] = useMutation(PauseExperimentMutation);
  const [stop, stopIt] = useMutation(StopExperimentMutation);
  const [ship, shipIt] = useMutation(ShipExperimentMutation);
  const [shipping, setShipping] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const busy = start.fetching || pause.fetching || stop.fetching || ship.fetching;
  const can = actionsFor(experiment.status);
  const id = experiment.experimentId;

  async function act(run: () => Promise<{ error?: Parameters<typeof errorText>[0] }>) {
    setFailure(null);
    const result = await run();
    if (result.error) setFailure(errorText(result.error));
    else onChanged();
  }

  return (
    <section className="card panel" aria-labelledby="detail-title" data-testid="experiment-detail">
      <h2 id="detail-title">
        {experiment.name} <span className={`badge badge--${experiment.status.toLowerCase()}`}>{experiment.status.toLowerCase()}</span>
      </h2>
      {experiment.description && <p className="muted">{experiment.description}</p>}
      <div className="form-actions">
        {can.start && (
          <button type="button" className="button" disabled={busy} onClick={() => act(() => startIt({ id }))}>
            {experiment.status === "PAUSED" ? "Resume" : "Start"}
          </button>
        )}
        {can.pause && (
          <button type="button" className="button button--ghost" disabled={busy} onClick={() => act(() => pauseIt({ id }))}>
            Pause
          </button>
        )}
        {can.stop && (
          <button type="button" className="button button--ghost" disabled={busy} onClick={() => act(() => stopIt({ id }))}>
            Stop
          </button>
        )}
        {can.ship &&
          experiment.variants.map((v) => (
            <button key={v.name} type="button" className="button button--ghost" disabled={busy} onClick={() => setShipping(v.name)}>
              Ship {v.name}
            </button>
          ))}
      </div>
      {shipping && (
        <div className="confirm" role="alertdialog" aria-labelledby="ship-question">
          <p id="ship-question">
            Ship <strong>{shipping}</strong>? Its configuration becomes the default for every reader of this surface, and the experiment ends.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => {
                const variant = shipping;
                setShipping(null);
                void act(() => shipIt({ id, variant }));
              }}
            >
              Yes, ship {shipping}
            </button>
            <button type="button" className="button button--ghost" onClick={() => setShipping(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {failure && (
        <p className="form-error" role="alert">
          {failure}
        </p>
      )}
      {experiment.status === "DRAFT" ? (
        <p className="muted">Results appear once the experiment has started.</p>
      ) : (
        <ResultsSection experimentId={id} />
      )}
    </section>
  );
}
