/**
 * The status endpoint of the service (STIXCore `pipeline_status.py`; its server thread is commented
 * out in STIXCore 1.6, ours runs): a TCP line protocol on 127.0.0.1. The client sends one line
 * (`last`, `error`, `current`, `next`, `config`), the server answers text and closes the connection.
 * `next` answers `open files: N` (queued + in progress) followed by the queued names, one per line.
 * The real client's `-o` sent `open`, which no handler serves; stagebook's server answers `open` like
 * `next`, and the client's `-o` is an alias of `-n` (documented in docs/stix.md).
 */
import net from 'node:net';
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import type { StixService } from './service';

export const STATUS_COMMANDS = ['last', 'error', 'current', 'next', 'config'] as const;
export type StatusCommand = (typeof STATUS_COMMANDS)[number];

/** The answer to one command. */
export function answer(service: StixService, line: string): string {
  const s = service.snapshot();
  switch (line.trim()) {
    case 'last':
      return s.last
        ? `last: ${path.basename(s.last.file)} at ${s.last.at} ${s.last.status}, ${s.last.products} product(s)`
        : 'last: none';
    case 'error':
      return s.error ? `error: ${path.basename(s.error.file)} at ${s.error.at}: ${s.error.message}` : 'error: none';
    case 'current':
      return s.current ? `current: ${path.basename(s.current.file)} since ${s.current.since}` : 'current: idle';
    case 'next':
    case 'open':
      return [`open files: ${service.openFiles()}`, ...s.queue.map((f) => path.basename(f))].join('\n');
    case 'config':
      return JSON.stringify(
        { root: service.config.root, incoming: service.config.inputs.dir, options: service.options },
        null,
        2,
      );
    default:
      return `unknown command: ${line.trim().slice(0, 40)} (expected one of ${STATUS_COMMANDS.join(', ')})`;
  }
}

/** Starts the endpoint on 127.0.0.1:`port` (0 = any free port); resolves to the server and its port. */
export function startStatusServer(service: StixService, port: number): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) sock.end(`${answer(service, buf.slice(0, nl))}\n`);
      else if (buf.length > 256) sock.end('unknown command: line too long\n');
    });
    sock.on('error', () => sock.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new StagebookError(
          'E_STIX_STATUS',
          `status server: cannot listen on 127.0.0.1:${port}: ${e.message}`,
          { where: 'startStatusServer', field: 'options.service.statusPort' },
          { cause: e },
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

/** Sends one command to the endpoint and resolves to its answer (without the final newline). */
export function queryStatus(port: number, command: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let text = '';
    const fail = (why: string, cause?: unknown): void => {
      sock.destroy();
      reject(
        new StagebookError(
          'E_STIX_STATUS',
          `stix status: 127.0.0.1:${port} ${why}`,
          { where: 'queryStatus', field: 'port' },
          { cause },
        ),
      );
    };
    sock.setTimeout(timeoutMs, () => fail(`did not answer ${command} within ${timeoutMs} ms`));
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${command}\n`));
    sock.on('data', (c: string) => {
      text += c;
    });
    sock.on('error', (e) => fail(`unreachable (${e.message}); is the service running?`, e));
    sock.on('end', () => resolve(text.replace(/\n$/, '')));
  });
}
