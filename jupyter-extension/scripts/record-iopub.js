#!/usr/bin/env node
/**
 * Records the kernel traffic of a real notebook run for the extension's unit tests: starts tslab,
 * executes every code cell of NOTEBOOK, and writes the messages the watcher sees in JupyterLab:
 * the execute_request going out (with `metadata.cellId`, as JupyterLab 4 sends it) and every iopub
 * message coming back. Outputs that are not progress displays are shrunk to their text/plain twin
 * to keep the fixture small; progress payloads are kept byte for byte.
 *
 *   node jupyter-extension/scripts/record-iopub.js NOTEBOOK OUT.json
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { launchKernel, KernelClient, readNotebook } = require('stagebook/notebook');

const PROGRESS_MIME = 'application/vnd.stagebook.progress.v1+json';

function shrink(msg) {
  const content = { ...msg.content };
  if (content.data && !(PROGRESS_MIME in content.data)) {
    const text = String(content.data['text/plain'] ?? '').slice(0, 200);
    content.data = { 'text/plain': text };
  }
  if (typeof content.text === 'string') content.text = content.text.slice(0, 500);
  return { header: msg.header, parent_header: msg.parent_header, metadata: msg.metadata, content };
}

async function main() {
  const [nbPath, outPath] = process.argv.slice(2);
  if (!nbPath || !outPath) throw new Error('usage: record-iopub.js NOTEBOOK OUT.json');
  const nb = readNotebook(nbPath);
  const kernel = await launchKernel({ cwd: path.dirname(path.resolve(nbPath)) });
  const client = KernelClient.connect(kernel.connection, kernel.exited);
  const events = [];
  try {
    await client.waitReady(60_000);
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'code') continue;
      const code = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      let requestLogged = false;
      const r = await client.execute(code, {
        timeoutMs: 120_000,
        onIopub: (msg) => {
          if (!requestLogged) {
            // the request itself, as JupyterLab's CodeCell.execute sends it (cellId in metadata)
            events.push({
              direction: 'send',
              msg: { header: msg.parent_header, metadata: { cellId: cell.id }, content: { code: code.slice(0, 80) } },
            });
            requestLogged = true;
          }
          events.push({ direction: 'recv', channel: 'iopub', cellId: cell.id, msg: shrink(msg) });
        },
      });
      if (r.status !== 'ok') console.error(`cell ${cell.id}: ${r.status}`);
    }
  } finally {
    await client.shutdown().catch(() => undefined);
    client.close?.();
    await kernel.kill();
  }
  fs.writeFileSync(
    outPath,
    JSON.stringify({ notebook: path.basename(nbPath), recordedAt: new Date().toISOString(), events }, null, 1) + '\n',
  );
  console.log(`${events.length} messages -> ${outPath}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
