/**
 * Runs `stagebook notebook reproduce` through the notebook's own kernel (tslab): the kernel's working directory
 * is the notebook's, and `stagebook` resolves there, so the record is reproduced exactly as the command line
 * would. The result comes back as one marked stdout line (tslab has no comms and sends a cell's value as
 * stdout text: notes/platform.md), read from the execute request's iopub stream.
 */
import { parseOutcome, type ReproduceOutcome } from './record';

/** Marks the result line among whatever else the cell prints. */
export const RESULT_MARKER = '__stagebook_reproduce_result__ ';

/** The structural subset of a Jupyter kernel connection used here (JupyterLab's IKernelConnection fits). */
export interface KernelExecLike {
  requestExecute(content: { code: string; silent?: boolean; store_history?: boolean }): {
    onIOPub: (msg: { header: { msg_type: string }; content: unknown }) => void;
    done: Promise<unknown>;
  };
}

/**
 * The TypeScript cell that reproduces `recordPath` (relative to the kernel's cwd). A block scope keeps its
 * names out of the user's namespace (tslab refuses a second `const` of one name); products go to a fresh
 * temporary directory, the report beside the notebook.
 */
export function reproduceCode(recordPath: string): string {
  const record = JSON.stringify(recordPath);
  const report = JSON.stringify(recordPath.replace(/(\.ipynb)?$/, '.reproduce.ipynb'));
  return `{
  const sbNotebook = await import("stagebook/notebook");
  const sbFs = await import("fs");
  const sbOs = await import("os");
  const sbPath = await import("path");
  try {
    const sbOut = sbFs.mkdtempSync(sbPath.join(sbOs.tmpdir(), "sb-reproduce-"));
    const sbResult = await sbNotebook.reproduceNotebook({ record: ${record}, output: ${report}, outputsDir: sbOut });
    console.log(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ ...sbNotebook.reportJson(sbResult), report: sbResult.report }));
  } catch (e) {
    const err = e as { code?: string; message?: string };
    console.log(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ error: { code: err.code ?? "E_INTERNAL", message: String(err.message ?? e) } }));
  }
}
`;
}

/** Executes the reproduction and resolves to its outcome (never rejects: a failure is an outcome). */
export async function reproduceInKernel(kernel: KernelExecLike, recordPath: string): Promise<ReproduceOutcome> {
  let text = '';
  const future = kernel.requestExecute({ code: reproduceCode(recordPath), silent: false, store_history: false });
  future.onIOPub = (msg) => {
    const c = msg.content as { name?: string; text?: string };
    if (msg.header.msg_type === 'stream' && c.name === 'stdout' && typeof c.text === 'string') text += c.text;
  };
  try {
    await future.done;
  } catch (e) {
    return { error: { code: 'E_KERNEL', message: `the kernel did not run the reproduction: ${String(e)}` } };
  }
  const line = text.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line)
    return {
      error: { code: 'E_REPRO_RESULT', message: `no result from the kernel${text ? `: ${text.slice(0, 300)}` : ''}` },
    };
  try {
    return parseOutcome(JSON.parse(line.slice(RESULT_MARKER.length)));
  } catch (e) {
    return { error: { code: 'E_REPRO_RESULT', message: `unreadable result: ${String(e)}` } };
  }
}
