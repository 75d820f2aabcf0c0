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
}

export interface InitResult {
  status: "recording" | "not-sampled" | "invalid-options" | "unsupported" | "failed" | "already-started";
  sessionId?: string;
  reason?: string;
}

/** Starts recording. Never rejects; the result says what happened. */
export function init(options: InitOptions): Promise<InitResult>;
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
      stop(): Promise<void>;
      flush(): Promise<void>;
      getSessionId(): string | undefined;
      addEvent(tag: string, payload?: unknown): void;
    };
  }
}
