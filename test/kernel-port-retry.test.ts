/**
 * A kernel port taken between choosing it and tslab binding it (seconds later: tslab loads
 * TypeScript first) must not hang a run: the kernel exits at once with KERNEL_PORT_IN_USE_EXIT and
 * the runner starts a new kernel on fresh ports. Real tslab kernels, a real listening socket.
 * Needs kernel-lib/dist (npx tsc -p kernel-lib/tsconfig.build.json).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePorts,
  KERNEL_PORT_IN_USE_EXIT,
  launchKernel,
  type KernelReport,
} from '../kernel-lib/src/notebook/launcher';
import { runNotebook } from '../kernel-lib/src/notebook/runner';

const NB = path.join(__dirname, 'fixtures', 'notebooks');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-port-retry-'));
let held: Server;
let heldPort: number;

const connections = new Set<import('node:net').Socket>();
let closing = false;

beforeAll(async () => {
  // The runner's client connects to the ports it chose, this one too: drop those connections.
  held = createServer((socket) => {
    connections.add(socket);
    socket.on('error', () => undefined);
    if (closing) socket.destroy(); // a reconnect while the server closes
  });
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(async () => {
  closing = true;
  for (const socket of connections) socket.destroy();
  await new Promise<void>((r) => held.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

/** Shell, iopub, stdin, control, hb: iopub is a port somebody else listens on. */
async function portsWithHeldIopub(): Promise<number[]> {
  const [shell, , stdin, control, hb] = await freePorts(5);
  return [shell, heldPort, stdin, control, hb];
}

describe('a kernel port taken before tslab binds it', () => {
  it('ends the kernel at once with its own exit code and a port_in_use report', async () => {
    const reports: KernelReport[] = [];
    const kernel = await launchKernel({ cwd: NB, ports: portsWithHeldIopub, onReport: (r) => reports.push(r) });
    const exit = await kernel.exited;
    expect(exit.code).toBe(KERNEL_PORT_IN_USE_EXIT);
    expect(reports.map((r) => r.type)).toContain('port_in_use');
  });

  it('the runner starts a new kernel on fresh ports and the run succeeds', async () => {
    let calls = 0;
    const events: Array<{ type: string; [k: string]: unknown }> = [];
    const output = path.join(tmp, 'out.ipynb');
    const r = await runNotebook({
      input: path.join(NB, 'trivial10.ipynb'),
      output,
      kernelPorts: () => (++calls === 1 ? portsWithHeldIopub() : freePorts(5)),
      onEvent: (e) => events.push(e),
    });
    expect(r.status, JSON.stringify(r)).toBe('succeeded');
    expect(calls).toBe(2);
    expect(events.filter((e) => e.type === 'kernel_restart')).toEqual([
      expect.objectContaining({ reason: 'port_in_use', attempt: 1 }),
    ]);
    expect(JSON.parse(readFileSync(output, 'utf8')).cells.length).toBeGreaterThan(0);
  });
});
