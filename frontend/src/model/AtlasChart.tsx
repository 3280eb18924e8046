import { plural } from "../lib/format";
import { useRef } from "react";
import { useNavigate } from "react-router-dom";
import { Scatter } from "react-chartjs-2";
import zoomPlugin from "chartjs-plugin-zoom";
import { Chart } from "../charts/setup";
import { atlasLink, type AtlasDataset, type AtlasDatum } from "./atlasData";

Chart.register(zoomPlugin);

/**
 * A zoomable 2-D scatter of the model's embedding space. Wheel or pinch zooms, dragging
 * pans; the buttons do the same from the keyboard. Clicking an item opens it.
 */
export function AtlasChart({ datasets }: { datasets: AtlasDataset[] }) {
  const navigate = useNavigate();
  const chartRef = useRef<Chart<"scatter", AtlasDatum[]> | null>(null);
  const total = datasets.reduce((n, d) => n + d.data.length, 0);

  return (
    <div className="atlas">
      <div className="atlas__tools" role="group" aria-label="Zoom">
        <button type="button" className="button button--small" onClick={() => chartRef.current?.zoom(1.5)}>
          Zoom in
        </button>
        <button type="button" className="button button--small" onClick={() => chartRef.current?.zoom(1 / 1.5)}>
          Zoom out
        </button>
        <button type="button" className="button button--small" onClick={() => chartRef.current?.resetZoom()}>
          Reset view
        </button>
        <span className="muted">Scroll or pinch to zoom, drag to pan, click an item to open it.</span>
      </div>
      <div
        className="chart chart--atlas"
        role="img"
        aria-label={`Embedding atlas: ${plural(total, "point")} in ${plural(datasets.length, "group")}`}
        data-testid="atlas-chart"
      >
        <Scatter
          ref={chartRef}
          data={{
            datasets: datasets.map((d) => ({
              label: d.label,
              data: d.data,
              backgroundColor: d.color,
              borderColor: d.color,
              pointStyle: d.pointStyle,
              pointRadius: d.radius,
              pointHoverRadius: d.radius + 3,
            })),
          }}
          options={{
            animation: false,
            parsing: false,
            scales: { x: { display: false }, y: { display: false } },
            onHover: (event, elements) => {
              const target = event.native?.target as HTMLElement | undefined;
              if (target) target.style.cursor = elements.length ? "pointer" : "default";
            },
            onClick: (_event, elements) => {
              const hit = elements[0];
              if (!hit) return;
              const datum = datasets[hit.datasetIndex]?.data[hit.index];
              const href = datum && atlasLink(datum);
              if (href) navigate(href);
            },
            plugins: {
              legend: { position: "bottom", labels: { usePointStyle: true } },
              tooltip: {
                callbacks: {
                  label: (ctx) => {
                    const d = ctx.raw as AtlasDatum;
                    return `${d.kind.toLowerCase()}: ${d.label}`;
                  },
                },
              },
              zoom: {
                zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: "xy" },
                pan: { enabled: true, mode: "xy" },
              },
            },
          }}
        />
      </div>
    </div>
  );
}
