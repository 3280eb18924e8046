import { useQuery } from "urql";
import { ErrorMessage, Loading } from "../components/Status";
import { MetricCards } from "../components/MetricCards";
import { formatDateTime, formatRate } from "../lib/format";
import type { SimulationReportQuery } from "../gql/graphql";
import { intervalRows, intervalText, sourceLabel } from "./experimentsData";
import { IntervalChart } from "./IntervalChart";
import { CurveChart, SeriesChart } from "./SeriesChart";
import { SimulationQuery } from "./operations";

type Report = NonNullable<SimulationReportQuery["simulationReport"]>;

/** The traffic simulator's latest figures, scenario by scenario, when it has run. */
export function SimulationSection() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SimulationQuery });
  let body: React.ReactNode;
  if (error && !data) body = <ErrorMessage error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  else if (!data) body = fetching ? <Loading label="Loading the simulator's figures…" /> : null;
  else if (!data.simulationReport)
    body = (
      <p className="muted" data-testid="simulation-empty">
        The simulator has not run yet: <code>manage.py simulate_traffic --scenario ab --scenario aa --scenario bandit --scenario fatigue</code>.
      </p>
    );
  else body = <Scenarios report={data.simulationReport} />;
  return (
    <section className="card panel" aria-labelledby="simulation-title">
      <h2 id="simulation-title">Simulated traffic</h2>
      {body}
    </section>
  );
}

function When({ at, seconds }: { at: string; seconds: number }) {
  return (
    <p className="muted">
      Run {formatDateTime(at)}, took {Math.round(seconds)} s.
    </p>
  );
}

function Scenarios({ report }: { report: Report }) {
  const { ab, aa, bandit, fatigue } = report;
  return (
    <div className="stack">
      {ab && (
        <section aria-labelledby="sim-ab" data-testid="simulation-ab">
          <h3 id="sim-ab">A/B: the default against trending only</h3>
          <When at={ab.generatedAt} seconds={ab.seconds} />
          <p>
            {ab.visits} visits ({ab.plan.users} readers, {ab.plan.rounds} rounds, seed {ab.plan.seed}). CTR difference{" "}
            <strong>{intervalText(ab.ctrDifference, true)}</strong>: {ab.detected ? "detected" : "not detected"}
            {ab.sampleRatioMismatch && " (sample ratio mismatch!)"}.
          </p>
          <IntervalChart label="Simulated A/B CTR per variant" rows={intervalRows(ab.variants, (v) => v.variant, (v) => v.ctr)} />
        </section>
      )}
      {aa && (
        <section aria-labelledby="sim-aa" data-testid="simulation-aa">
          <h3 id="sim-aa">A/A: both variants the same</h3>
          <When at={aa.generatedAt} seconds={aa.seconds} />
          <MetricCards
            label="A/A runs"
            figures={[
              ["runs flagged", `${aa.flagged} of ${aa.runs}`],
              ["expected", `about ${Math.round(aa.runs * 0.05)}`],
              ["readers per run", String(aa.readersPerRun)],
            ]}
          />
        </section>
      )}
      {bandit && <BanditScenario bandit={bandit} />}
      {fatigue && (
        <section aria-labelledby="sim-fatigue" data-testid="simulation-fatigue">
          <h3 id="sim-fatigue">Impression fatigue, on and off</h3>
          <When at={fatigue.generatedAt} seconds={fatigue.seconds} />
          <p>
            {fatigue.readers} readers, {fatigue.rounds} visits each. After the first visit, CTR{" "}
            <strong>{intervalText(fatigue.afterFirstRoundWith.ctr)}</strong> with the fatigue term against{" "}
            <strong>{intervalText(fatigue.afterFirstRoundWithout.ctr)}</strong> without.
          </p>
          <SeriesChart
            labels={fatigue.withFatigue.map((_, i) => String(i + 1))}
            series={[
              { name: "with fatigue", values: fatigue.withFatigue.map((r) => r.ctr?.value ?? null) },
              { name: "without", values: fatigue.withoutFatigue.map((r) => r.ctr?.value ?? null) },
            ]}
            label="Simulated CTR per visit with and without the fatigue term"
            xTitle="visit"
            yTitle="CTR"
            percent
          />
        </section>
      )}
    </div>
  );
}

function BanditScenario({ bandit }: { bandit: NonNullable<Report["bandit"]> }) {
  const lastRound = bandit.slotSharesByRound[bandit.slotSharesByRound.length - 1] ?? [];
  return (
    <section aria-labelledby="sim-bandit" data-testid="simulation-bandit">
      <h3 id="sim-bandit">Bandit against fixed source mixes</h3>
      <When at={bandit.generatedAt} seconds={bandit.seconds} />
      <p>
        {bandit.visits} visits in {bandit.rounds} rounds. Best fixed mix in hindsight: <strong>{bandit.bestFixedMix}</strong>. Final regret:{" "}
        {bandit.finalRegretVsUniform ?? "–"} clicks against uniform, {bandit.finalRegretVsBestFixed ?? "–"} against the best fixed mix (negative: the
        bandit ahead).
      </p>
      {bandit.regretVsUniform.length + bandit.regretVsBestFixed.length > 0 && (
        <CurveChart
          testId="regret-chart"
          curves={[
            { name: "vs uniform", points: bandit.regretVsUniform },
            { name: `vs best fixed (${bandit.bestFixedMix})`, points: bandit.regretVsBestFixed },
          ]}
          label="The bandit's cumulative regret in clicks against the uniform mix and the best fixed mix"
          xTitle="bandit visits"
          yTitle="regret (clicks)"
        />
      )}
      <p className="muted">
        Clicks per visit: {bandit.clicksPerVisit.map((r) => `${r.name} ${r.value.toFixed(3)}`).join(", ")}. Slot shares in the last round:{" "}
        {lastRound.map((s) => `${sourceLabel(s.source)} ${formatRate(s.share)}`).join(", ")}.
      </p>
    </section>
  );
}
