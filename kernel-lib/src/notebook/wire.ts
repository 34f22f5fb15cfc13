/**
 * Jupyter wire protocol 5.3: the multipart frame layout and HMAC-SHA256 signatures.
 * Reference: jupyter_client "Messaging in Jupyter", section "The Wire Protocol":
 *   [zmq identities..., b'<IDS|MSG>', signature, header, parent_header, metadata, content, buffers...]
 * where signature = hex(HMAC(key, header + parent_header + metadata + content)).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { StagebookError } from '../errors/stagebook-error';

/** The delimiter frame between routing identities and the signed message. */
export const DELIMITER = '<IDS|MSG>';
/** Protocol version we speak (tslab 1.0.22 answers with the same). */
export const PROTOCOL_VERSION = '5.3';

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded Jupyter message (content left as parsed JSON). */
export interface JupyterMessage<C = Record<string, unknown>> {
  identities: Buffer[];
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** A signing session: one key, one session id, as jupyter_client.Session. */
export class WireSession {
  readonly session = randomUUID();
  readonly username = 'stagebook';
  private readonly key: Buffer;

  constructor(key: string) {
    this.key = Buffer.from(key, 'utf8');
  }

  /** HMAC-SHA256 hex digest over the four JSON frames (empty when the key is empty, as the spec allows). */
  sign(frames: ReadonlyArray<Buffer | string>): string {
    if (this.key.length === 0) return '';
    const h = createHmac('sha256', this.key);
    for (const f of frames) h.update(f);
    return h.digest('hex');
  }

  /** Builds a new message header for `msgType`. */
  header(msgType: string): MessageHeader {
    return {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.session,
      username: this.username,
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
  }

  /** Serialises a request into frames for a DEALER socket (no identities). */
  serialize(header: MessageHeader, content: object, parent: object = {}, metadata: object = {}): Buffer[] {
    const body = [header, parent, metadata, content].map((part) => Buffer.from(JSON.stringify(part), 'utf8'));
    return [Buffer.from(DELIMITER), Buffer.from(this.sign(body)), ...body];
  }

  /**
   * Parses and verifies received frames. A bad signature raises E_KERNEL_PROTOCOL: the spec says
   * such messages must be ignored, and the caller drops them after logging.
   */
  deserialize(frames: Buffer[]): JupyterMessage {
    const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString('latin1') === DELIMITER);
    if (at < 0 || frames.length < at + 6) {
      throw new StagebookError(
        'E_KERNEL_PROTOCOL',
        `WireSession.deserialize: frames: no ${DELIMITER} delimiter or too few frames`,
        { where: 'WireSession.deserialize' },
      );
    }
    const signature = frames[at + 1].toString('ascii');
    const body = frames.slice(at + 2, at + 6);
    const expected = this.sign(body);
    if (!sameSignature(signature, expected)) {
      throw new StagebookError('E_KERNEL_PROTOCOL', 'WireSession.deserialize: signature: HMAC mismatch', {
        where: 'WireSession.deserialize',
      });
    }
    const [header, parent, metadata, content] = body.map((b) => JSON.parse(b.toString('utf8')));
    return {
      identities: frames.slice(0, at),
      header,
      parent_header: parent,
      metadata,
      content,
      buffers: frames.slice(at + 6),
    };
  }
}

function sameSignature(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
