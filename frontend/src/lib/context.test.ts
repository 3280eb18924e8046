import { describe, expect, it } from "vitest";
import { deviceClass, rankingContext } from "./context";

const DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const TV_UA = "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 TV Safari/537.36";
const FIRE_TV_UA = "Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 (KHTML, like Gecko) Silk/98.4 like Chrome";

describe("the ranking context", () => {
  it("tells phones, tablets and desktops apart by width, televisions by their user agent", () => {
    expect(deviceClass(390, DESKTOP_UA)).toBe("mobile");
    expect(deviceClass(800, DESKTOP_UA)).toBe("tablet");
    expect(deviceClass(1440, DESKTOP_UA)).toBe("desktop");
    expect(deviceClass(1920, TV_UA)).toBe("tv");
    expect(deviceClass(1920, FIRE_TV_UA)).toBe("tv");
  });

  it("sends the local hour of the browser's clock", () => {
    const morning = new Date(2025, 5, 1, 8, 30);
    const evening = new Date(2025, 5, 1, 21, 5);
    expect(rankingContext(morning).localHour).toBe(8);
    expect(rankingContext(evening).localHour).toBe(21);
    expect(["mobile", "tablet", "desktop", "tv"]).toContain(rankingContext(morning).device);
  });
});
