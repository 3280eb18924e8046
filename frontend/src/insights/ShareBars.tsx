import { Bar } from "react-chartjs-2";
import { cssVar, withAlpha } from "../charts/setup";
import { formatRate } from "../lib/format";

/**
 * Shares (0..1) as a horizontal bar chart, with the same numbers in a table that screen
 * readers read instead of the canvas.
 */
export function ShareBars({ rows, label, empty }: { rows: { label: string; share: number }[]; label: string; empty: string }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  const accent = cssVar("--accent", "#1f9cee");
  return (
    <figure className="share-bars">
      <div className="chart" style={{ height: `${Math.max(6, rows.length * 2.1 + 2)}rem` }} aria-hidden="true">
        <Bar
          data={{
            labels: rows.map((r) => r.label),
            datasets: [
              {
                label,
                data: rows.map((r) => Math.round(r.share * 1000) / 10),
                backgroundColor: withAlpha(accent, 0.6),
                borderColor: accent,
                borderWidth: 1,
                borderRadius: 4,
              },
            ],
          }}
          options={{
            indexAxis: "y",
            animation: false,
            scales: {
              x: { beginAtZero: true, ticks: { callback: (v) => `${v}%` } },
              y: { grid: { display: false } },
            },
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: { label: (ctx) => `${ctx.parsed.x}%` } },
            },
          }}
        />
      </div>
      <table className="visually-hidden">
        <caption>{label}</caption>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              <td>{formatRate(r.share)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
