import pino, { type Logger } from 'pino';
import { redactSecrets, type Config } from './config.js';

export type { Logger };

/**
 * JSON lines on stderr (for log shippers); readable lines when stderr is a terminal.
 * Every line passes through `redactSecrets`, so a database password or API key that slips into
 * a message or a field is masked before it is written anywhere.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'databaseUrl'> & Partial<Pick<Config, 'secrets'>>, opts: { pretty?: boolean; destination?: { write(s: string): void } } = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  const sink = opts.destination ?? process.stderr;
  const out = pretty ? prettySink(sink) : sink;
  const stream = { write: (line: string) => { out.write(redactSecrets(line, config)); } };
  return pino({ level: config.logLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

function prettySink(sink: { write(s: string): void }): { write(s: string): void } {
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  return {
    write(line: string) {
      try {
        const { level, time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
        sink.write(`${String(time).slice(11, 19)} ${levels[level as number] ?? level} ${msg ?? ''}${extra ? `  ${extra}` : ''}\n`);
      } catch {
        sink.write(line);
      }
    },
  };
}
