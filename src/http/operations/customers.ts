import { MAX_CUSTOMERS_PER_CONNECT } from '../../app/config/customerSchemas';
import { IDEMPOTENCY_KEY_HEADER } from '../../app/idempotency';
import { connectGdapCustomersHttp, listGdapCustomersHttp } from '../admin/customers';
import { ADMIN_ERRORS, defineOperation, problems, type HttpOperation } from './operation';

/**
 * The MSP's customers from its GDAP relationships (read in the home tenant through Graph), and
 * connecting many of them at once. `customers/connect` is a literal segment: no `:` action syntax,
 * which an ASP.NET Core route template would read as a parameter constraint.
 */
export const CUSTOMER_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'listGdapCustomers',
    method: 'GET',
    route: 'customers',
    tag: 'customers',
    summary: "The MSP's customers from its GDAP relationships, and whether each is connected here",
    description:
      "Read from the home tenant through Microsoft Graph (delegatedAdminCustomers and delegatedAdminRelationships; the service's app needs DelegatedAdminRelationship.Read.All there, " +
      'else a 502 naming it). Every customer of any relationship is listed, with each relationship, its state and the roles the customer approved; `status` is active when one relationship is. ' +
      'The home tenant must be connected (409 otherwise).',
    access: 'admin',
    durableClient: false,
    responses: {
      '200': { description: 'Every GDAP customer, by name', schema: 'GdapCustomerList' },
      ...problems(...ADMIN_ERRORS, 409, 502),
    },
    handler: listGdapCustomersHttp,
  }),
  defineOperation({
    operationId: 'connectGdapCustomers',
    method: 'POST',
    route: 'customers/connect',
    tag: 'customers',
    summary: `Connect up to ${MAX_CUSTOMERS_PER_CONNECT} GDAP customers at once, each reported on its own`,
    description:
      'Each customer is connected as POST /tenants connects one (secret to Key Vault, audited, verified), and must be in an active GDAP relationship with the home tenant. ' +
      'Each line has its own `status`: 201 connected, 200 already connected (left unchanged, so a retried call connects only the rest), 404 not a GDAP customer, 409 no active relationship, 400 what POST /tenants would refuse. ' +
      `A malformed body (or more than ${MAX_CUSTOMERS_PER_CONNECT} customers, or one twice) is a 400 and connects nothing. ` +
      'With an `Idempotency-Key`, a repeat of the same body answers the first outcome with `Idempotent-Replayed: true`; the same key with another body is a 422.',
    access: 'admin',
    durableClient: false,
    requestBody: 'ConnectCustomersBody',
    requestHeaders: [
      {
        name: IDEMPOTENCY_KEY_HEADER,
        description: 'Optional, 1 to 200 visible ASCII characters, scoped to the caller',
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
      },
    ],
    responses: {
      '200': {
        description: 'One line per customer, in the order sent, with counts',
        schema: 'ConnectCustomersResult',
        headers: [
          {
            name: 'Idempotent-Replayed',
            description: "'true' when this is the stored answer to an earlier request with the same Idempotency-Key",
            required: false,
          },
        ],
      },
      ...problems(400, ...ADMIN_ERRORS, 409, 422, 502),
    },
    handler: connectGdapCustomersHttp,
  }),
];
