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
            y: { title: { display: true, text: percent ? `${yTitle} (%)` : yTitle } },
          },
          plugins: { legend: { position: "bottom" } },
        }}
      />
    </div>
  );
}
