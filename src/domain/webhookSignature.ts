import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed webhooks, both ways (ticketing systems calling us, our notifications going out):
 *   X-Jit-Timestamp: <unix seconds>
 *   X-Jit-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 * Signing the timestamp with the body makes a captured delivery useless after the tolerance.
 */
export const TIMESTAMP_HEADER = 'X-Jit-Timestamp';
export const SIGNATURE_HEADER = 'X-Jit-Signature';
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export function signPayload(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`;
}

export type SignatureCheck = { readonly valid: true } | { readonly valid: false; readonly reason: string };

export function verifySignature(input: {
  readonly secret: string;
  readonly timestamp: string | null;
  readonly signature: string | null;
  readonly rawBody: string;
  readonly now: Date;
}): SignatureCheck {
  if (input.timestamp === null || !/^\d{1,12}$/.test(input.timestamp))
    return { valid: false, reason: `${TIMESTAMP_HEADER} must be the signing time in unix seconds` };
  const skewMs = Math.abs(input.now.getTime() - Number(input.timestamp) * 1000);
  if (skewMs > SIGNATURE_TOLERANCE_MS)
    return { valid: false, reason: `${TIMESTAMP_HEADER} is more than 5 minutes away from the server's time` };
  if (input.signature === null || !/^sha256=[0-9a-fA-F]{64}$/.test(input.signature))
    return { valid: false, reason: `${SIGNATURE_HEADER} must be sha256=<64 hex digits>` };
  const expected = Buffer.from(signPayload(input.secret, input.timestamp, input.rawBody).slice(7), 'hex');
  const given = Buffer.from(input.signature.slice(7), 'hex');
  return timingSafeEqual(expected, given)
    ? { valid: true }
    : { valid: false, reason: `${SIGNATURE_HEADER} does not match the body` };
}

// ── Native ticketing webhooks (ConnectWise PSA, Autotask, HaloPSA) ─────────────────────────────────
// Each vendor authenticates its deliveries its own way; all comparisons are constant-time and no
// reason names the secret or the expected value.

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The header Autotask signs its webhook callouts in: `sha1=<base64 HMAC-SHA1(secret key, body)>`. */
export const AUTOTASK_SIGNATURE_HEADER = 'X-Hook-Signature';

/**
 * Autotask's JSON escaping (that of .NET's default encoder): inside strings, HTML-sensitive
 * characters and anything outside ASCII are written as \uXXXX. Receivers that only see a parsed
 * and re-serialised body report that Autotask's signature matches this form, so it is accepted as
 * well as the bytes as sent; both need the secret, and both decode to the same JSON value.
 */
export function autotaskEscapedForm(rawBody: string): string {
  const escapes: Readonly<Record<string, string>> = {
    '&': '\\u0026',
    '<': '\\u003C',
    '>': '\\u003E',
    "'": '\\u0027',
    '`': '\\u0060',
    '+': '\\u002B',
  };
  let out = '';
  let inString = false;
  let escaped = false;
  for (const char of rawBody) {
    if (escaped) {
      out += char === '"' && inString ? 'u0022' : char;
      escaped = false;
      continue;
    }
    if (char === '\\') {
      escaped = true;
      out += char;
      continue;
    }
    if (char === '"') {
      inString = !inString;
      out += char;
      continue;
    }
    if (!inString) {
      out += char;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (escapes[char] !== undefined) out += escapes[char];
    else if (code > 0x7f) {
      // Outside the BMP: a surrogate pair, as .NET writes it.
      for (let i = 0; i < char.length; i += 1)
        out += `\\u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += char;
  }
  return out;
}

export function signAutotaskPayload(secretKey: string, body: string): string {
  return `sha1=${createHmac('sha1', secretKey).update(body, 'utf8').digest('base64')}`;
}

export function verifyAutotaskSignature(input: {
  readonly secretKey: string;
  readonly signature: string | null;
  readonly rawBody: string;
}): SignatureCheck {
  const match = /^sha1=([A-Za-z0-9+/]{27}=)$/.exec(input.signature?.trim() ?? '');
  if (match?.[1] === undefined)
    return { valid: false, reason: `${AUTOTASK_SIGNATURE_HEADER} must be sha1=<base64 HMAC-SHA1 of the body>` };
  const given = Buffer.from(match[1], 'base64');
  for (const form of [input.rawBody, autotaskEscapedForm(input.rawBody)]) {
    if (constantTimeEqual(createHmac('sha1', input.secretKey).update(form, 'utf8').digest(), given))
      return { valid: true };
  }
  return { valid: false, reason: `${AUTOTASK_SIGNATURE_HEADER} does not match the body` };
}

/**
 * The header ConnectWise PSA signs callbacks in: base64 HMAC-SHA256 of the body, keyed with the
 * SHA-256 digest of the signing key that the callback's `Metadata.key_url` serves.
 */
export const CONNECTWISE_SIGNATURE_HEADER = 'X-Content-Signature';

export function signConnectWisePayload(signingKey: string, body: string): string {
  return createHmac('sha256', createHash('sha256').update(signingKey, 'utf8').digest())
    .update(body, 'utf8')
    .digest('base64');
}

/** A malformed or missing signature is refused before any key is fetched for it. */
export function connectWiseSignatureShape(signature: string | null): SignatureCheck {
  return /^[A-Za-z0-9+/]{43}=$/.test(signature?.trim() ?? '')
    ? { valid: true }
    : { valid: false, reason: `${CONNECTWISE_SIGNATURE_HEADER} must be the base64 HMAC-SHA256 of the body` };
}

export function verifyConnectWiseSignature(input: {
  readonly signingKey: string;
  readonly signature: string | null;
  readonly rawBody: string;
}): SignatureCheck {
  const shape = connectWiseSignatureShape(input.signature);
  if (!shape.valid) return shape;
  const given = input.signature?.trim() ?? '';
  const expected = createHmac('sha256', createHash('sha256').update(input.signingKey, 'utf8').digest())
    .update(input.rawBody, 'utf8')
    .digest();
  return constantTimeEqual(expected, Buffer.from(given, 'base64'))
    ? { valid: true }
    : { valid: false, reason: `${CONNECTWISE_SIGNATURE_HEADER} does not match the body` };
}

/**
 * HTTP Basic credentials (HaloPSA's webhook authentication). Both parts are compared through their
 * SHA-256 digests, so neither the comparison's time nor an early exit tells their length or content.
 */
export function verifyBasicAuth(input: {
  readonly username: string;
  readonly password: string;
  readonly authorization: string | null;
}): SignatureCheck {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(input.authorization ?? '');
  if (match?.[1] === undefined) return { valid: false, reason: 'Authorization must carry Basic credentials' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { valid: false, reason: 'Authorization must carry Basic credentials' };
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(input.username));
  const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(input.password));
  return userOk && passwordOk
    ? { valid: true }
    : { valid: false, reason: "the Basic credentials are not the integration's" };
}
