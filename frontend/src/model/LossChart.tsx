import { Line } from "react-chartjs-2";
import { paletteColor } from "../charts/setup";

/** Each run's curve, one line per selected run: the validation Recall@20 of every step of the
 * recipe's search (runs trained before the recipe recorded their training loss per epoch). */
export function LossChart({ runs }: { runs: { id: string; lossCurve: number[] }[] }) {
  if (runs.length === 0) return <p className="muted">Tick runs in the table to compare their search curves.</p>;
  const steps = Math.max(...runs.map((r) => r.lossCurve.length), 1);
  return (
    <div
      className="chart"
      role="img"
      aria-label={`Validation score per search step for runs ${runs.map((r) => `#${r.id}`).join(", ")}`}
      data-testid="loss-chart"
    >
      <Line
        data={{
          labels: Array.from({ length: steps }, (_, i) => String(i + 1)),
          datasets: runs.map((r, i) => ({
            label: `run #${r.id}`,
            data: r.lossCurve,
            borderColor: paletteColor(i),
            backgroundColor: paletteColor(i),
            pointRadius: 2,
            tension: 0.2,
          })),
        }}
        options={{
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { title: { display: true, text: "search step" }, grid: { display: false } },
            y: { title: { display: true, text: "validation recall@20" } },
          },
          plugins: { legend: { position: "bottom" } },
        }}
      />
    </div>
  );
}
