/**
 * A minimal Jupyter client over ZeroMQ (shell/control/stdin DEALER, iopub SUB, heartbeat REQ), the
 * same socket roles as jupyter_client.BlockingKernelClient. Replies on shell and messages on iopub
 * are routed to the request that caused them by `parent_header.msg_id`.
 */
import * as zmq from 'zeromq';
import { StagebookError, type StagebookErrorCode } from '../errors/stagebook-error';
import type { ConnectionInfo } from './launcher';
import { WireSession, type JupyterMessage } from './wire';

type Listener = (msg: JupyterMessage) => void;

/** What finished an execute request. */
export type ExecuteStatus = 'ok' | 'error' | 'abort' | 'timeout' | 'dead';

export interface ExecuteResult {
  status: ExecuteStatus;
  executionCount: number | null;
  /** The execute_reply content (absent on timeout / dead kernel). */
  reply?: Record<string, unknown>;
}

export interface ExecuteOptions {
  /** Milliseconds before the request counts as timed out (Infinity: never). */
  timeoutMs?: number;
  /** Every iopub message caused by this request except status messages, in arrival order. */
  onIopub?: (msg: JupyterMessage) => void;
}

/** A connected client. Create with `KernelClient.connect`, always `close()`. */
export class KernelClient {
  private readonly session: WireSession;
  // The kernel binds its ports a second or so after spawn (tslab loads TypeScript first); a short
  // reconnect interval lets us connect soon after it does (ZeroMQ's default is 100 ms).
  private readonly shell = new zmq.Dealer({ linger: 0, reconnectInterval: 20 });
  private readonly control = new zmq.Dealer({ linger: 0, reconnectInterval: 20 });
  private readonly stdin = new zmq.Dealer({ linger: 0, reconnectInterval: 20 });
  private readonly iopub = new zmq.Subscriber({ linger: 0, reconnectInterval: 20 });
  private readonly shellListeners = new Map<string, Listener>();
  private readonly iopubListeners = new Map<string, Listener>();
  /** Unsolicited iopub messages (e.g. output written after a cell ended) go here. */
  onStrayIopub: Listener | undefined;
  private closed = false;

  private constructor(
    private readonly info: ConnectionInfo,
    private readonly died: Promise<unknown>,
  ) {
    this.session = new WireSession(info.key);
  }

  /** Connects all channels and starts the receive loops (does not wait for the kernel). */
  static connect(info: ConnectionInfo, died: Promise<unknown> = new Promise(() => undefined)): KernelClient {
    const c = new KernelClient(info, died);
    const url = (port: number): string => `${info.transport}://${info.ip}:${port}`;
    c.shell.connect(url(info.shell_port));
    c.control.connect(url(info.control_port));
    c.stdin.connect(url(info.stdin_port));
    c.iopub.connect(url(info.iopub_port));
    c.iopub.subscribe();
    void c.receiveLoop(c.shell, c.shellListeners);
    void c.receiveLoop(c.control, c.shellListeners);
    void c.receiveLoop(c.iopub, c.iopubListeners, true);
    return c;
  }

  private async receiveLoop(
    sock: zmq.Dealer | zmq.Subscriber,
    listeners: Map<string, Listener>,
    isIopub = false,
  ): Promise<void> {
    try {
      for await (const frames of sock) {
        let msg: JupyterMessage;
        try {
          msg = this.session.deserialize(frames);
        } catch {
          continue; // unsigned or malformed: the protocol says ignore it
        }
        const parentId = msg.parent_header.msg_id ?? '';
        const listener = listeners.get(parentId);
        if (listener) listener(msg);
        else if (isIopub && msg.header.msg_type !== 'status') this.onStrayIopub?.(msg);
      }
    } catch {
      // the socket was closed
    }
  }

  /** Sends a request on shell (or control) and returns its header. */
  private async send(channel: 'shell' | 'control', msgType: string, content: object): Promise<string> {
    const header = this.session.header(msgType);
    const sock = channel === 'shell' ? this.shell : this.control;
    await sock.send(this.session.serialize(header, content));
    return header.msg_id;
  }

  /**
   * Waits until the kernel answers kernel_info AND its iopub reaches us. A SUB socket misses
   * everything published before its subscription propagates (ZeroMQ "slow joiner"), so, like
   * nbclient, we repeat kernel_info until an iopub status for one of our requests arrives.
   */
  async waitReady(timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let info: Record<string, unknown> | undefined;
    let iopubSeen = false;
    const ids: string[] = [];
    try {
      while (Date.now() < deadline) {
        const header = this.session.header('kernel_info_request');
        ids.push(header.msg_id);
        // Register listeners before sending so a fast reply is never missed.
        this.shellListeners.set(header.msg_id, (m) => {
          info = m.content;
        });
        this.iopubListeners.set(header.msg_id, () => {
          iopubSeen = true;
        });
        await this.shell.send(this.session.serialize(header, {}));
        const outcome = await this.race(
          sleepUntil(() => info !== undefined && iopubSeen, 250),
          Math.min(250, deadline - Date.now()),
        );
        if (outcome === 'dead')
          throw kernelError('E_KERNEL_DIED', 'KernelClient.waitReady: the kernel exited before answering kernel_info');
        if (info && iopubSeen) return info;
      }
    } finally {
      for (const id of ids) {
        this.shellListeners.delete(id);
        this.iopubListeners.delete(id);
      }
    }
    throw kernelError('E_KERNEL_START', `KernelClient.waitReady: no kernel_info_reply within ${timeoutMs} ms`);
  }

  /**
   * Executes `code` and resolves once both the execute_reply and the iopub `idle` status for it
   * arrived (all outputs of the cell are then in), or on timeout, or when the kernel dies.
   */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const header = this.session.header('execute_request');
    const id = header.msg_id;
    let reply: Record<string, unknown> | undefined;
    let idle = false;
    let wake: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.shellListeners.set(id, (m) => {
      if (m.header.msg_type !== 'execute_reply') return;
      reply = m.content;
      if (idle) wake();
    });
    this.iopubListeners.set(id, (m) => {
      if (m.header.msg_type === 'status') {
        if ((m.content as { execution_state?: string }).execution_state === 'idle') {
          idle = true;
          if (reply) wake();
        }
        return;
      }
      options.onIopub?.(m);
    });
    const content = {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    };
    try {
      await this.shell.send(this.session.serialize(header, content));
      const outcome = await this.race(done, options.timeoutMs ?? Infinity);
      if (outcome !== 'done') return { status: outcome, executionCount: null };
      const r = reply as Record<string, unknown>;
      const status = r.status === 'ok' || r.status === 'abort' ? r.status : 'error';
      return { status, executionCount: typeof r.execution_count === 'number' ? r.execution_count : null, reply: r };
    } finally {
      this.shellListeners.delete(id);
      this.iopubListeners.delete(id);
    }
  }

  /** Races `p` against the timeout and the kernel's death. */
  private race(p: Promise<unknown>, timeoutMs: number): Promise<'done' | 'timeout' | 'dead'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
    });
    return Promise.race([p.then(() => 'done' as const), timeout, this.died.then(() => 'dead' as const)]).finally(() =>
      clearTimeout(timer),
    );
  }

  /**
   * One heartbeat round trip (REQ/REP echo on hb_port). tslab answers heartbeats on its JS event
   * loop, so a busy synchronous cell also misses them: use this only while the kernel is idle.
   */
  async heartbeat(timeoutMs = 2000): Promise<boolean> {
    const hb = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    try {
      hb.connect(`${this.info.transport}://${this.info.ip}:${this.info.hb_port}`);
      await hb.send('ping');
      const [echo] = await hb.receive();
      return echo.toString() === 'ping';
    } catch {
      return false;
    } finally {
      hb.close();
    }
  }

  /** Asks the kernel to shut down over control (best effort; the launcher still kills the pid). */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    try {
      await this.send('control', 'shutdown_request', { restart: false });
    } catch {
      // kernel already gone
    }
  }

  /** Closes all sockets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
  }
}

function kernelError(code: StagebookErrorCode, message: string): StagebookError {
  return new StagebookError(code, message, { where: 'KernelClient' });
}

/** Polls `cond` every 10 ms; resolves when true or after `maxMs`. */
function sleepUntil(cond: () => boolean, maxMs: number): Promise<void> {
  const start = Date.now();
  return new Promise((resolve) => {
    const tick = (): void => {
      if (cond() || Date.now() - start >= maxMs) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
}
