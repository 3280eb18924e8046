import type { Locator, Page } from "@playwright/test";

export class ModelPage {
  readonly heading: Locator;
  readonly activeVersion: Locator;
  readonly lossChart: Locator;
  readonly runs: Locator;
  readonly atlas: Locator;
  readonly atlasCanvas: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Model", level: 1 });
    this.activeVersion = page.getByTestId("active-version");
    this.lossChart = page.getByTestId("loss-chart");
    this.runs = page.getByRole("region", { name: "Training runs" }).getByRole("row");
    this.atlas = page.getByRole("region", { name: "Embedding atlas" });
    this.atlasCanvas = page.getByTestId("atlas-chart").locator("canvas");
  }

  /**
   * Where on the atlas canvas an item of the first category is drawn (CSS pixels relative
   * to the canvas), found by reading the canvas's pixels for that category's colour.
   */
  async itemPointPosition(rgb: [number, number, number] = [78, 121, 167]): Promise<{ x: number; y: number } | null> {
    return this.atlasCanvas.evaluate((el, [r, g, b]) => {
      const canvas = el as HTMLCanvasElement;
      const ctx = canvas.getContext("2d");
      if (!ctx) return null;
      const { width, height } = canvas;
      const img = ctx.getImageData(0, 0, width, height).data;
      const at = (x: number, y: number) => {
        const i = (y * width + x) * 4;
        return img[i] === r && img[i + 1] === g && img[i + 2] === b && img[i + 3] === 255;
      };
      // The legend sits at the bottom; only look at the plot area above it. A pixel whose
      // neighbours two pixels away share the colour is near a point's centre, so the click
      // lands on that item rather than on a neighbour drawn beneath it.
      for (let y = 3; y < height * 0.8; y++) {
        for (let x = 3; x < width - 3; x++) {
          if (at(x, y) && at(x - 2, y) && at(x + 2, y) && at(x, y - 2) && at(x, y + 2)) {
            const scale = canvas.getBoundingClientRect().width / width;
            return { x: x * scale, y: y * scale };
          }
        }
      }
      return null;
    }, rgb);
  }

  async open(): Promise<void> {
    await this.page.goto("/model");
    await this.heading.waitFor();
  }
}
