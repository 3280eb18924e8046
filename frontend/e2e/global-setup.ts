import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function waitForServer(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`e2e/serve.sh exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`The Lupi server did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/**
 * Starts e2e/serve.sh (fresh database, seeded platform, trained model, uvicorn) on a free
 * port and shares its address with the tests via LUPI_E2E_BASE_URL. Returns the teardown.
 */
export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  if (process.env.LUPI_E2E_BASE_URL) return;
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn("bash", [resolve(here, "serve.sh")], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  const timeout = Number(process.env.LUPI_E2E_START_TIMEOUT ?? 600) * 1000;
  try {
    await waitForServer(`${baseURL}/`, child, timeout);
  } catch (error) {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    throw error;
  }
  process.env.LUPI_E2E_BASE_URL = baseURL;
  return async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
  };
}
