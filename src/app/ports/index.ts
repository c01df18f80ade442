/**
 * What the use cases need from the outside world, named for the domain. src/adapters implements
 * them with the real SDKs (Graph, Key Vault, Table Storage); tests use the same adapters against
 * the local sandbox and Azurite.
 */
export * from './directory';
export * from './directoryAccounts';
export * from './directoryRolesAndGroups';
export * from './temporaryAccessPasses';
export * from './directoryVerification';
export * from './directoryGroupLookup';
export * from './directorySearch';
export * from './directoryMail';
export * from './partnerRelationships';
export * from './signInLogs';
export * from './secretVault';
export * from './versioned';
export * from './requestStore';
export * from './leaseLockStore';
export * from './accountStore';
export * from './configStore';
export * from './templateStore';
export * from './auditLog';
export * from './integrationStore';
export * from './callbackKeySource';
export * from './onceStore';
export * from './notifier';
export * from './psaHttp';
export * from './psaWriteBackQueue';
export * from './leaseMailer';
export * from './teamsBot';
export * from './reportMailer';
export * from './clock';
export * from './leaseOrchestrations';
export * from './appPorts';
