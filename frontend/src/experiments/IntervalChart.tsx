import { Chart as ChartComponent } from "react-chartjs-2";
import { cssVar, paletteColor, withAlpha } from "../charts/setup";
import { intervalText, type IntervalRow } from "./experimentsData";

/**
 * One estimate per row with its 95% interval as an error bar (a thin floating bar from low
 * to high, the estimate a point on it), in percentage points; the same figures in a
 * table that screen readers read instead of the canvas.
 */
export function IntervalChart({ rows, label, signed = false, testId }: { rows: IntervalRow[]; label: string; signed?: boolean; testId?: string }) {
  if (rows.length === 0) return <p className="muted">No impressions yet.</p>;
  const pct = (x: number) => Math.round(x * 10000) / 100;
  const text = cssVar("--text", "#1d2433");
  return (
    <figure className="interval-chart" data-testid={testId}>
      <div className="chart chart--small" aria-hidden="true">
        <ChartComponent
          type="bar"
          data={{
            // A line dataset of points drawn on the bar chart's floating bars.
            labels: rows.map((r) => r.label),
            datasets: [
              {
                type: "bar" as const,
                label: "95% interval",
                data: rows.map((r) => [pct(r.low), pct(r.high)] as [number, number]),
                backgroundColor: rows.map((_, i) => withAlpha(paletteColor(i), 0.35)),
                borderColor: rows.map((_, i) => paletteColor(i)),
                borderWidth: 1,
                maxBarThickness: 8,
              },
              {
                type: "line" as const,
                label: "estimate",
                data: rows.map((r) => pct(r.value)) as unknown as [number, number][],
                showLine: false,
                pointRadius: 5,
                pointBackgroundColor: text,
                borderColor: text,
              },
            ],
          }}
          options={{
            animation: false,
            scales: {
              y: { title: { display: true, text: signed ? "difference (points)" : "%" } },
              x: { grid: { display: false } },
            },
            plugins: { legend: { display: false } },
          }}
        />
      </div>
      <table className="visually-hidden">
        <caption>{label}</caption>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              <td>{intervalText(r, signed)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
