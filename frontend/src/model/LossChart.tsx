import { Line } from "react-chartjs-2";
import { paletteColor } from "../charts/setup";

/** Mean training loss per epoch, one line per selected run. */
export function LossChart({ runs }: { runs: { id: string; lossCurve: number[] }[] }) {
  if (runs.length === 0) return <p className="muted">Tick runs in the table to compare their loss curves.</p>;
  const epochs = Math.max(...runs.map((r) => r.lossCurve.length), 1);
  return (
    <div
      className="chart"
      role="img"
      aria-label={`Loss per epoch for runs ${runs.map((r) => `#${r.id}`).join(", ")}`}
      data-testid="loss-chart"
    >
      <Line
        data={{
          labels: Array.from({ length: epochs }, (_, i) => String(i + 1)),
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
            x: { title: { display: true, text: "epoch" }, grid: { display: false } },
            y: { title: { display: true, text: "loss" } },
          },
          plugins: { legend: { position: "bottom" } },
        }}
      />
    </div>
  );
}
