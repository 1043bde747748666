/**
 * Structured logs (pino, through Fastify): one line per request, with its id, method, path (never
 * the query string), status and duration, written when the response has gone out. Secrets are
 * never written: the Authorization header, tokens and passwords are redacted wherever they sit in
 * a logged object, and a token-shaped string in a path is masked.
 */
import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type LogFn } from 'pino';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';

const CENSOR = '[redacted]';
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'token', 'accessToken', 'access_token', 'currentPassword', 'newPassword', 'confirmPassword'];
/** Where a logged object could carry a request's secrets. */
const CONTAINERS = ['req', 'request', 'res', 'body', 'headers', 'query', 'params', 'variables', 'input', 'args', 'err', 'error', 'extensions', 'config'];
const NESTED = ['req.headers', 'request.headers', 'res.headers', 'req.body', 'request.body', 'req.query', 'err.config', 'err.config.headers', 'err.headers'];
/**
 * pino's redaction paths: each secret key at the top level and in every container above. Explicit
 * paths, not wildcards: pino checks explicit ones for ~nothing, while `*.key` paths walk every
 * logged object and cost ~20 µs a line (measured), the largest single cost of a request.
 */
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, ...[...CONTAINERS, ...NESTED].map((container) => `${container}.${key}`)]);

/** Session (pgw_), email verification (pgv_) and password reset (pgr_) tokens. */
const TOKEN_IN_TEXT = /pg[wvr]_[A-Za-z0-9_-]+/g;
const maskToken = (token: string) => `${token.slice(0, 4)}${CENSOR}`;

/** The path of a URL, without its query string, and with anything token-shaped masked. */
export function loggedPath(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  // Once per request: most paths hold no token, and skipping the replace keeps them cheap.
  return path.includes('pg') ? path.replace(TOKEN_IN_TEXT, maskToken) : path;
}

/** Fastify's `logger` option; `stream` is where the lines go (bufferedStdout() in production). */
export function loggerOptions(config: Pick<Config, 'logLevel'>, stream?: DestinationStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: {
      req: (req) => ({ method: req.method, url: loggedPath(req.url), remoteAddress: req.ip }),
    },
    ...(stream ? { stream } : {}),
  };
}

/** Lines are written once this many bytes are waiting (or on the timer, or at exit). */
const LOG_BUFFER_BYTES = 4096;
/** The longest a line waits in the buffer. */
export const LOG_FLUSH_MS = 250;

export interface BufferedLog {
  stream: DestinationStream;
  /** Writes out what waits, now. */
  flush(): void;
  /** Stops the timer; what waits is still written at exit. */
  stop(): void;
}

/** Buffers that still hold lines when the process exits. */
const unwritten = new Set<() => void>();
let flushedAtExit = false;

/**
 * stdout through a buffer (sonic-boom with a minimum length): a write per line cost a system call
 * per request (~6–9 µs a line, measured); lines now leave in blocks of 4 KB, at the latest
 * LOG_FLUSH_MS after they were logged, and at exit. The blocks are written synchronously, as the
 * lines were: sonic-boom's asynchronous mode cost twice as much per line here (a write request
 * to libuv's thread pool per block), and a stdout that cannot keep up slows the service down
 * rather than filling its memory.
 */
export function bufferedStdout(): BufferedLog {
  const destination = pino.destination({ dest: 1, sync: true, minLength: LOG_BUFFER_BYTES });
  let waiting = false;
  // flush(), not flushSync(): in synchronous mode both write at once, and flushSync() also
  // fsyncs, which every 250 ms cost ~2% of the CPU of a GraphQL request (measured).
  const flush = () => {
    if (!waiting) return;
    waiting = false;
    try {
      destination.flush();
    } catch {
      // stdout closed: nowhere to write.
    }
  };
  unwritten.add(() => {
    try {
      destination.flushSync();
    } catch {
      // stdout closed: nowhere to write.
    }
  });
  if (!flushedAtExit) {
    flushedAtExit = true;
    process.on('exit', () => {
      for (const fn of unwritten) fn();
    });
  }
  const timer = setInterval(flush, LOG_FLUSH_MS).unref();
  return {
    stream: {
      write(line: string) {
        waiting = true;
        destination.write(line);
      },
    },
    flush,
    stop: () => clearInterval(timer),
  };
}

/**
 * Fastify's `childLoggerFactory`: a request's logger (`request.log`) that becomes a real pino
 * child only if something logs through it. Ordinary requests never do (their one line is written
 * by the app's logger), and making a child per request cost ~2 µs and ~1 KB (measured).
 */
export const lazyChildLogger = (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger =>
  new LazyChildLogger(logger, bindings, options);

class LazyChildLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.#child?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  // Methods, not arrow-function fields: a request's logger is made per request, its methods are not.
  fatal(...args: Parameters<LogFn>): void {
    this.real.fatal(...args);
  }
  error(...args: Parameters<LogFn>): void {
    this.real.error(...args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.real.warn(...args);
  }
  info(...args: Parameters<LogFn>): void {
    this.real.info(...args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.real.debug(...args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.real.trace(...args);
  }
  silent(...args: Parameters<LogFn>): void {
    this.real.silent(...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/**
 * The one line per request (Fastify's own request logging is off: `disableRequestLogging`),
 * written by the app's logger with the request id first, as a per-request child logger would
 * have, without making one.
 */
export function requestLogLine(log: FastifyBaseLogger): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    log.info(
      { reqId: request.id, method: request.method, path: loggedPath(request.url), status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  };
}
