import { randomBytes } from 'node:crypto';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { freePort } from '../../scripts/lib/services.mjs';

/**
 * A real SMTP server for tests (the smtp-server package) on a free port. It keeps every message
 * it accepted, decoded, and can be told to fail: `temporary` answers 451 to RCPT TO (the
 * sender should retry later), `permanent` answers 550 (never retry), `lose-reply` takes the
 * message and then drops the connection before answering (the sender cannot know it arrived),
 * `hold-reply` takes the message and keeps the client waiting for the answer until the test
 * accepts or drops it (`held`), `accept` is normal. Every accepted message is answered
 * "250 OK: queued as <queueId>", as a relay names what it queued.
 */
export type SmtpMode = 'accept' | 'temporary' | 'permanent' | 'lose-reply' | 'hold-reply';

export interface ReceivedMessage {
  /** The id the server named in its answer (what the sender records as the provider's message id). */
  queueId: string;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  raw: string;
}

/** A message taken in full in `hold-reply` mode, its sender still waiting for the answer. */
export interface HeldMessage {
  message: ReceivedMessage;
  /** Answers 250: the server has accepted it, and it joins `messages`. */
  accept(): void;
  /** Closes the connection without an answer and keeps nothing: the server never accepted it. */
  drop(): void;
}

export interface SmtpTestServer {
  url: string;
  port: number;
  messages: ReceivedMessage[];
  /** In `hold-reply` mode: messages waiting for the test to accept or drop them. */
  held: HeldMessage[];
  /** Messages the server took in full and then dropped without accepting them. */
  dropped: ReceivedMessage[];
  /** How many RCPT TO the server refused (temporarily or permanently). */
  refusals: number;
  setMode(mode: SmtpMode): void;
  to(address: string): ReceivedMessage[];
  stop(): Promise<void>;
}

export async function startSmtpTestServer(): Promise<SmtpTestServer> {
  const port = await freePort();
  let mode: SmtpMode = 'accept';
  const state: SmtpTestServer = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages: [],
    held: [],
    dropped: [],
    refusals: 0,
    setMode: (next) => {
      mode = next;
    },
    to: (address) => state.messages.filter((m) => m.to.includes(address.toLowerCase())),
    stop: () => {
      for (const held of [...state.held]) held.drop();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const closeConnection = (sessionId: string) => {
    const connections = (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections;
    [...connections].find((connection) => connection.id === sessionId)?._socket.destroy();
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
      if (mode === 'accept' || mode === 'lose-reply' || mode === 'hold-reply') return callback();
      state.refusals++;
      const error = new Error(mode === 'temporary' ? 'Try again later' : 'No such user here') as Error & { responseCode: number };
      error.responseCode = mode === 'temporary' ? 451 : 550;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const message: ReceivedMessage = {
          ...parseMessage(raw),
          queueId: randomBytes(5).toString('hex').toUpperCase(),
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw,
        };
        const accept = () => {
          state.messages.push(message);
          callback(null, `OK: queued as ${message.queueId}`);
        };
        if (mode === 'lose-reply') {
          state.messages.push(message);
          closeConnection(session.id);
          return;
        }
        if (mode === 'hold-reply') {
          // Each held message is answered once: a second accept or drop does nothing.
          const settle = (answer: () => void) => () => {
            const at = state.held.indexOf(held);
            if (at === -1) return;
            state.held.splice(at, 1);
            answer();
          };
          const held: HeldMessage = {
            message,
            accept: settle(accept),
            drop: settle(() => {
              state.dropped.push(message);
              closeConnection(session.id);
            }),
          };
          state.held.push(held);
          return;
        }
        accept();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return state;
}

/** Just enough MIME to read what nodemailer writes: headers, multipart/alternative, QP and base64. */
function parseMessage(raw: string): Omit<ReceivedMessage, 'queueId' | 'to' | 'raw'> {
  const { headers, body } = splitEntity(raw);
  const parts = leafParts(headers, body);
  const part = (type: string) => parts.find((p) => (p.headers['content-type'] ?? 'text/plain').startsWith(type));
  return {
    headers,
    subject: decodeWords(headers.subject ?? ''),
    messageId: (headers['message-id'] ?? '').replace(/[<>]/g, ''),
    text: part('text/plain')?.content ?? '',
    html: part('text/html')?.content ?? '',
  };
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function leafParts(headers: Record<string, string>, body: string): { headers: Record<string, string>; content: string }[] {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .flatMap((chunk) => {
        const entity = splitEntity(chunk.replace(/^\r\n/, ''));
        return leafParts(entity.headers, entity.body);
      });
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, 'utf8');
  return [{ headers, content: bytes.toString('utf8').replace(/\r\n/g, '\n') }];
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_whole, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}
