import { randomUUID } from 'node:crypto';
import type { SentMail } from '../directory';
import { asRecord, findUser, GraphError, type GraphContext } from './context';
import type { Route } from './route';

/**
 * `POST /users/{id | userPrincipalName}/sendMail` as Graph answers it
 * (https://learn.microsoft.com/graph/api/user-sendmail): application permission Mail.Send, 202
 * Accepted with no body, delivery later. Refused as Graph refuses: without Mail.Send 403
 * ErrorAccessDenied; a mailbox that does not exist 404 ErrorInvalidUser ("The requested user '…' is
 * invalid.", microsoftgraph/microsoft-graph-docs#7580, InnoGE/laravel-msgraph-mail#16); no message,
 * no recipient or an address that is not one 400 (ErrorInvalidRecipients for recipients; the other
 * codes are the sandbox's reading of Graph's OData errors, unverified). Accepted messages are kept
 * per tenant and read back through `GET /_sandbox/mail`.
 */
const ADDRESS =
  /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

function invalid(message: string, code = 'ErrorInvalidRequest'): GraphError {
  return new GraphError(400, code, message);
}

function recipients(
  message: Record<string, unknown>,
  property: 'toRecipients' | 'ccRecipients' | 'bccRecipients',
): string[] {
  const list = message[property];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list))
    throw invalid(
      `Invalid value for property '${property}': a collection of recipients is expected.`,
      'RequestBodyRead',
    );
  return list.map((item) => {
    const address = asRecord(asRecord(item)?.emailAddress)?.address;
    if (typeof address !== 'string' || !ADDRESS.test(address)) {
      throw invalid(
        `At least one recipient isn't valid., Recipient '${typeof address === 'string' ? address : ''}' isn't resolved. All recipients must be resolved before a message can be submitted.`,
        'ErrorInvalidRecipients',
      );
    }
    return address;
  });
}

function sendMail(ctx: GraphContext) {
  if (!ctx.caller.roles.has('Mail.Send'))
    throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  const key = ctx.params.id ?? '';
  const from = findUser(ctx, key);
  // A disabled account's mailbox still sends (shared mailboxes are disabled accounts).
  if (from === undefined) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${key}' is invalid.`);
  if (ctx.body === undefined) throw invalid('Empty Payload. JSON content expected.');
  const message = asRecord(asRecord(ctx.body)?.message);
  if (message === undefined) throw invalid("The property 'message' is required.", 'ErrorInvalidParameter');
  const body = asRecord(message.body);
  const contentType = body?.contentType ?? 'text';
  if (typeof contentType !== 'string' || !['text', 'html'].includes(contentType.toLowerCase())) {
    throw invalid(
      `Requested value '${typeof contentType === 'string' ? contentType : JSON.stringify(contentType)}' was not found.`,
      'RequestBodyRead',
    );
  }
  const content = body?.content ?? '';
  const subject = message.subject ?? '';
  if (typeof content !== 'string' || typeof subject !== 'string')
    throw invalid('Cannot convert the literal to the expected type Edm.String.', 'RequestBodyRead');
  const to = recipients(message, 'toRecipients');
  const cc = recipients(message, 'ccRecipients');
  const bcc = recipients(message, 'bccRecipients');
  if (to.length + cc.length + bcc.length === 0) {
    throw invalid('At least one recipient is required, but none were found.', 'ErrorInvalidRecipients');
  }
  const sent: SentMail = {
    id: randomUUID(),
    from: from.userPrincipalName,
    to,
    cc,
    bcc,
    subject,
    contentType: contentType.toLowerCase() as 'text' | 'html',
    content,
    sentDateTime: ctx.now.toISOString(),
  };
  ctx.tenant.sentMail.push(sent);
  return { status: 202, headers: {} };
}

export const mailRoutes: readonly Route[] = [{ method: 'POST', path: ['users', ':id', 'sendMail'], handler: sendMail }];
