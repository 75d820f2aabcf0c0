/** How much of the page is recorded where no element says otherwise. */
export type PrivacyLevel = "allow" | "mask-user-input" | "mask" | "hidden";

export interface InitOptions {
  /** The intake's base URL, e.g. "https://replay.example.com". */
  endpoint: string;
  /** The application the recordings belong to (letters, digits, - and _). */
  applicationId: string;
  /** Default "mask-user-input". */
  privacy?: PrivacyLevel;
  /** Percentage of sessions recorded, 0 to 100. Default 100. */
  sampleRate?: number;
  /** A session ends after this much inactivity. Default 15 minutes. */
  sessionInactivityMs?: number;
  /** A session ends after this long in all. Default 4 hours. */
  sessionMaxMs?: number;
  /** Where the worker script is served, for sites whose CSP forbids blob workers. */
  workerUrl?: string;
  /** Set up everything but record only once `start()` is called. Default false. */
  startManually?: boolean;
  /**
   * "always" (default) sends segments as they close; "error-triggered" keeps
   * the last `bufferSeconds` in memory and sends them only on an uncaught
   * error, an unhandled rejection or `flush()`, then records normally.
   */
  mode?: "always" | "error-triggered";
  /** The error-triggered mode's buffer. Default 60 seconds. */
  bufferSeconds?: number;
  /** How often a new full snapshot is taken. Default 5 minutes. */
  checkoutIntervalMs?: number;
  /** Bytes of segments that may wait for the intake before the oldest are dropped. Default 20 MiB. */
  queueBytesLimit?: number;
  /** The intake's ingest key, sent as the `key` query parameter. */
  clientKey?: string;
}

export interface InitResult {
  /** "ready": set up with `startManually`, waiting for `start()`. */
  status:
    | "recording"
    | "ready"
    | "not-sampled"
    | "invalid-options"
    | "unsupported"
    | "failed"
    | "already-started";
  sessionId?: string;
  reason?: string;
}

/** Starts recording. Never rejects; the result says what happened. */
export function init(options: InitOptions): Promise<InitResult>;
/** Starts or resumes recording (with `startManually`, or after `stop()`). */
export function start(): void;
/** Stops recording; what was recorded is still sent. */
export function stop(): void;
/** Sends everything recorded so far now. */
export function flush(): void;
/** The current session's id, once recording. */
export function getSessionId(): string | undefined;
/** Records a Custom event. */
export function addEvent(tag: string, payload?: unknown): void;

declare global {
  interface Window {
    Tapedeck: {
      init(options: InitOptions): Promise<InitResult>;
      start(): Promise<void>;
      stop(): Promise<void>;
      flush(): Promise<void>;
      getSessionId(): string | undefined;
      addEvent(tag: string, payload?: unknown): void;
    };
  }
}
