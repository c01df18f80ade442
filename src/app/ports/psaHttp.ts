/** One call to a PSA's REST API, as the write-back connectors build it. */
export interface PsaHttpRequest {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The PSA's answer: its status and (bounded) body text. */
export interface PsaHttpResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * HTTPS to a PSA's API for write-back. Throws on a network failure or timeout (worth retrying);
 * follows no redirects (a redirect would carry the credentials elsewhere).
 */
export interface PsaHttp {
  send(request: PsaHttpRequest): Promise<PsaHttpResponse>;
}
