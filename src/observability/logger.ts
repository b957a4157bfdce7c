// The process logger: pino JSON lines; request loggers are children carrying the request id.

import pino, { type Logger } from 'pino';

export type { Logger };

/** Creates the root logger at the given level. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'qgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Pool URIs may carry passwords: never log them, whatever field they sit in.
      redact: { paths: ['uri', '*.uri', 'password', '*.password'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
