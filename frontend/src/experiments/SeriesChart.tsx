import { Line } from "react-chartjs-2";
import { paletteColor } from "../charts/setup";
import type { Series } from "./experimentsData";

/** Lines over shared x labels; `percent` shows 0..1 values as percentages. */
export function SeriesChart({
  labels,
  series,
  label,
  xTitle,
  yTitle,
  percent = false,
  testId,
}: {
  labels: string[];
  series: Series[];
  label: string;
  xTitle: string;
  yTitle: string;
  percent?: boolean;
  testId?: string;
}) {
  const scale = (v: number | null) => (v === null ? null : percent ? Math.round(v * 10000) / 100 : v);
  return (
    <div className="chart" role="img" aria-label={label} data-testid={testId}>
      <Line
        data={{
          labels,
          datasets: series.map((s, i) => ({
            label: s.name,
            data: s.values.map(scale),
            borderColor: paletteColor(i),
            backgroundColor: paletteColor(i),
            pointRadius: labels.length > 30 ? 0 : 2,
            spanGaps: true,
            tension: 0.2,
          })),
        }}
        options={{
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { title: { display: true, text: xTitle }, grid: { display: false }, ticks: { maxTicksLimit: 8 } },
            y: { beginAtZero: percent, title: { display: true, text: percent ? `${yTitle} (%)` : yTitle } },
          },
          plugins: { legend: { position: "bottom" } },
        }}
      />
    </div>
  );
}

/** Curves of (x, y) points on a linear x axis (the points of each curve need not share x). */
export function CurveChart({
  curves,
  label,
  xTitle,
  yTitle,
  testId,
}: {
  curves: { name: string; points: readonly { x: number; y: number }[] }[];
  label: string;
  xTitle: string;
  yTitle: string;
  testId?: string;
}) {
  return (
    <div className="chart" role="img" aria-label={label} data-testid={testId}>
      <Line
        data={{
          datasets: curves.map((c, i) => ({
            label: c.name,
            data: c.points.map((p) => ({ x: p.x, y: p.y })),
            borderColor: paletteColor(i),
            backgroundColor: paletteColor(i),
            pointRadius: 0,
          })),
        }}
        options={{
          animation: false,
          parsing: false,
          interaction: { mode: "nearest", intersect: false },
          scales: {
            x: { type: "linear", title: { display: true, text: xTitle }, grid: { display: false } },
            y: { title: { display: true, text: yTitle } },
          },
          plugins: { legend: { position: "bottom" } },
        }}
      />
    </div>
  );
}
