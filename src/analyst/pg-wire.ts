/**
 * The few Postgres wire-protocol messages `trade-etl serve` answers itself, in front of
 * pglite-socket: the SSL/GSS encryption requests libpq sends before the startup message
 * (pglite-socket does not understand them, so psql's default sslmode=prefer would hang), and a
 * proper FATAL error for a connection that cannot be served.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** What the first bytes of a new connection are. */
export type Opening = 'incomplete' | 'encryption-request' | 'cancel-request' | 'startup';

/**
 * Classifies the start of a client's byte stream (all these messages begin with an int32 length
 * and an int32 code).
 * @example classifyOpening(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])) // 'encryption-request'
 */
export function classifyOpening(buf: Buffer): Opening {
  if (buf.length < 8) return 'incomplete';
  const len = buf.readInt32BE(0);
  const code = buf.readInt32BE(4);
  if (len === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) return 'encryption-request';
  if (len === 16 && code === CANCEL_REQUEST) return 'cancel-request';
  return 'startup';
}

/**
 * A backend ErrorResponse message with severity FATAL, which clients print as the reason the
 * connection was closed.
 * @example socket.end(fatalError('53300', 'too many connections'))
 */
export function fatalError(sqlstate: string, message: string, hint?: string): Buffer {
  const fields: Array<[string, string]> = [['S', 'FATAL'], ['V', 'FATAL'], ['C', sqlstate], ['M', message]];
  if (hint) fields.push(['H', hint]);
  const body = Buffer.concat([...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`, 'utf8')), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
