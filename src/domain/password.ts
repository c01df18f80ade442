import { randomInt } from 'node:crypto';

/**
 * Random passwords for JIT accounts. Entra requires 8–256 characters from at least three of
 * upper case, lower case, digits and symbols; ours are 40 ASCII characters holding all four, from
 * a CSPRNG, with symbols that need no quoting in a shell or a JSON string.
 */
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '!#$%&()*+,-.:;=?@[]^_{}~';
const ALL = UPPER + LOWER + DIGITS + SYMBOLS;

export const PASSWORD_LENGTH = 40;

export function generatePassword(length: number = PASSWORD_LENGTH): string {
  if (!Number.isInteger(length) || length < 32 || length > 256)
    throw new RangeError('password length must be 32 to 256');
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(ALL));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] as string;
}

/** Entra's rule, used by tests and the sandbox: length and at least three classes. */
export function meetsEntraComplexity(password: string): boolean {
  if (password.length < 8 || password.length > 256) return false;
  if (/[^\x20-\x7e]/.test(password)) return false;
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  return classes >= 3;
}
