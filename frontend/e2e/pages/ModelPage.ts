import type { Locator, Page } from "@playwright/test";

export class ModelPage {
  readonly heading: Locator;
  readonly activeVersion: Locator;
  readonly lossChart: Locator;
  readonly runs: Locator;
  readonly atlas: Locator;
  readonly atlasCanvas: Locator;
  readonly retraining: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Model", level: 1 });
    this.activeVersion = page.getByTestId("active-version");
    this.lossChart = page.getByTestId("loss-chart");
    this.runs = page.getByRole("region", { name: "Training runs" }).getByRole("row");
    this.atlas = page.getByRole("region", { name: "Embedding atlas" });
    this.atlasCanvas = page.getByTestId("atlas-chart").locator("canvas");
    this.retraining = page.getByRole("region", { name: "Retraining" });
  }

  /**
   * Where on the atlas canvas an item is drawn (CSS pixels relative to the canvas), found by
   * reading the canvas's pixels. Items are the only saturated points (readers are grey
   * squares, tags dark triangles); which categories a generated platform has and where
   * t-SNE puts them changes with the data, so any item will do.
   */
  async itemPointPosition(): Promise<{ x: number; y: number } | null> {
    return this.atlasCanvas.evaluate((el) => {
      const canvas = el as HTMLCanvasElement;
      const ctx = canvas.getContext("2d");
      if (!ctx) return null;
      const { width, height } = canvas;
      const img = ctx.getImageData(0, 0, width, height).data;
      const colour = (x: number, y: number) => {
        const i = (y * width + x) * 4;
        return img[i + 3] === 255 ? (img[i] << 16) | (img[i + 1] << 8) | img[i + 2] : -1;
      };
      const saturated = (c: number) => {
        const rgb = [(c >> 16) & 255, (c >> 8) & 255, c & 255];
        return Math.max(...rgb) - Math.min(...rgb) > 60;
      };
      // The legend sits at the bottom; only look at the plot area above it. A pixel whose
      // neighbours two pixels away share its colour is near a point's centre, so the click
      // lands on that item rather than on a neighbour drawn beneath it.
      for (let y = 3; y < height * 0.8; y++) {
        for (let x = 3; x < width - 3; x++) {
          const c = colour(x, y);
          if (c < 0 || !saturated(c)) continue;
          const around = [colour(x - 2, y), colour(x + 2, y), colour(x, y - 2), colour(x, y + 2)];
          if (around.every((n) => n === c)) {
            const scale = canvas.getBoundingClientRect().width / width;
            return { x: x * scale, y: y * scale };
          }
        }
      }
      return null;
    });
  }

  async open(): Promise<void> {
    await this.page.goto("/model");
    await this.heading.waitFor();
  }
}
