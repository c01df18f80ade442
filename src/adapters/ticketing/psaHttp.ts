import type { PsaHttp, PsaHttpRequest, PsaHttpResponse } from '../../app/ports';

/** A PSA that has not answered in this long is down for this attempt; the job is retried later. */
const PSA_TIMEOUT_MS = 10_000;
/** Write-back reads only statuses and small JSON answers (a token, an id): more is cut. */
const MAX_ANSWER_CHARS = 64 * 1024;

/** PSA write-back over fetch: no redirects followed, a timeout, a bounded answer. */
export class FetchPsaHttp implements PsaHttp {
  async send(request: PsaHttpRequest): Promise<PsaHttpResponse> {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(PSA_TIMEOUT_MS),
    });
    const body = await response.text().catch(() => '');
    return { status: response.status, body: body.slice(0, MAX_ANSWER_CHARS) };
  }
}
